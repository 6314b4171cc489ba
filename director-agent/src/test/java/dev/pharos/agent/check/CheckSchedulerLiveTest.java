package dev.pharos.agent.check;

import static dev.pharos.agent.check.TestHttpServer.answer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.testing.Netns;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// The scheduler with real probes, timers and threads against loopback peers: a failing server
/// goes down after exactly `retry + 1` requests and comes back; several checkers on one server;
/// dynamic weight; DNS.
class CheckSchedulerLiveTest {

    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final List<CheckEvent> events = new CopyOnWriteArrayList<>();

    static CheckSpec.Timing fast(int retry) {
        return new CheckSpec.Timing(Duration.ofMillis(200), retry, Duration.ofMillis(100), Duration.ZERO, false);
    }

    private boolean has(Class<? extends CheckEvent> kind, int count) {
        return events.stream().filter(kind::isInstance).count() >= count;
    }

    private static CheckPlan.RealServerPlan server(int weight, CheckSpec... checks) throws Exception {
        return new CheckPlan.RealServerPlan(new RealServerId("192.0.2.10:80", InetAddress.getByName("192.0.2.2"), 80),
                weight, List.of(checks), false);
    }

    @Test
    void aServerAnswering503GoesDownAfterExactlyRetryPlusOneRequestsAndComesBack() throws Exception {
        try (var http = new TestHttpServer(answer(200, "ok"))) {
            var requestsAtDown = new AtomicInteger(-1);
            var spec = new CheckSpec.HttpGet(false, List.of(HttpProbeTest.url("/")),
                    new CheckSpec.Endpoint(http.address(), null, 0, Duration.ofSeconds(2)), null,
                    CheckSpec.HttpVersion.HTTP_1_0, false, null, fast(2));
            try (var scheduler = new CheckScheduler(e -> {
                if (e instanceof CheckEvent.RealServerDown) {
                    requestsAtDown.compareAndSet(-1, http.requests());
                }
                events.add(e);
            })) {
                scheduler.apply(new CheckPlan(List.of(server(1, spec)), List.of()));
                assertThat(Netns.await(DEADLINE, () -> http.requests() >= 2)).isTrue();
                int failFrom = http.requests() + 1;
                http.behave(TestHttpServer.switchAt(failFrom, answer(200, "ok"), answer(503, "busy")));
                assertThat(Netns.await(DEADLINE, () -> has(CheckEvent.RealServerDown.class, 1))).isTrue();
                assertThat(requestsAtDown.get() - failFrom + 1).as("failed requests before down").isEqualTo(3);
                var down = events.stream().filter(CheckEvent.RealServerDown.class::isInstance).findFirst().orElseThrow();
                assertThat(((CheckEvent.RealServerDown) down).reason()).isEqualTo("HTTP_GET 127.0.0.1:" + http.port() + ": status 503");

                int okFrom = http.requests() + 1;
                http.behave(TestHttpServer.switchAt(okFrom, answer(503, "busy"), answer(200, "ok")));
                assertThat(Netns.await(DEADLINE, () -> has(CheckEvent.RealServerUp.class, 2))).isTrue();
                assertThat(scheduler.snapshot().getFirst().up()).isTrue();
            }
        }
        assertThat(events.getFirst()).isInstanceOf(CheckEvent.RealServerUp.class);
    }

    @Test
    void severalCheckersOnOneServerMustAllPass() throws Exception {
        var flag = dir.resolve("fail");
        var script = dir.resolve("check.sh");
        Files.writeString(script, "#!/bin/sh\n[ ! -e " + flag + " ]\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        try (var http = new TestHttpServer(answer(200, "ok"))) {
            var get = new CheckSpec.HttpGet(false, List.of(HttpProbeTest.url("/")),
                    new CheckSpec.Endpoint(http.address(), null, 0, Duration.ofSeconds(2)), null,
                    CheckSpec.HttpVersion.HTTP_1_0, false, null, fast(0));
            var tcp = new CheckSpec.TcpCheck(new CheckSpec.Endpoint(http.address(), null, 0, Duration.ofSeconds(2)), fast(0));
            var misc = new CheckSpec.MiscCheck(List.of(script.toString()), Duration.ofSeconds(5), false, fast(0));
            try (var scheduler = new CheckScheduler(events::add)) {
                scheduler.apply(new CheckPlan(List.of(server(1, get, tcp, misc)), List.of()));
                assertThat(Netns.await(DEADLINE, () -> scheduler.snapshot().getFirst().checkers().stream()
                        .allMatch(c -> c.attempts() >= 2))).isTrue();
                assertThat(events).hasSize(1).first().isInstanceOf(CheckEvent.RealServerUp.class);
                Files.createFile(flag);
                assertThat(Netns.await(DEADLINE, () -> has(CheckEvent.RealServerDown.class, 1))).isTrue();
                assertThat(((CheckEvent.RealServerDown) events.get(1)).reason())
                        .isEqualTo("MISC_CHECK " + script + ": script exit 1");
                var status = scheduler.snapshot().getFirst();
                assertThat(status.checkers()).extracting(RealServerStatus.CheckerStatus::up).containsExactly(true, true, false);
                Files.delete(flag);
                assertThat(Netns.await(DEADLINE, () -> has(CheckEvent.RealServerUp.class, 2))).isTrue();
            }
        }
    }

    @Test
    void miscDynamicSetsTheWeight() throws Exception {
        var code = dir.resolve("code");
        Files.writeString(code, "12");
        var script = dir.resolve("weight.sh");
        Files.writeString(script, "#!/bin/sh\nexit $(cat " + code + ")\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        var misc = new CheckSpec.MiscCheck(List.of(script.toString()), Duration.ofSeconds(5), true, fast(0));
        try (var scheduler = new CheckScheduler(events::add)) {
            scheduler.apply(new CheckPlan(List.of(server(3, misc)), List.of()));
            assertThat(Netns.await(DEADLINE, () -> events.stream().anyMatch(e ->
                    e instanceof CheckEvent.WeightChanged w && w.weight() == 10))).isTrue();
            assertThat(scheduler.snapshot().getFirst().weight()).isEqualTo(10);
            Files.writeString(code, "0");
            assertThat(Netns.await(DEADLINE, () -> scheduler.snapshot().getFirst().weight() == 3)).isTrue();
            assertThat(events.getLast()).isInstanceOf(CheckEvent.WeightChanged.class);
        }
    }

    @Test
    void dnsGoesDownAfterRetryPlusOneServfailsAndComesBack() throws Exception {
        var failFrom = new AtomicInteger(Integer.MAX_VALUE);
        var servedAtDown = new AtomicInteger(-1);
        try (var dns = new TestDnsServer(null)) {
            dns.answer(query -> List.of(TestDnsServer.reply(query, dns.queries().size() >= failFrom.get() ? 2 : 0)));
            var spec = new CheckSpec.DnsCheck(CheckSpec.DnsType.A, "example.org",
                    new CheckSpec.Endpoint(dns.address(), null, 0, Duration.ofSeconds(2)), fast(3));
            try (var scheduler = new CheckScheduler(e -> {
                if (e instanceof CheckEvent.RealServerDown) {
                    servedAtDown.compareAndSet(-1, dns.queries().size());
                }
                events.add(e);
            })) {
                scheduler.apply(new CheckPlan(List.of(server(1, spec)), List.of()));
                assertThat(Netns.await(DEADLINE, () -> dns.queries().size() >= 2)).isTrue();
                int from = dns.queries().size() + 1;
                failFrom.set(from);
                assertThat(Netns.await(DEADLINE, () -> has(CheckEvent.RealServerDown.class, 1))).isTrue();
                assertThat(servedAtDown.get() - from + 1).as("SERVFAIL replies before down").isEqualTo(4);
                assertThat(((CheckEvent.RealServerDown) events.get(1)).reason()).endsWith(": DNS rcode SERVFAIL");
                failFrom.set(Integer.MAX_VALUE);
                assertThat(Netns.await(DEADLINE, () -> has(CheckEvent.RealServerUp.class, 2))).isTrue();
            }
        }
    }

    @Test
    void anAttemptThatOverrunsItsDeadlineIsAbandonedAndCountsAsAFailure() throws Exception {
        var stuck = new java.util.concurrent.CountDownLatch(1);
        Probe hanging = () -> {
            try {
                stuck.await(); // a probe that ignores its own deadline; only an interrupt ends it
                return ProbeResult.up();
            } catch (InterruptedException e) {
                return ProbeResult.up(); // whatever it says after the watchdog fired is discarded
            }
        };
        var spec = new CheckSpec.TcpCheck(new CheckSpec.Endpoint(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 9),
                null, 0, Duration.ofMillis(100)), fast(0));
        try (var scheduler = new CheckScheduler(events::add, java.time.Clock.systemUTC(), CheckTimer.system(),
                java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor(), s -> hanging,
                java.util.random.RandomGenerator.getDefault(), 4)) {
            scheduler.apply(new CheckPlan(List.of(server(1, spec)), List.of()));
            assertThat(Netns.await(DEADLINE, () -> has(CheckEvent.RealServerDown.class, 1))).isTrue();
            assertThat(((CheckEvent.RealServerDown) events.get(1)).reason())
                    .isEqualTo("TCP_CHECK 127.0.0.1:9: no result within 1.1s; attempt abandoned");
        } finally {
            stuck.countDown();
        }
    }

    @Test
    void aMiscCheckGoesDownAfterExactlyRetryPlusOneFailedRuns() throws Exception {
        var runs = dir.resolve("runs");
        var failFrom = dir.resolve("fail-from");
        Files.writeString(failFrom, "1000000");
        var script = dir.resolve("count.sh");
        // Each run appends a line and fails from run number fail-from on: no run straddles a switch.
        Files.writeString(script, "#!/bin/sh\necho x >> " + runs + "\n[ $(wc -l < " + runs + ") -lt $(cat " + failFrom + ") ]\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        var runsAtDown = new AtomicInteger(-1);
        var misc = new CheckSpec.MiscCheck(List.of(script.toString()), Duration.ofSeconds(5), false, fast(2));
        try (var scheduler = new CheckScheduler(e -> {
            if (e instanceof CheckEvent.RealServerDown) {
                runsAtDown.compareAndSet(-1, lines(runs));
            }
            events.add(e);
        })) {
            scheduler.apply(new CheckPlan(List.of(server(1, misc)), List.of()));
            assertThat(Netns.await(DEADLINE, () -> lines(runs) >= 2)).isTrue();
            int from = lines(runs) + 2;
            Files.writeString(failFrom, Integer.toString(from));
            assertThat(Netns.await(DEADLINE, () -> has(CheckEvent.RealServerDown.class, 1))).isTrue();
            assertThat(runsAtDown.get() - from + 1).as("failed runs before down").isEqualTo(3);
            Files.writeString(failFrom, "1000000");
            assertThat(Netns.await(DEADLINE, () -> has(CheckEvent.RealServerUp.class, 2))).isTrue();
        }
    }

    private static int lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file).size() : 0;
        } catch (java.io.IOException e) {
            return 0;
        }
    }
}
