package dev.pharos.agent.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/// The runner's timing rules on virtual time with scripted probes: retries, delays, alpha,
/// warmup spread, several checkers, dynamic weight, reload and omega.
class CheckSchedulerTest {

    private final ManualTimer timer = new ManualTimer();
    private final List<CheckEvent> events = new ArrayList<>();
    private final Map<Integer, Scripted> probes = new HashMap<>();

    /// A probe that returns queued results (then `otherwise`) and records when it ran.
    final class Scripted implements Probe {
        final Deque<ProbeResult> queue = new ArrayDeque<>();
        ProbeResult otherwise = ProbeResult.up();
        final List<Long> attemptsAt = new ArrayList<>();

        @Override
        public ProbeResult attempt() {
            attemptsAt.add(timer.nowMillis());
            return queue.isEmpty() ? otherwise : queue.poll();
        }

        Scripted then(ProbeResult... results) {
            queue.addAll(List.of(results));
            return this;
        }
    }

    private CheckScheduler scheduler() {
        return new CheckScheduler(events::add, timer.clock(), timer, new DirectExecutor(),
                spec -> probes.computeIfAbsent(port(spec), p -> new Scripted()), RandomGenerator.of("L64X128MixRandom"),
                16);
    }

    private static int port(CheckSpec spec) {
        return switch (spec) {
            case CheckSpec.TcpCheck t -> t.endpoint().connectTo().getPort();
            case CheckSpec.HttpGet h -> h.endpoint().connectTo().getPort();
            case CheckSpec.DnsCheck d -> d.endpoint().connectTo().getPort();
            case CheckSpec.MiscCheck m -> Integer.parseInt(m.command().getLast());
        };
    }

    private Scripted probe(int port) {
        return probes.computeIfAbsent(port, p -> new Scripted());
    }

    static CheckSpec.Timing timing(int loop, int retry, int dbr, int warmup, boolean alpha) {
        return new CheckSpec.Timing(Duration.ofSeconds(loop), retry, Duration.ofSeconds(dbr), Duration.ofSeconds(warmup), alpha);
    }

    static CheckSpec.TcpCheck tcp(int port, CheckSpec.Timing timing) {
        return new CheckSpec.TcpCheck(endpoint(port), timing);
    }

    static CheckSpec.Endpoint endpoint(int port) {
        return new CheckSpec.Endpoint(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), null, 0,
                Duration.ofSeconds(1));
    }

    static CheckPlan.RealServerPlan server(int n, int weight, CheckSpec... checks) {
        return server(n, weight, false, checks);
    }

    static CheckPlan.RealServerPlan server(int n, int weight, boolean omega, CheckSpec... checks) {
        try {
            var id = new RealServerId("192.0.2.10:80", InetAddress.getByName("192.0.2." + n), 80);
            return new CheckPlan.RealServerPlan(id, weight, List.of(checks), omega);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static CheckPlan plan(CheckPlan.RealServerPlan... servers) {
        return new CheckPlan(List.of(servers), List.of());
    }

    private void advance(int seconds) {
        timer.advance(Duration.ofSeconds(seconds));
    }

    private List<String> kinds() {
        return events.stream().map(e -> switch (e) {
            case CheckEvent.RealServerUp u -> "up@" + u.at().toEpochMilli() / 1000;
            case CheckEvent.RealServerDown d -> "down@" + d.at().toEpochMilli() / 1000;
            case CheckEvent.WeightChanged w -> "weight " + w.weight() + "@" + w.at().toEpochMilli() / 1000;
        }).toList();
    }

    @Test
    void anUpServerGoesDownAfterRetryPlusOneFailuresDelayBeforeRetryApartAndComesBackOnOneSuccess() {
        probe(1001).then(ProbeResult.up(), ProbeResult.up(), ProbeResult.down("connection refused"),
                ProbeResult.down("connection refused"), ProbeResult.down("connection refused"),
                ProbeResult.down("connection refused"), ProbeResult.down("connection refused"));
        try (var s = scheduler()) {
            s.apply(plan(server(2, 1, tcp(1001, timing(10, 3, 2, 0, false)))));
            advance(100);
            var p = probe(1001);
            // 0 up, 10 up, 20 fail, 22/24/26 retries (the 4th failure in a row takes it down),
            // then every delay_loop while down: 36 fails, 46 succeeds.
            assertThat(p.attemptsAt.subList(0, 8)).containsExactly(0L, 10_000L, 20_000L, 22_000L, 24_000L, 26_000L,
                    36_000L, 46_000L);
            assertThat(kinds()).containsExactly("up@0", "down@26", "up@46");
            var down = (CheckEvent.RealServerDown) events.get(1);
            assertThat(down.reason()).isEqualTo("TCP_CHECK 127.0.0.1:1001: connection refused");
        }
    }

    /// A real server whose plan is the same object as at the last apply (its block did not
    /// change) is left as it is: no new probe, its checker and health untouched. Another one in
    /// the same plan gets its probe made again for its changed plan.
    @Test
    void theSamePlanObjectIsLeftAsItIs() {
        var made = new ArrayList<CheckSpec>();
        var a = server(2, 1, tcp(1031, timing(10, 1, 1, 0, false)));
        var b = server(3, 1, tcp(1032, timing(10, 1, 1, 0, false)));
        try (var s = new CheckScheduler(events::add, timer.clock(), timer, new DirectExecutor(), spec -> {
            made.add(spec);
            return probes.computeIfAbsent(port(spec), p -> new Scripted());
        }, RandomGenerator.of("L64X128MixRandom"), 16)) {
            s.apply(plan(a, b));
            assertThat(made).hasSize(2);
            var changedB = server(3, 7, tcp(1032, timing(10, 1, 1, 0, false)));
            s.apply(plan(a, changedB));
            assertThat(made).as("a probe made again for the changed server only").hasSize(3);
            assertThat(made.getLast()).isEqualTo(changedB.checks().getFirst());
            advance(1);
            assertThat(probe(1031).attemptsAt).hasSize(1);
        }
    }

    @Test
    void aFailureBetweenSuccessesIsForgottenAfterOneSuccess() {
        probe(1002).then(ProbeResult.up(), ProbeResult.down("x"), ProbeResult.up(), ProbeResult.down("x"),
                ProbeResult.down("x"), ProbeResult.up());
        try (var s = scheduler()) {
            s.apply(plan(server(2, 1, tcp(1002, timing(10, 2, 1, 0, false)))));
            advance(60);
            assertThat(kinds()).containsExactly("up@0");
            assertThat(probe(1002).attemptsAt.subList(0, 7)).containsExactly(0L, 10_000L, 11_000L, 21_000L, 22_000L,
                    23_000L, 33_000L);
        }
    }

    @Test
    void atStartOneFailureIsEnough() {
        probe(1003).then(ProbeResult.down("status 503"));
        try (var s = scheduler()) {
            s.apply(plan(server(2, 1, tcp(1003, timing(6, 3, 3, 0, false)))));
            advance(1);
            assertThat(kinds()).containsExactly("up@0", "down@0");
            assertThat(probe(1003).attemptsAt).containsExactly(0L);
            advance(6);
            assertThat(kinds()).containsExactly("up@0", "down@0", "up@6");
        }
    }

    @Test
    void aRecoveredServerNoLongerCarriesItsLastFailureAsItsReason() {
        probe(1021).then(ProbeResult.down("no route to host"), ProbeResult.up());
        try (var s = scheduler()) {
            s.apply(plan(server(2, 1, tcp(1021, timing(6, 3, 3, 0, false)))));
            advance(1);
            assertThat(s.snapshot().getFirst().up()).isFalse();
            assertThat(s.snapshot().getFirst().reason()).endsWith("no route to host");
            advance(6);
            var status = s.snapshot().getFirst();
            assertThat(status.up()).isTrue();
            assertThat(status.reason()).isEmpty();
            // The checker itself still tells what its last failure was.
            assertThat(status.checkers().getFirst().lastReason()).isEqualTo("no route to host");
        }
    }

    @Test
    void alphaStartsDownAndComesUpOnTheFirstSuccess() {
        try (var s = scheduler()) {
            s.apply(plan(server(2, 1, tcp(1004, timing(5, 1, 1, 0, true)))));
            assertThat(s.snapshot().getFirst().up()).isFalse();
            assertThat(s.snapshot().getFirst().reason()).contains("alpha");
            advance(1);
            assertThat(kinds()).containsExactly("down@0", "up@0");
        }
    }

    @Test
    void httpWaitsTheLongerOfDelayBeforeRetryAndDelayLoopWhileDown() {
        var http = new CheckSpec.HttpGet(false,
                List.of(new CheckSpec.Url("/", List.of(CheckSpec.StatusRange.DEFAULT), null, null)), endpoint(1005),
                null, CheckSpec.HttpVersion.HTTP_1_0, false, null, timing(5, 0, 8, 0, false));
        probe(1005).otherwise = ProbeResult.down("status 503");
        try (var s = scheduler()) {
            s.apply(plan(server(2, 1, http)));
            advance(30);
            assertThat(probe(1005).attemptsAt).containsExactly(0L, 8_000L, 16_000L, 24_000L);
        }
    }

    @Test
    void warmupSpreadsTheFirstAttemptsOverTheDelayLoop() {
        var servers = new ArrayList<CheckPlan.RealServerPlan>();
        for (int i = 0; i < 1000; i++) {
            var id = new RealServerId("192.0.2.10:80", InetAddress.getLoopbackAddress(), 20_000 + i);
            servers.add(new CheckPlan.RealServerPlan(id, 1, List.of(tcp(20_000 + i, timing(10, 1, 1, 10, false))), false));
        }
        try (var s = scheduler()) {
            s.apply(new CheckPlan(servers, List.of()));
            advance(11);
            var firsts = new int[10];
            for (int i = 0; i < 1000; i++) {
                long first = probe(20_000 + i).attemptsAt.getFirst();
                assertThat(first).isBetween(0L, 10_000L);
                firsts[(int) Math.min(9, first / 1000)]++;
            }
            // 100 per second on average; a herd would put them all in one bucket.
            for (int bucket : firsts) {
                assertThat(bucket).isBetween(50, 150);
            }
        }
    }

    @Test
    void aServerIsUpOnlyWhenEveryCheckIsUpAndTheReasonNamesTheFailingOne() {
        probe(1006).then(ProbeResult.up(), ProbeResult.down("status 500"), ProbeResult.down("status 500"), ProbeResult.up());
        probe(1007).then(ProbeResult.up(), ProbeResult.up(), ProbeResult.down("connection refused"), ProbeResult.up());
        try (var s = scheduler()) {
            s.apply(plan(server(2, 1, tcp(1006, timing(10, 0, 1, 0, false)), tcp(1007, timing(10, 0, 1, 0, false)))));
            advance(5);
            assertThat(kinds()).containsExactly("up@0");
            advance(10); // 1006 fails at 10
            assertThat(kinds()).containsExactly("up@0", "down@10");
            assertThat(((CheckEvent.RealServerDown) events.getLast()).reason()).isEqualTo("TCP_CHECK 127.0.0.1:1006: status 500");
            advance(10); // 1007 fails too at 20: still down, no event
            assertThat(kinds()).containsExactly("up@0", "down@10");
            assertThat(s.snapshot().getFirst().checkers()).extracting(RealServerStatus.CheckerStatus::lastReason)
                    .containsExactly("status 500", "connection refused");
            advance(10); // 1006 recovers at 30 first, 1007 after it: up once both are
            assertThat(kinds()).containsExactly("up@0", "down@10", "up@30");
            var status = s.snapshot().getFirst();
            assertThat(status.up()).isTrue();
            assertThat(status.since().toEpochMilli()).isEqualTo(30_000L);
            assertThat(status.checkers()).extracting(RealServerStatus.CheckerStatus::attempts).containsExactly(4L, 4L);
        }
    }

    @Test
    void dynamicWeightChangesTheWeightAndAFailureOrPlainSuccessRestoresIt() {
        var misc = new CheckSpec.MiscCheck(List.of("/bin/check", "1008"), Duration.ofSeconds(2), true,
                timing(10, 0, 1, 0, false));
        probe(1008).then(new ProbeResult.DynamicWeight(7), new ProbeResult.DynamicWeight(7), ProbeResult.up(),
                new ProbeResult.DynamicWeight(3), ProbeResult.down("script exit 1"), ProbeResult.up());
        try (var s = scheduler()) {
            s.apply(plan(server(2, 5, misc)));
            advance(55);
            assertThat(kinds()).containsExactly("up@0", "weight 7@0", "weight 5@20", "weight 3@30", "down@40",
                    "weight 5@40", "up@50");
        }
    }

    @Test
    void aReloadKeepsTheStateOfUnchangedChecksAndStopsRemovedOnes() {
        probe(1009).then(ProbeResult.down("connection refused"));
        probe(1009).otherwise = ProbeResult.down("connection refused");
        try (var s = scheduler()) {
            s.apply(plan(server(2, 1, tcp(1009, timing(10, 1, 1, 0, false))), server(3, 1, tcp(1010, timing(10, 1, 1, 0, false)))));
            advance(5);
            assertThat(kinds()).containsExactly("up@0", "up@0", "down@0");
            var before = s.status(server(2, 1).id()).orElseThrow();
            // Same checks, other delay_loop, server 3 gone, server 4 new.
            s.apply(plan(server(2, 1, tcp(1009, timing(20, 1, 1, 0, false))), server(4, 1, tcp(1011, timing(10, 1, 1, 0, false)))));
            var after = s.status(server(2, 1).id()).orElseThrow();
            assertThat(after.up()).isFalse();
            assertThat(after.since()).isEqualTo(before.since());
            assertThat(kinds()).containsExactly("up@0", "up@0", "down@0", "up@5");
            int attemptsOf3 = probe(1010).attemptsAt.size();
            advance(60);
            assertThat(probe(1010).attemptsAt).hasSize(attemptsOf3);
            // The kept timer fires at 10, then the new delay_loop applies: 30, 50.
            assertThat(probe(1009).attemptsAt).containsExactly(0L, 10_000L, 30_000L, 50_000L);
            assertThat(s.snapshot()).extracting(st -> st.id().address().getHostAddress())
                    .containsExactly("192.0.2.2", "192.0.2.4");
        }
    }

    @Test
    void aReloadThatChangesTheWeightReportsIt() {
        try (var s = scheduler()) {
            s.apply(plan(server(2, 1, tcp(1012, timing(10, 1, 1, 0, false)))));
            s.apply(plan(server(2, 4, tcp(1012, timing(10, 1, 1, 0, false)))));
            assertThat(kinds()).containsExactly("up@0", "weight 4@0");
        }
    }

    @Test
    void omegaReportsUpServersDownWhenTheCheckerStops() {
        var s = scheduler();
        s.apply(plan(server(2, 1, true, tcp(1013, timing(10, 1, 1, 0, false))), server(3, 1, tcp(1014, timing(10, 1, 1, 0, false)))));
        s.close();
        assertThat(kinds()).containsExactly("up@0", "up@0", "down@0");
        assertThat(events.getLast().server().address().getHostAddress()).isEqualTo("192.0.2.2");
        assertThat(timer.pending()).isZero();
    }

    @Test
    void aRealServerListedTwiceIsCheckedOnce() {
        try (var s = scheduler()) {
            s.apply(plan(server(2, 1, tcp(1015, timing(10, 1, 1, 0, false))), server(2, 1, tcp(1016, timing(10, 1, 1, 0, false)))));
            advance(15);
            assertThat(s.snapshot()).hasSize(1);
            assertThat(probe(1015).attemptsAt).hasSize(2);
            assertThat(probe(1016).attemptsAt).isEmpty();
        }
    }

    @Test
    void aServerWithoutChecksIsAlwaysUp() {
        try (var s = scheduler()) {
            s.apply(plan(server(2, 3)));
            advance(100);
            assertThat(kinds()).containsExactly("up@0");
            assertThat(s.snapshot().getFirst().weight()).isEqualTo(3);
        }
    }
}
