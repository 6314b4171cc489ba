package dev.pharos.agent.linux;

import java.time.Duration;

/// The loop of the raw sockets' loopback warm-ups ([RawIpSocket#warmUpOnLoopback],
/// [RawIpv6Socket#warmUpOnLoopback]): open a socket on `lo`, send a datagram to loopback and wait
/// for it, `rounds` times or until `budget` is spent, so the JIT compiles the send and receive
/// paths before a takeover needs them. Best effort: the first error (`lo` down, IPv6 off on it, no
/// `CAP_NET_RAW`) or a datagram that does not come back ends it, logged at debug level.
final class LoopbackWarmUp {

    private LoopbackWarmUp() {
    }

    /// Opens the socket the rounds run on.
    @FunctionalInterface
    interface Opener<S extends AutoCloseable> {
        S open() throws NativeException;
    }

    /// One round on `socket`: true when the datagram came back.
    @FunctionalInterface
    interface Round<S> {
        boolean run(S socket) throws NativeException;
    }

    /// How long one round waits for its datagram.
    static final Duration WAIT = Duration.ofMillis(100);

    /// @return the rounds completed
    static <S extends AutoCloseable> int run(int rounds, Duration budget, Opener<S> opener, Round<S> round,
            String what) {
        int done = 0;
        long end = System.nanoTime() + budget.toNanos();
        try (var socket = opener.open()) {
            while (done < rounds && System.nanoTime() < end && round.run(socket)) {
                done++;
            }
        } catch (Exception e) {
            System.getLogger(LoopbackWarmUp.class.getName()).log(System.Logger.Level.DEBUG,
                    "{0} loopback warm-up stopped after {1} rounds: {2}", what, done, e.toString());
        }
        return done;
    }
}
