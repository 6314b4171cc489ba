package dev.pharos.agent.ipvs.proxy.schedulers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/// The kernel's algorithms, pick by pick: sequences, weight 0, overload, tie-breaking.
class SchedulersTest {

    private static final Flow ANY = flow("192.0.2.1", 40000);

    static Flow flow(String client, int port) {
        try {
            return new Flow(InetAddress.getByName(client), port, InetAddress.getByName("203.0.113.10"), 80);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sequence(Scheduler s, List<? extends Candidate> d, int picks) {
        var sb = new StringBuilder();
        for (int i = 0; i < picks; i++) {
            var pick = s.schedule(d, ANY);
            sb.append(pick < 0 ? "-" : String.valueOf((char) ('A' + pick)));
        }
        return sb.toString();
    }

    private static Scheduler create(String name, List<? extends Candidate> d) {
        return Scheduler.create(name, Set.of(), d);
    }

    @Test
    void unknownSchedulerNamesTheKnownOnes() {
        assertThatThrownBy(() -> create("fancy", List.of()))
                .hasMessageContaining("unknown scheduler 'fancy'").hasMessageContaining("wrr");
        for (var name : Scheduler.NAMES) {
            assertThat(create(name.toUpperCase(), List.of(CandidateState.of(1))).name()).isEqualTo(name);
        }
    }

    @Test
    void rrCyclesAndSkipsQuiescentAndOverloaded() {
        var d = List.of(CandidateState.of(1), CandidateState.of(0), CandidateState.of(5),
                new CandidateState(3, 3, 0, 0, true));
        assertThat(sequence(create("rr", d), d, 6)).isEqualTo("ACACAC");
        var none = List.of(CandidateState.of(0), new CandidateState(1, 1, 0, 0, true));
        assertThat(sequence(create("rr", none), none, 2)).isEqualTo("--");
        assertThat(create("rr", List.of()).schedule(List.of(), ANY)).isEqualTo(-1);
    }

    @Test
    void rrContinuesAfterTheRemovedDestination() {
        var d = new ArrayList<>(List.of(CandidateState.of(1), CandidateState.of(1), CandidateState.of(1)));
        var rr = create("rr", d);
        assertThat(sequence(rr, d, 2)).isEqualTo("AB");
        d.remove(1);   // B was chosen last; the kernel steps its mark back to A
        rr.destinationsChanged(d);
        assertThat(sequence(rr, d, 3)).isEqualTo("BAB");   // old C, now at index 1
    }

    @Test
    void wrrFollowsTheKernelsGcdSteppedSequence() {
        var d = List.of(CandidateState.of(3), CandidateState.of(1));
        assertThat(sequence(create("wrr", d), d, 8)).isEqualTo("AAABAAAB");
        var even = List.of(CandidateState.of(4), CandidateState.of(2));   // gcd 2: mw = 3, steps 3 then 1
        assertThat(sequence(create("wrr", even), even, 6)).isEqualTo("AABAAB");
        var three = List.of(CandidateState.of(4), CandidateState.of(3), CandidateState.of(2));
        assertThat(sequence(create("wrr", three), three, 9)).isEqualTo("AABABCABC");
    }

    @Test
    void wrrNeverPicksWeightZeroAndStopsWhenNoneIsAvailable() {
        var d = List.of(CandidateState.of(0), CandidateState.of(2), CandidateState.of(0));
        assertThat(sequence(create("wrr", d), d, 4)).isEqualTo("BBBB");
        var zero = List.of(CandidateState.of(0), CandidateState.of(0));
        assertThat(sequence(create("wrr", zero), zero, 2)).isEqualTo("--");
        var overloaded = List.of(new CandidateState(2, 2, 0, 0, true), new CandidateState(1, 1, 0, 0, true));
        assertThat(sequence(create("wrr", overloaded), overloaded, 2)).isEqualTo("--");
    }

    @Test
    void wrrDistributionOverManyPicksMatchesWeights() {
        var d = List.of(CandidateState.of(5), CandidateState.of(3), CandidateState.of(2));
        var wrr = create("wrr", d);
        var counts = new int[3];
        for (int i = 0; i < 1000; i++) {
            counts[wrr.schedule(d, ANY)]++;
        }
        assertThat(counts).containsExactly(500, 300, 200);
    }

    @Test
    void wrrKeepsCurrentWeightWithinTheNewMaximumOnChange() {
        var d = new ArrayList<>(List.of(CandidateState.of(3), CandidateState.of(1)));
        var wrr = (WeightedRoundRobin) create("wrr", d);
        wrr.schedule(d, ANY);   // A at cw 3
        d.set(0, CandidateState.of(2));
        wrr.destinationsChanged(d);
        assertThat(wrr.currentWeight()).isEqualTo(2);
        assertThat(sequence(wrr, d, 3)).isEqualTo("AAB");
    }

    @Test
    void lcPicksLeastOverheadActiveCountingTimes256AndTiesGoFirst() {
        // overheads: A = 1*256 = 256, B = 0*256 + 200 = 200, C = 200 (tie with B, later)
        var d = List.of(CandidateState.of(1, 1, 0), CandidateState.of(1, 0, 200), CandidateState.of(9, 0, 200));
        assertThat(create("lc", d).schedule(d, ANY)).isEqualTo(1);
        var zero = List.of(CandidateState.of(0, 0, 0), CandidateState.of(1, 5, 0));
        assertThat(create("lc", zero).schedule(zero, ANY)).isEqualTo(1);
    }

    @Test
    void wlcWeighsOverheadAndTiesKeepTheEarlier() {
        // overhead/weight: A 512/2 = 256, B 256/1 = 256 (tie: A stays), C 1024/3 = 341
        var d = List.of(CandidateState.of(2, 2, 0), CandidateState.of(1, 1, 0), CandidateState.of(3, 4, 0));
        assertThat(create("wlc", d).schedule(d, ANY)).isEqualTo(0);
        // A quiescent first destination is not the starting candidate.
        var q = List.of(CandidateState.of(0, 0, 0), CandidateState.of(1, 3, 0), CandidateState.of(2, 3, 0));
        assertThat(create("wlc", q).schedule(q, ANY)).isEqualTo(2);
        var none = List.of(CandidateState.of(0), new CandidateState(1, 1, 0, 0, true));
        assertThat(create("wlc", none).schedule(none, ANY)).isEqualTo(-1);
    }

    @Test
    void sedIgnoresInactiveAndUsesActivePlusOne() {
        // wlc would pick B (0 inactive vs 1000); sed: A (0+1)/1 = 1, B (1+1)/1 = 2 -> A
        var d = List.of(CandidateState.of(1, 0, 1000), CandidateState.of(1, 1, 0));
        assertThat(create("sed", d).schedule(d, ANY)).isEqualTo(0);
        assertThat(create("wlc", d).schedule(d, ANY)).isEqualTo(1);
        // (2+1)/3 = 1 beats (1+1)/1 = 2
        var w = List.of(CandidateState.of(1, 1, 0), CandidateState.of(3, 2, 0));
        assertThat(create("sed", w).schedule(w, ANY)).isEqualTo(1);
    }

    @Test
    void nqTakesTheFirstIdleDestinationWhateverItsWeight() {
        var d = List.of(CandidateState.of(10, 1, 0), CandidateState.of(1, 0, 50), CandidateState.of(5, 0, 0));
        assertThat(create("nq", d).schedule(d, ANY)).isEqualTo(1);
        var busy = List.of(CandidateState.of(1, 1, 0), CandidateState.of(3, 2, 0));
        assertThat(create("nq", busy).schedule(busy, ANY)).isEqualTo(1);
        var quiet = List.of(CandidateState.of(0, 0, 0), CandidateState.of(1, 4, 0));
        assertThat(create("nq", quiet).schedule(quiet, ANY)).isEqualTo(1);
    }

    @Test
    void shFillsBucketsByWeightAndKeepsAClientOnOneDestination() {
        var d = List.of(CandidateState.of(3), CandidateState.of(1), CandidateState.of(0));
        var sh = (SourceHash) create("sh", d);
        // A takes 3 buckets, B 1, C (weight 0) still 1, as ip_vs_sh_reassign does.
        assertThat(List.of(sh.bucketOwner(0), sh.bucketOwner(1), sh.bucketOwner(2), sh.bucketOwner(3),
                sh.bucketOwner(4), sh.bucketOwner(5))).containsExactly(0, 0, 0, 1, 2, 0);
        var counts = new int[3];
        for (int i = 0; i < 2000; i++) {
            var f = flow("198.51.100." + (i % 250), 1000 + i);
            var pick = sh.schedule(d, f);
            assertThat(sh.schedule(d, flow("198.51.100." + (i % 250), 9))).isEqualTo(pick);
            if (pick >= 0) {
                counts[pick]++;
            }
        }
        assertThat(counts[0]).isGreaterThan(counts[1]);
        assertThat(counts[2]).isZero();
    }

    @Test
    void shRefusesAQuiescentBucketUnlessFallback() {
        var d = List.of(CandidateState.of(0), CandidateState.of(0), CandidateState.of(1));
        var plain = create("sh", d);
        var withFallback = Scheduler.create("sh", Set.of(SchedulerFlag.FALLBACK), d);
        var refused = 0;
        for (int i = 0; i < 200; i++) {
            var f = flow("203.0.113." + i, 1);
            var p = plain.schedule(d, f);
            assertThat(p).isIn(-1, 2);
            refused += p < 0 ? 1 : 0;
            assertThat(withFallback.schedule(d, f)).isEqualTo(2);
        }
        assertThat(refused).isPositive();
    }

    @Test
    void shWithPortSpreadsOneClientsPorts() {
        var d = List.of(CandidateState.of(1), CandidateState.of(1), CandidateState.of(1), CandidateState.of(1));
        var sh = Scheduler.create("sh", Set.of(SchedulerFlag.PORT), d);
        var seen = new java.util.HashSet<Integer>();
        for (int port = 1000; port < 1100; port++) {
            seen.add(sh.schedule(d, flow("192.0.2.7", port)));
        }
        assertThat(seen).hasSize(4);
    }

    @Test
    void dhMapsOneVirtualAddressToOneDestinationAndRefusesQuiescent() {
        var d = List.of(CandidateState.of(1), CandidateState.of(1), CandidateState.of(1));
        var dh = create("dh", d);
        var pick = dh.schedule(d, flow("192.0.2.1", 1));
        assertThat(pick).isEqualTo(DestinationHash.bucket(ANY) % 3);
        for (int i = 0; i < 50; i++) {
            assertThat(dh.schedule(d, flow("192.0.2." + i, i))).isEqualTo(pick);
        }
        var drained = new ArrayList<>(d);
        drained.set(pick, CandidateState.of(0));
        dh.destinationsChanged(drained);
        assertThat(dh.schedule(drained, ANY)).isEqualTo(-1);
    }

    record Server(InetAddress address, int port, int weight, int lastWeight) implements MaglevHash.Addressed {
        @Override
        public int activeConnections() {
            return 0;
        }

        @Override
        public int inactiveConnections() {
            return 0;
        }

        @Override
        public boolean overloaded() {
            return false;
        }

        static Server of(String a, int weight) {
            try {
                return new Server(InetAddress.getByName(a), 80, weight, weight);
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void mhFillsTheWholeTableInProportionToWeight() {
        var d = List.of(Server.of("198.51.100.1", 1), Server.of("198.51.100.2", 3));
        var mh = (MaglevHash) create("mh", d);
        var owned = new int[2];
        for (int i = 0; i < MaglevHash.TAB_SIZE; i++) {
            owned[mh.owner(i)]++;
        }
        assertThat(owned[0] + owned[1]).isEqualTo(MaglevHash.TAB_SIZE);
        assertThat(owned[1]).isBetween(3 * owned[0] - 4, 3 * owned[0] + 4);
    }

    @Test
    void mhMovesFewClientsWhenADestinationIsRemoved() {
        var before = new ArrayList<>(List.of(Server.of("198.51.100.1", 1), Server.of("198.51.100.2", 1),
                Server.of("198.51.100.3", 1), Server.of("198.51.100.4", 1)));
        var mh = create("mh", before);
        var clients = 2000;
        var first = new Server[clients];
        for (int i = 0; i < clients; i++) {
            first[i] = before.get(mh.schedule(before, flow("10.%d.%d.1".formatted(i / 250, i % 250), 1)));
        }
        var after = new ArrayList<>(before);
        after.remove(2);
        mh.destinationsChanged(after);
        var moved = 0;
        for (int i = 0; i < clients; i++) {
            var now = after.get(mh.schedule(after, flow("10.%d.%d.1".formatted(i / 250, i % 250), 1)));
            if (first[i] != before.get(2) && now != first[i]) {
                moved++;
            }
        }
        // Consistent hashing: clients of the surviving destinations (about 1500) mostly stay put.
        assertThat(moved).isLessThan(clients / 10);
    }

    @Test
    void mhQuiescentKeepsTheTableAndFallbackMovesOnlyItsClients() {
        var d = new ArrayList<>(List.of(Server.of("198.51.100.1", 1), Server.of("198.51.100.2", 1)));
        var plain = (MaglevHash) create("mh", d);
        var fb = (MaglevHash) Scheduler.create("mh", Set.of(SchedulerFlag.FALLBACK), d);
        var quiesced = new Server(d.get(0).address(), 80, 0, 1);   // weight 0, last weight 1
        var q = List.of(quiesced, d.get(1));
        plain.destinationsChanged(q);
        fb.destinationsChanged(q);
        var refused = 0;
        for (int i = 0; i < 300; i++) {
            var f = flow("192.0.2." + (i % 250), i);
            var p = plain.schedule(q, f);
            refused += p < 0 ? 1 : 0;
            assertThat(p).isIn(-1, 1);
            assertThat(fb.schedule(q, f)).isEqualTo(1);
        }
        assertThat(refused).isPositive();
        assertThat(plain.owner(0)).isIn(0, 1);   // table still has both
    }
}
