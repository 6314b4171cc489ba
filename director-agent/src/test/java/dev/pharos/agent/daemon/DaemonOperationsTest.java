package dev.pharos.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pharos.agent.api.AgentEvent;
import dev.pharos.agent.api.AgentState;
import dev.pharos.agent.api.Params;
import dev.pharos.agent.api.Protocol;
import dev.pharos.agent.api.Results;
import dev.pharos.agent.control.ControlClient;
import dev.pharos.agent.linux.UnixDatagram;
import dev.pharos.testing.Netns;
import dev.pharos.testing.PharosAgent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// The agent as a service: edits survive a restart, systemd's notify protocol is spoken, a second
/// agent on the same socket is refused.
class DaemonOperationsTest {

    static final Duration CALL = Duration.ofSeconds(20);

    @Test
    void editsSurviveARestart(@TempDir Path dir) throws Exception {
        assumeTrue(Netns.available(), "needs root and network namespaces");
        try (var net = Netns.create()) {
            var a = net.host("a", "192.0.2.1/24");
            String revision;
            try (var agent = PharosAgent.start(a, dir, "a", ControlChannelTest.CONFIG)) {
                assertThat(Netns.await(Duration.ofSeconds(30), () -> Files.exists(agent.socket()))).isTrue();
                try (var c = ControlClient.connect(agent.socket())) {
                    var base = c.call(Protocol.STATE_GET, null, AgentState.class, CALL).revision();
                    var r = c.call(Protocol.REAL_SERVER_UPDATE, new Params.RealServerUpdate(base, "tcp/192.0.2.100:80",
                            "198.51.100.11:80", 4, null), Results.Applied.class, CALL);
                    revision = c.call(Protocol.REAL_SERVER_ADD, new Params.RealServerAdd(r.revision(),
                            "tcp/192.0.2.100:443", "198.51.100.20", 443, 2, false), Results.Applied.class, CALL)
                            .revision();
                }
                assertThat(agent.stop()).isZero();
                assertThat(Files.exists(agent.socket())).as("the socket is removed on exit").isFalse();
            }
            try (var again = PharosAgent.restart(a, dir, "a")) {
                assertThat(Netns.await(Duration.ofSeconds(30), () -> Files.exists(again.socket())))
                        .as(again.log()).isTrue();
                try (var c = ControlClient.connect(again.socket())) {
                    var s = c.call(Protocol.STATE_GET, null, AgentState.class, CALL);
                    assertThat(s.revision()).isEqualTo(revision);
                    var rs = s.virtualServers().stream().flatMap(v -> v.realServers().stream()
                            .map(r -> v.id() + " " + r.id() + " " + r.weight())).toList();
                    assertThat(rs).contains("tcp/192.0.2.100:80 198.51.100.11:80 4", "tcp/192.0.2.100:443 198.51.100.20:443 2");
                }
            }
        }
    }

    /// A graceful stop tells subscribed clients so before the connection closes: a console then
    /// shows the director as stopped on purpose, not as a link that failed.
    @Test
    void aGracefulStopIsAnnouncedToSubscribers(@TempDir Path dir) throws Exception {
        assumeTrue(Netns.available(), "needs root and network namespaces");
        try (var net = Netns.create()) {
            var a = net.host("a", "192.0.2.1/24");
            try (var agent = PharosAgent.start(a, dir, "a", ControlChannelTest.CONFIG)) {
                assertThat(Netns.await(Duration.ofSeconds(30), () -> Files.exists(agent.socket()))).isTrue();
                var events = new java.util.concurrent.CopyOnWriteArrayList<AgentEvent>();
                try (var c = ControlClient.connect(agent.socket())) {
                    c.onEvent(events::add);
                    var state = c.call(Protocol.STATE_GET, null, AgentState.class, CALL);
                    c.call(Protocol.EVENTS_SUBSCRIBE, new Params.Subscribe(state.lastSequence()), CALL);
                    assertThat(agent.stop()).isZero();
                    assertThat(Netns.await(Duration.ofSeconds(10), () -> events.stream()
                            .anyMatch(AgentEvent.Stopping.class::isInstance))).as("events %s%n%s", events, agent.log())
                            .isTrue();
                }
            }
        }
    }

    @Test
    void aSecondAgentOnTheSameSocketIsRefused(@TempDir Path dir) throws Exception {
        assumeTrue(Netns.available(), "needs root and network namespaces");
        try (var net = Netns.create()) {
            var a = net.host("a", "192.0.2.1/24");
            var b = net.host("b", "192.0.2.2/24");
            try (var first = PharosAgent.start(a, dir, "a", ControlChannelTest.CONFIG)) {
                assertThat(Netns.await(Duration.ofSeconds(30), () -> Files.exists(first.socket()))).isTrue();
                var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
                var r = b.exec(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                        "dev.pharos.agent.cli.Main", "run", "-f", first.configFile().toString(), "--control-socket",
                        first.socket().toString(), "--state-dir", dir.resolve("b.state").toString());
                assertThat(r.exitCode()).as(r.output()).isEqualTo(1);
                assertThat(r.output()).contains("another agent is already listening on " + first.socket());
                assertThat(first.alive()).isTrue();
            }
        }
    }

    @Test
    void speaksSystemdsNotifyProtocol(@TempDir Path dir) throws Exception {
        assumeTrue(Netns.available(), "needs root and network namespaces");
        var notify = dir.resolve("notify.sock").toString();
        try (var net = Netns.create(); var systemd = UnixDatagram.bind(notify)) {
            var a = net.host("a", "192.0.2.1/24");
            var conf = dir.resolve("a.conf");
            Files.writeString(conf, ControlChannelTest.CONFIG);
            var log = dir.resolve("a.log");
            var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            var p = a.start(log, "/usr/bin/env", "NOTIFY_SOCKET=" + notify, "WATCHDOG_USEC=1000000", java,
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    "dev.pharos.agent.cli.Main", "run", "-f", conf.toString(), "--control-socket",
                    dir.resolve("a.sock").toString(), "--state-dir", dir.resolve("state").toString());
            try {
                var seen = new ArrayList<String>();
                assertThat(receiveUntil(systemd, seen, m -> m.contains("READY=1"))).as("%s%n%s", seen,
                        readLog(log)).isTrue();
                assertThat(seen.stream().filter(m -> m.contains("READY=1")).findFirst().orElseThrow())
                        .contains("MAINPID=").contains("STATUS=1 VRRP instance(s)");
                seen.clear();
                assertThat(receiveUntil(systemd, seen, m -> m.equals("WATCHDOG=1"))).as("%s", seen).isTrue();
                assertThat(receiveUntil(systemd, seen, m -> m.equals("WATCHDOG=1"))).as("pings repeat").isTrue();

                Netns.run("kill", "-HUP", Long.toString(p.pid()));
                seen.clear();
                assertThat(receiveUntil(systemd, seen, m -> m.startsWith("RELOADING=1"))).as("%s", seen).isTrue();
                assertThat(receiveUntil(systemd, seen, m -> m.contains("READY=1"))).as("%s", seen).isTrue();

                Netns.run("kill", "-TERM", Long.toString(p.pid()));
                seen.clear();
                assertThat(receiveUntil(systemd, seen, m -> m.startsWith("STOPPING=1"))).as("%s", seen).isTrue();
                assertThat(Netns.await(Duration.ofSeconds(20), () -> !p.isAlive())).isTrue();
                assertThat(p.exitValue()).isZero();
            } finally {
                Netns.stop(p, Duration.ofSeconds(10));
            }
        }
    }

    private static String readLog(Path log) {
        try {
            return Files.readString(log);
        } catch (java.io.IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static boolean receiveUntil(UnixDatagram s, List<String> seen, java.util.function.Predicate<String> want)
            throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < end) {
            var m = s.receive(Duration.ofSeconds(1));
            if (m.isPresent()) {
                seen.add(m.get());
                if (want.test(m.get())) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void servesPrometheusMetricsOnLoopbackWhenAsked(@TempDir Path dir) throws Exception {
        assumeTrue(Netns.available(), "needs root and network namespaces");
        try (var net = Netns.create()) {
            var a = net.host("a", "192.0.2.1/24");
            a.exec("ip", "link", "set", "lo", "up");
            var conf = dir.resolve("a.conf");
            Files.writeString(conf, ControlChannelTest.CONFIG);
            var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            var p = a.start(dir.resolve("a.log"), java, "--enable-native-access=ALL-UNNAMED", "-cp",
                    System.getProperty("java.class.path"), "dev.pharos.agent.cli.Main", "run", "-f", conf.toString(),
                    "--control-socket", dir.resolve("a.sock").toString(), "--state-dir", dir.resolve("state").toString(),
                    "--metrics", "127.0.0.1:9650");
            try {
                var scrape = new String[1];
                assertThat(Netns.await(Duration.ofSeconds(30), () -> {
                    var r = a.exec("/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9650 && "
                            + "printf 'GET /metrics HTTP/1.0\\r\\n\\r\\n' >&3 && cat <&3");
                    scrape[0] = r.output();
                    return r.output().contains("pharos_vrrp_state{instance=\"VI_1\",vrid=\"61\"} 2");
                })).as("%s%n%s", scrape[0], readLog(dir.resolve("a.log"))).isTrue();
                assertThat(scrape[0]).contains("HTTP/1.1 200").contains("# TYPE pharos_vrrp_transitions_total counter")
                        .contains("pharos_real_server_weight{virtual_server=\"tcp/192.0.2.100:80\",real_server=\"198.51.100.11:80\"}");
            } finally {
                Netns.stop(p, Duration.ofSeconds(10));
            }
            var refused = a.exec(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    "dev.pharos.agent.cli.Main", "run", "-f", conf.toString(), "--control-socket",
                    dir.resolve("b.sock").toString(), "--state-dir", dir.resolve("state").toString(),
                    "--metrics", "192.0.2.1:9650");
            assertThat(refused.exitCode()).isEqualTo(1);
            assertThat(refused.output()).contains("is not a loopback address");
        }
    }

    @Test
    void abstractNotifySocketsWork() throws Exception {
        assumeTrue(Netns.available(), "needs Linux");
        var name = "@pharos-test-" + ProcessHandle.current().pid();
        try (var systemd = UnixDatagram.bind(name);
                var notifier = SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", name))) {
            notifier.status("hello");
            assertThat(systemd.receive(Duration.ofSeconds(10))).contains("STATUS=hello");
        }
        try (var none = SystemdNotifier.fromEnvironment(Map.of())) {
            none.ready("ignored"); // not under systemd: nothing happens, nothing fails
            assertThat(none.watchdogInterval()).isEmpty();
        }
    }
}
