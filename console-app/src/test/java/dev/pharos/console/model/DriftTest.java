package dev.pharos.console.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.api.AgentState;
import dev.pharos.agent.api.Hello;
import dev.pharos.console.connect.LinkState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/// The directors of a pair that disagree about a virtual server: every difference listed, compared
/// with the MASTER of the VIP's group.
class DriftTest {

    private static final Instant T = Instant.parse("2026-12-07T10:00:00Z");

    /// Virtual time: the model's clock and its delayed re-checks.
    private Instant now = T;
    private final java.util.List<Runnable> due = new java.util.ArrayList<>();

    private ClusterModel cluster() {
        return new ClusterModel("seed", Runnable::run, new java.time.Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public java.time.Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now;
            }
        }, (delay, task) -> due.add(task));
    }

    /// Lets `seconds` pass and runs the re-checks that were due.
    private void pass(long seconds) {
        now = now.plusSeconds(seconds);
        var tasks = java.util.List.copyOf(due);
        due.clear();
        tasks.forEach(Runnable::run);
    }

    @Test
    void everyDifferenceIsListedAgainstTheMaster() {
        var cluster = cluster();
        report(cluster, "lvs-master", "MASTER", 1000, "wrr", List.of(rs("198.51.100.11", 1), rs("198.51.100.12", 1)));
        report(cluster, "lvs-backup", "BACKUP", 2000, "rr", List.of(rs("198.51.100.11", 3), rs("198.51.100.13", 1)));
        assertThat(cluster.driftProperty().get()).as("not yet: an edit reaches directors one by one").isEmpty();
        pass(5);

        var drift = cluster.driftProperty().get().get("tcp/192.0.2.100:80");
        assertThat(drift.reference()).isEqualTo("lvs-master");
        assertThat(drift.differences()).containsExactly(
                "scheduler: wrr on lvs-master, rr on lvs-backup",
                "weight of 198.51.100.11:80: 1 on lvs-master, 3 on lvs-backup",
                "real server 198.51.100.12:80: only on lvs-master",
                "real server 198.51.100.13:80: only on lvs-backup",
                "advert_int of VRID 90: 1000 ms on lvs-master, 2000 ms on lvs-backup");
    }

    @Test
    void directorsThatAgreeShowNoDriftAndAnUnreachableOneIsNotCompared() {
        var cluster = cluster();
        report(cluster, "lvs-master", "MASTER", 1000, "wrr", List.of(rs("198.51.100.11", 1)));
        report(cluster, "lvs-backup", "BACKUP", 1000, "wrr", List.of(rs("198.51.100.11", 1)));
        assertThat(cluster.driftProperty().get()).isEmpty();

        report(cluster, "lvs-backup", "BACKUP", 1000, "rr", List.of(rs("198.51.100.11", 1)));
        pass(2);
        assertThat(cluster.driftProperty().get()).as("2 s: an edit may still be on its way").isEmpty();
        pass(3);
        assertThat(cluster.driftProperty().get()).containsKey("tcp/192.0.2.100:80");
        cluster.listenerFor("lvs-backup").linkState(new LinkState.Retrying(T, "lost", java.time.Duration.ZERO, 0));
        assertThat(cluster.driftProperty().get()).as("a director not connected is history, not drift").isEmpty();
    }

    private static AgentState.RealServer rs(String address, int weight) {
        return new AgentState.RealServer(address + ":80", address, 80, weight, weight, "up", null, null, List.of(),
                AgentState.Traffic.NONE);
    }

    private static void report(ClusterModel cluster, String director, String state, long advertMillis, String scheduler,
            List<AgentState.RealServer> servers) {
        var listener = cluster.listenerFor(director);
        listener.agentState(new AgentState("r", director, T, 0, new AgentState.Balancer("none", "test"),
                List.of(new AgentState.VrrpInstance("VI_1", 90, "eth0", 2, state, 100, 100, null,
                        List.of("192.0.2.100/32"), advertMillis, T, 1, List.of(), Map.of())),
                List.of(new AgentState.VirtualServer("tcp/192.0.2.100:80", "TCP", "192.0.2.100", 80, null, null, scheduler,
                        "DR", "kernel", "", 0, 1, true, null, servers))));
        listener.linkState(new LinkState.Connected(T, new Hello(1, "test", director,
                new Hello.Capabilities("none", List.of(2), List.of(), List.of()))));
    }
}
