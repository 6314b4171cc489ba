package dev.pharos.agent.check;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.concurrent.ThreadLocalRandom;

/// `DNS_CHECK` (keepalived's `check_dns.c`): one UDP query with a random ID; the attempt succeeds
/// on a reply with that ID and rcode NOERROR, and fails on any other rcode. As keepalived does,
/// datagrams that are too short, carry another ID or are not responses are ignored, so a server
/// that answers only garbage fails by timeout (the reason counts what was ignored).
public final class DnsProbe implements Probe {

    /// keepalived's `DNS_BUFFER_SIZE`; a longer reply is truncated, which the header survives.
    private static final int BUFFER = 768;

    private final CheckSpec.DnsCheck spec;

    public DnsProbe(CheckSpec.DnsCheck spec) {
        this.spec = spec;
    }

    @Override
    public ProbeResult attempt() {
        var endpoint = spec.endpoint();
        var deadline = System.nanoTime() + endpoint.connectTimeout().toNanos();
        int id = ThreadLocalRandom.current().nextInt(0x10000);
        var query = DnsPacket.query(id, spec.name(), spec.type().wireValue());
        int ignored = 0;
        String lastIgnored = "";
        try (var socket = new DatagramSocket(null)) {
            socket.bind(endpoint.bindTo() == null ? new InetSocketAddress(endpoint.bindPort())
                    : new InetSocketAddress(endpoint.bindTo(), endpoint.bindPort()));
            socket.connect(endpoint.connectTo());
            socket.send(new DatagramPacket(query, query.length));
            var buffer = new byte[BUFFER];
            // Bounded by the deadline: each receive waits at most what is left of it.
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new SocketTimeoutException();
                }
                socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
                var packet = new DatagramPacket(buffer, buffer.length);
                socket.receive(packet);
                try {
                    var header = DnsPacket.header(buffer, packet.getLength());
                    if (header.id() != id) {
                        lastIgnored = "ID " + header.id() + " instead of " + id;
                    } else if (!header.response()) {
                        lastIgnored = "a query, not a response";
                    } else if (!header.rcode().equals(DnsPacket.Rcode.NOERROR)) {
                        return ProbeResult.down("DNS rcode " + header.rcode());
                    } else {
                        return ProbeResult.up();
                    }
                } catch (DnsPacket.MalformedException e) {
                    lastIgnored = e.getMessage();
                }
                ignored++;
            }
        } catch (SocketTimeoutException e) {
            var reason = "timeout after " + Failures.seconds(endpoint.connectTimeout());
            return ProbeResult.down(ignored == 0 ? reason
                    : reason + " (ignored " + ignored + " invalid " + (ignored == 1 ? "reply" : "replies") + ", last: "
                            + lastIgnored + ")");
        } catch (IOException e) {
            return ProbeResult.down(Failures.reason(e, endpoint.connectTimeout()));
        }
    }
}
