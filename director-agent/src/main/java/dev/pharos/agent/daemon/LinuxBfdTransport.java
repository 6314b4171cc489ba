package dev.pharos.agent.daemon;

import dev.pharos.agent.bfd.BfdSettings;
import dev.pharos.agent.bfd.BfdTransport;
import dev.pharos.agent.linux.UdpTtlSocket;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Optional;

/// BFD over UDP on Linux as keepalived runs it (RFC 5881): one socket on port 3784 of every
/// address receives, reporting each datagram's TTL; each session sends from its own socket,
/// with TTL 255 (its `ttl`) and a source port from 49152–65535.
final class LinuxBfdTransport implements BfdTransport {

    /// RFC 5881 §4: the destination port of single-hop control packets.
    static final int CONTROL_PORT = 3784;
    private static final int FIRST_SOURCE_PORT = 49152;
    private static final int LAST_SOURCE_PORT = 65535;

    private final UdpTtlSocket receiving;
    private final SecureRandom random = new SecureRandom();

    private LinuxBfdTransport(UdpTtlSocket receiving) {
        this.receiving = receiving;
    }

    static LinuxBfdTransport open() throws IOException {
        return new LinuxBfdTransport(UdpTtlSocket.receiving(null, CONTROL_PORT));
    }

    @Override
    public Sender open(BfdSettings settings) throws IOException {
        var socket = UdpTtlSocket.sending(settings.source(), settings.ttl(), FIRST_SOURCE_PORT, LAST_SOURCE_PORT,
                random);
        return new Sender() {
            @Override
            public void send(byte[] payload) throws IOException {
                socket.send(settings.neighbor(), CONTROL_PORT, payload);
            }

            @Override
            public void close() {
                socket.close();
            }
        };
    }

    @Override
    public Optional<Datagram> receive(Duration timeout) throws IOException {
        return receiving.receive(timeout).map(r -> new Datagram(r.payload(), r.source(), r.ttl()));
    }

    @Override
    public void close() {
        receiving.close();
    }
}
