package dev.pharos.agent.bfd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.bfd.BfdSession.Action;
import dev.pharos.agent.bfd.BfdSession.Event;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/// RFC 5880's rules for one session on a fake clock (nanoseconds from zero): the three-way
/// handshake, the Poll Sequence to the Up rate, detection, the neighbor's Down and AdminDown,
/// the TTL check, the passive role and the jitter.
class BfdSessionTest {

    private static final long MS = 1_000_000;

    private static Inet4Address ip(String s) {
        try {
            return (Inet4Address) InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static BfdSettings settings(String name, String neighbor, int ms, int mult) {
        return BfdSettings.of(name, ip(neighbor)).withTimers(Duration.ofMillis(ms), Duration.ofMillis(ms), mult);
    }

    /// Two sessions wired back to back with no delay; the clock jumps from deadline to deadline.
    private static final class Link {
        final BfdSession a;
        final BfdSession b;
        final List<Action.StateChanged> aChanges = new ArrayList<>();
        final List<Action.StateChanged> bChanges = new ArrayList<>();
        final List<BfdPacket> fromA = new ArrayList<>();
        final List<Long> aSendTimes = new ArrayList<>();
        boolean aSilent;
        long now;

        Link(BfdSettings sa, BfdSettings sb) {
            a = new BfdSession(sa, 0x0A, new Random(1));
            b = new BfdSession(sb, 0x0B, new Random(2));
        }

        void start() {
            deliver(a, a.handle(new Event.Start(), now));
            deliver(b, b.handle(new Event.Start(), now));
        }

        void runUntil(long end) {
            for (int guard = 0; guard < 1_000_000; guard++) {
                long next = Math.min(a.nextDeadline(), b.nextDeadline());
                if (next > end) {
                    now = end;
                    return;
                }
                now = Math.max(now, next);
                var s = a.nextDeadline() <= b.nextDeadline() ? a : b;
                deliver(s, s.handle(new Event.Tick(), now));
            }
            throw new AssertionError("no progress");
        }

        /// Carries `from`'s packets to the other session, and that one's answers back.
        void deliver(BfdSession from, List<Action> actions) {
            var queue = new ArrayDeque<Object[]>();
            queue.add(new Object[] {from, actions});
            while (!queue.isEmpty()) {
                var item = queue.poll();
                var sender = (BfdSession) item[0];
                @SuppressWarnings("unchecked")
                var list = (List<Action>) item[1];
                for (var action : list) {
                    switch (action) {
                        case Action.Send send -> {
                            if (sender == a) {
                                fromA.add(send.packet());
                                aSendTimes.add(now);
                            }
                            if (sender == a && aSilent) {
                                continue;
                            }
                            var to = sender == a ? b : a;
                            queue.add(new Object[] {to, to.handle(new Event.Received(send.packet(), 255), now)});
                        }
                        case Action.StateChanged c -> (sender == a ? aChanges : bChanges).add(c);
                        case Action.Discarded d -> {
                        }
                    }
                }
            }
        }
    }

    @Test
    void threeWayHandshakeThenThePollSequenceBringsTheUpRate() {
        var link = new Link(settings("A", "192.0.2.2", 50, 3), settings("B", "192.0.2.1", 50, 3));
        link.start();
        link.runUntil(3_000 * MS);
        assertThat(link.a.state()).isEqualTo(BfdState.UP);
        assertThat(link.b.state()).isEqualTo(BfdState.UP);
        assertThat(link.aChanges).extracting(Action.StateChanged::to).containsExactly(BfdState.UP);
        assertThat(link.bChanges).extracting(Action.StateChanged::to).containsExactly(BfdState.INIT, BfdState.UP);
        // Down: idle_tx advertised; Up: a Poll carries min_tx, and the rate follows once answered.
        assertThat(link.fromA.getFirst().desiredMinTxInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(link.fromA).anyMatch(p -> p.state() == BfdState.UP && p.poll()
                && p.desiredMinTxInterval().equals(Duration.ofMillis(50)));
        assertThat(link.fromA.getLast().poll()).as("the Poll Sequence ended").isFalse();
        assertThat(link.a.transmitInterval()).isEqualTo(Duration.ofMillis(50));
        assertThat(link.a.detectionTime()).isEqualTo(Duration.ofMillis(150));
        assertThat(link.a.remoteDiscr()).isEqualTo(0x0B);
    }

    @Test
    void silenceForTheDetectionTimeTakesTheSessionDown() {
        var link = new Link(settings("A", "192.0.2.2", 50, 3), settings("B", "192.0.2.1", 50, 3));
        link.start();
        link.runUntil(3_000 * MS);
        link.aSilent = true;
        link.runUntil(4_000 * MS);
        var down = link.bChanges.getLast();
        assertThat(down.to()).isEqualTo(BfdState.DOWN);
        assertThat(down.diagnostic()).isEqualTo(BfdDiagnostic.CONTROL_DETECTION_TIME_EXPIRED);
        assertThat(down.failure()).isTrue();
        assertThat(link.b.remoteDiscr()).as("§6.8.1: RemoteDiscr back to zero").isZero();
        assertThat(link.b.localDiag()).isEqualTo(BfdDiagnostic.CONTROL_DETECTION_TIME_EXPIRED);
        // A hears B's Down (diag 1) and follows: Neighbor Signaled Session Down.
        assertThat(link.aChanges.getLast().diagnostic()).isEqualTo(BfdDiagnostic.NEIGHBOR_SIGNALED_SESSION_DOWN);
    }

    @Test
    void detectionTimeIsTheNeighborsMultTimesTheSlowerOfItsTxAndOurRx() {
        var a = new BfdSession(settings("A", "192.0.2.2", 100, 3), 7, new Random(3));
        a.handle(new Event.Start(), 0);
        a.handle(new Event.Received(packet(BfdState.DOWN, 0, 9, 4, 300, 20), 255), 10 * MS);
        assertThat(a.state()).isEqualTo(BfdState.INIT);
        assertThat(a.detectionTime()).isEqualTo(Duration.ofMillis(1200));
        assertThat(a.nextDeadline()).isLessThanOrEqualTo(10 * MS + 1200 * MS);
        var changes = a.handle(new Event.Tick(), 10 * MS + 1200 * MS);
        assertThat(changes).contains(new Action.StateChanged(BfdState.INIT, BfdState.DOWN,
                BfdDiagnostic.CONTROL_DETECTION_TIME_EXPIRED, true));
    }

    @Test
    void neighborsAdminDownIsNotAFailure() {
        var a = upSession();
        var actions = a.handle(new Event.Received(packet(BfdState.ADMIN_DOWN, 0, 9, 3, 1000, 10), 255), 50 * MS);
        assertThat(actions).contains(new Action.StateChanged(BfdState.UP, BfdState.DOWN,
                BfdDiagnostic.NEIGHBOR_SIGNALED_SESSION_DOWN, false));
    }

    @Test
    void neighborsDownWhileUpIsAFailure() {
        var a = upSession();
        var actions = a.handle(new Event.Received(packet(BfdState.DOWN, 0, 9, 3, 1000, 10), 255), 50 * MS);
        assertThat(actions).contains(new Action.StateChanged(BfdState.UP, BfdState.DOWN,
                BfdDiagnostic.NEIGHBOR_SIGNALED_SESSION_DOWN, true));
        assertThat(a.nextDeadline()).as("Down keeps sending, at idle_tx").isLessThan(Long.MAX_VALUE);
    }

    @Test
    void aPacketWithATtlUnder255IsDiscarded() {
        var a = new BfdSession(settings("A", "192.0.2.2", 50, 3), 7, new Random(3));
        a.handle(new Event.Start(), 0);
        var actions = a.handle(new Event.Received(packet(BfdState.DOWN, 0, 9, 3, 1000, 10), 254), MS);
        assertThat(actions).singleElement().isInstanceOf(Action.Discarded.class);
        assertThat(a.state()).isEqualTo(BfdState.DOWN);
        assertThat(a.remoteDiscr()).isZero();
        var lenient = new BfdSession(new BfdSettings("L", ip("192.0.2.2"), null, Duration.ofMillis(50),
                Duration.ofMillis(50), Duration.ofSeconds(1), 3, false, 255, -1), 8, new Random(3));
        lenient.handle(new Event.Received(packet(BfdState.DOWN, 0, 9, 3, 1000, 10), 1), MS);
        assertThat(lenient.state()).as("max_hops -1 checks nothing").isEqualTo(BfdState.INIT);
    }

    @Test
    void aPassiveSessionWaitsToBeSpokenTo() {
        var passive = new BfdSession(new BfdSettings("P", ip("192.0.2.2"), null, Duration.ofMillis(50),
                Duration.ofMillis(50), Duration.ofSeconds(1), 3, true, 255, 0), 7, new Random(3));
        assertThat(passive.handle(new Event.Start(), 0)).isEmpty();
        assertThat(passive.nextDeadline()).isEqualTo(Long.MAX_VALUE);
        passive.handle(new Event.Received(packet(BfdState.DOWN, 0, 9, 3, 1000, 10), 255), 5 * MS);
        assertThat(passive.state()).isEqualTo(BfdState.INIT);
        assertThat(passive.nextDeadline()).as("now it transmits").isLessThan(5 * MS + 1_001 * MS);
    }

    @Test
    void aPollIsAnsweredAtOnceWithFinal() {
        var a = upSession();
        var poll = new BfdPacket(BfdDiagnostic.NO_DIAGNOSTIC, BfdState.UP, true, false, false, false, 3, 9, 7,
                Duration.ofMillis(20), Duration.ofMillis(20), Duration.ZERO);
        var actions = a.handle(new Event.Received(poll, 255), 60 * MS);
        assertThat(actions).singleElement().satisfies(x -> {
            var p = ((Action.Send) x).packet();
            assertThat(p.fin()).isTrue();
            assertThat(p.poll()).isFalse();
        });
    }

    @Test
    void stopSaysAdminDownOnceAndThenNothing() {
        var a = upSession();
        var actions = a.handle(new Event.Stop(), 70 * MS);
        assertThat(actions).hasSize(2);
        assertThat(((Action.Send) actions.get(1)).packet().state()).isEqualTo(BfdState.ADMIN_DOWN);
        assertThat(((Action.Send) actions.get(1)).packet().diagnostic()).isEqualTo(BfdDiagnostic.ADMINISTRATIVELY_DOWN);
        assertThat(a.nextDeadline()).isEqualTo(Long.MAX_VALUE);
        assertThat(a.handle(new Event.Received(packet(BfdState.UP, 7, 9, 3, 20, 20), 255), 80 * MS))
                .singleElement().isInstanceOf(Action.Discarded.class);
    }

    @Test
    void theNeighborsSlowerReceiveRateSetsOurPace() {
        var a = upSession();
        a.handle(new Event.Received(packet(BfdState.UP, 7, 9, 3, 20, 500), 255), 60 * MS);
        assertThat(a.transmitInterval()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void jitterTakesZeroTo25PercentOffAndAtLeast10WithMultOne() {
        for (int mult : new int[] {3, 1}) {
            var link = new Link(settings("A", "192.0.2.2", 100, mult), settings("B", "192.0.2.1", 100, mult));
            link.start();
            link.runUntil(3_000 * MS);
            link.aSendTimes.clear();
            link.runUntil(13_000 * MS);
            var gaps = new ArrayList<Long>();
            for (int i = 1; i < link.aSendTimes.size(); i++) {
                gaps.add(link.aSendTimes.get(i) - link.aSendTimes.get(i - 1));
            }
            assertThat(gaps).hasSizeGreaterThan(50);
            long max = mult == 1 ? 90 * MS : 100 * MS;
            assertThat(gaps).as("mult %d", mult).allSatisfy(g -> assertThat(g).isBetween(75 * MS, max));
            assertThat(gaps.stream().mapToLong(Long::longValue).max().orElseThrow()).isGreaterThan(max - 5 * MS);
        }
    }

    /// A session brought Up by hand: it hears Init from discriminator 9, with a 20 ms pace.
    private static BfdSession upSession() {
        var a = new BfdSession(settings("A", "192.0.2.2", 20, 3), 7, new Random(3));
        a.handle(new Event.Start(), 0);
        a.handle(new Event.Received(packet(BfdState.INIT, 7, 9, 3, 20, 20), 255), 10 * MS);
        assertThat(a.state()).isEqualTo(BfdState.UP);
        return a;
    }

    private static BfdPacket packet(BfdState state, int your, int my, int mult, int txMs, int rxMs) {
        return new BfdPacket(BfdDiagnostic.NO_DIAGNOSTIC, state, false, false, false, false, mult, my, your,
                Duration.ofMillis(txMs), Duration.ofMillis(rxMs), Duration.ZERO);
    }
}
