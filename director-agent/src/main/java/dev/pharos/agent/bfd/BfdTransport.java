package dev.pharos.agent.bfd;

import java.io.IOException;
import java.net.Inet4Address;
import java.time.Duration;
import java.util.Optional;

/// The network as [BfdEngine] sees it: one receiving side (UDP port 3784, with each datagram's
/// TTL) and one sending side per session (its own source port, RFC 5881 §4, and TTL).
public interface BfdTransport extends AutoCloseable {

    /// One received UDP payload.
    ///
    /// @param ttl the IP TTL it arrived with, 0 when the kernel did not say
    record Datagram(byte[] payload, Inet4Address source, int ttl) {
    }

    /// Where one session's packets leave from.
    interface Sender extends AutoCloseable {
        void send(byte[] payload) throws IOException;

        @Override
        void close();
    }

    /// The sending side of a session: to `settings.neighbor()` port 3784 with `settings.ttl()`,
    /// from `settings.source()` when given.
    Sender open(BfdSettings settings) throws IOException;

    /// Waits at most `timeout`; empty on timeout or once closed.
    Optional<Datagram> receive(Duration timeout) throws IOException;

    @Override
    void close();
}
