package dev.pharos.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pharos.agent.api.AgentState;
import dev.pharos.agent.api.Protocol;
import dev.pharos.agent.control.ControlClient;
import dev.pharos.testing.ConnectionHolder;
import dev.pharos.testing.Netns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/// Issue 13's flood, scaled down: an agent whose descriptor limit is 1,024 serves a user-space
/// virtual server, and a client opens 600 idle connections — 1,200 descriptors in the agent without
/// a cap. With the default cap the balancer takes (1,024 − 256) / 2 = 384 and resets the rest at
/// once, logs it in one line, and the agent still answers a new control connection and still runs
/// its checks (a real server that comes up meanwhile is seen up). Once the client lets go, new
/// connections are taken again.
@Timeout(180)
class BalancerCapTest {

    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final Duration CALL = Duration.ofSeconds(20);
    private static final Pattern HOLDER = Pattern.compile("alive (\\d+) refused (\\d+)");
    /// [dev.pharos.agent.ipvs.proxy.ConnectionBudget] of a 1,024 limit: a reserve of 256, two descriptors
    /// per connection.
    private static final int EXPECTED_CAP = (1024 - 256) / 2;
    private static final int CLIENTS = 600;

    @TempDir
    Path dir;

    static final String CONFIG = """
            virtual_server 192.0.2.1 80 {
                delay_loop 1
                lb_algo rr
                lb_kind NAT
                protocol TCP
                real_server 192.0.2.11 80 {
                    weight 1
                    TCP_CHECK {
                        connect_timeout 1
                    }
                }
                real_server 192.0.2.12 80 {
                    weight 1
                    TCP_CHECK {
                        connect_timeout 1
                    }
                }
            }
            """;

    @Test
    void aFloodOfIdleClientsMeetsTheCapAndTheAgentKeepsCheckingAndAnswering() throws Exception {
        assumeTrue(Netns.available());
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/prlimit")), "prlimit (util-linux) is installed");
        try (var net = Netns.create()) {
            var lb = net.host("lb", "192.0.2.1/24");
            var rs1 = net.host("r1", "192.0.2.11/24");
            var rs2 = net.host("r2", "192.0.2.12/24");
            var client = net.host("cl", "192.0.2.2/24");
            var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            var cp = System.getProperty("java.class.path");
            var rs1Log = dir.resolve("rs1.out");
            rs1.start(rs1Log, java, "-Xmx64m", "-cp", cp, ConnectionHolder.class.getName(), "serve", "192.0.2.11", "80");
            assertThat(Netns.await(DEADLINE, () -> read(rs1Log).contains("serving"))).isTrue();

            // The agent as PharosAgent starts it, under prlimit (which execs it: the PID is the JVM's).
            Files.writeString(dir.resolve("a.conf"), CONFIG);
            var agentLog = dir.resolve("a.log");
            var socket = dir.resolve("a.sock");
            var agentProcess = lb.start(agentLog, "prlimit", "--nofile=1024:1024", "--", java,
                    "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-Xmx128m", "-cp", cp,
                    "dev.pharos.agent.cli.Main", "run", "-f", dir.resolve("a.conf").toString(),
                    "--control-socket", socket.toString(), "--state-dir", dir.resolve("a.state").toString());
            try {
                assertThat(Netns.await(DEADLINE, () -> Files.exists(socket))).as(read(agentLog)).isTrue();
                try (var c = ControlClient.connect(socket)) {
                    assertThat(Netns.await(DEADLINE, () -> health(state(c), 0).equals("up")
                            && health(state(c), 1).equals("down"))).as(read(agentLog)).isTrue();
                }

                var floodLog = dir.resolve("flood.out");
                var flood = client.start(floodLog, java, "-Xmx64m", "-cp", cp, ConnectionHolder.class.getName(),
                        "hold", "192.0.2.1", "80", Integer.toString(CLIENTS));
                assertThat(Netns.await(Duration.ofSeconds(60), () -> last(floodLog) != null
                        && alive(last(floodLog)) + refused(last(floodLog)) == CLIENTS
                        && alive(last(floodLog)) == EXPECTED_CAP))
                        .as("the client holds %d and was refused the rest: %s%n%s", EXPECTED_CAP, lastLine(floodLog),
                                read(agentLog)).isTrue();
                // One line at the first refusal (how many it counts depends on how fast the client
                // is), then at most one per 10 s however many are refused.
                var capLine = Pattern.compile("virtual server TCP 192\\.0\\.2\\.1:80 reached its cap of " + EXPECTED_CAP
                        + " connections; refusing new ones \\(\\d+ refused in the last 10 s\\)");
                assertThat(Netns.await(DEADLINE, () -> capLine.matcher(read(agentLog)).find())).as(read(agentLog)).isTrue();
                long started = System.nanoTime();

                // While the cap is full: a new control connection is answered, and the checks run —
                // the second real server comes up and is seen up.
                try (var c = ControlClient.connect(socket)) {
                    var s = state(c);
                    assertThat(s.virtualServers().getFirst().realServers().getFirst().traffic().activeConnections()
                            + s.virtualServers().getFirst().realServers().getFirst().traffic().inactiveConnections())
                            .isEqualTo(EXPECTED_CAP);
                    long lines = capLine.matcher(read(agentLog)).results().count();
                    long tens = 1 + Duration.ofNanos(System.nanoTime() - started).toSeconds() / 10;
                    assertThat(lines).as("cap lines, at most one per 10 s").isLessThanOrEqualTo(tens + 1);
                    // state.get says the cap and how many it refused.
                    assertThat(s.virtualServers().getFirst().connectionCap()).isEqualTo(EXPECTED_CAP);
                    assertThat(s.virtualServers().getFirst().refusedConnections()).isEqualTo((long) (CLIENTS - EXPECTED_CAP));
                    var rs2Log = dir.resolve("rs2.out");
                    rs2.start(rs2Log, java, "-Xmx64m", "-cp", cp, ConnectionHolder.class.getName(), "serve",
                            "192.0.2.12", "80");
                    assertThat(Netns.await(DEADLINE, () -> health(state(c), 1).equals("up")))
                            .as("the check of a real server that came up during the flood%n%s", read(agentLog)).isTrue();
                }
                assertThat(read(agentLog)).doesNotContain("Too many open files");
                // One line per 10 s at most: the first refusal's, then the rest of the window's.
                assertThat(count(read(agentLog), "reached its cap of")).isBetween(1, 2);

                Netns.stop(flood, Duration.ofSeconds(5));
                try (var c = ControlClient.connect(socket)) {
                    assertThat(Netns.await(DEADLINE, () -> {
                        var t = state(c).virtualServers().getFirst().realServers().getFirst().traffic();
                        return t.activeConnections() + t.inactiveConnections() == 0;
                    })).as("the flood's connections released").isTrue();
                }
                var againLog = dir.resolve("again.out");
                client.start(againLog, java, "-Xmx64m", "-cp", cp, ConnectionHolder.class.getName(),
                        "hold", "192.0.2.1", "80", "20");
                assertThat(Netns.await(DEADLINE, () -> "alive 20 refused 0".equals(lastLine(againLog))))
                        .as("connections are taken again: %s", lastLine(againLog)).isTrue();
                assertThat(agentProcess.isAlive()).as(read(agentLog)).isTrue();
            } finally {
                Netns.stop(agentProcess, Duration.ofSeconds(15));
            }
        }
    }

    private static AgentState state(ControlClient c) {
        try {
            return c.call(Protocol.STATE_GET, null, AgentState.class, CALL);
        } catch (Exception e) {
            throw new IllegalStateException("state.get failed: " + e.getMessage(), e);
        }
    }

    private static String health(AgentState s, int realServer) {
        return s.virtualServers().getFirst().realServers().get(realServer).health();
    }

    private static String lastLine(Path log) {
        var lines = read(log).lines().toList();
        return lines.isEmpty() ? null : lines.getLast();
    }

    private static Matcher last(Path log) {
        var line = lastLine(log);
        if (line == null) {
            return null;
        }
        var m = HOLDER.matcher(line);
        return m.matches() ? m : null;
    }

    private static int alive(Matcher m) {
        return m == null ? -1 : Integer.parseInt(m.group(1));
    }

    private static int refused(Matcher m) {
        return m == null ? -1 : Integer.parseInt(m.group(2));
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
