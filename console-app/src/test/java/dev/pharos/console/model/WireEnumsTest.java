package dev.pharos.console.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.api.AgentEvent;
import dev.pharos.agent.api.AgentState;
import dev.pharos.agent.api.Hello;
import dev.pharos.console.connect.LinkState;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/// The agent writes states and health as words; the console's model holds them as enums, so a
/// view compares them by value and a misspelt comparison does not compile.
class WireEnumsTest {

    private static final Instant T = Instant.parse("2026-12-07T10:00:00Z");

    @Test
    void vrrpStatesAsTheAgentWritesThem() {
        assertThat(VrrpState.fromWire("MASTER")).isEqualTo(VrrpState.MASTER);
        assertThat(VrrpState.fromWire("BACKUP")).isEqualTo(VrrpState.BACKUP);
        assertThat(VrrpState.fromWire("FAULT")).isEqualTo(VrrpState.FAULT);
        assertThat(VrrpState.fromWire("STOPPED")).isEqualTo(VrrpState.STOPPED);
        // state.get says INIT, a vrrp.transition event says INITIALIZE: the same state
        assertThat(VrrpState.fromWire("INIT")).isEqualTo(VrrpState.INIT);
        assertThat(VrrpState.fromWire("INITIALIZE")).isEqualTo(VrrpState.INIT);
        assertThat(VrrpState.fromWire("BOGUS")).isEqualTo(VrrpState.UNKNOWN);
        assertThat(VrrpState.fromWire(null)).isEqualTo(VrrpState.UNKNOWN);
        assertThat(VrrpState.MASTER.styleName()).isEqualTo("master");
    }

    @Test
    void healthAsTheAgentWritesIt() {
        assertThat(Health.fromWire("up")).isEqualTo(Health.UP);
        assertThat(Health.fromWire("down")).isEqualTo(Health.DOWN);
        assertThat(Health.fromWire("unchecked")).isEqualTo(Health.UNCHECKED);
        assertThat(Health.fromWire("sideways")).isEqualTo(Health.UNKNOWN);
        assertThat(Health.fromWire(null)).isEqualTo(Health.UNKNOWN);
        assertThat(Health.DOWN).hasToString("down");
        assertThat(Health.UNCHECKED.serves()).isTrue();
        assertThat(Health.DOWN.serves()).isFalse();
    }

    @Test
    void theModelFollowsStatesTransitionsAndHealthEvents() {
        var cluster = new ClusterModel("seed", Runnable::run, Clock.fixed(T, ZoneOffset.UTC), (delay, task) -> { });
        var listener = cluster.listenerFor("lvs-master");
        var rs = new AgentState.RealServer("192.0.2.11:80", "192.0.2.11", 80, 1, 1, "up", null, null, List.of(),
                AgentState.Traffic.NONE);
        listener.agentState(new AgentState("r", "lvs-master", T, 0, new AgentState.Balancer("none", "test"),
                List.of(new AgentState.VrrpInstance("VI_1", 90, "eth0", 2, "INIT", 100, 100, null,
                        List.of("192.0.2.100/32"), 1000, T, 1, List.of(), Map.of())),
                List.of(new AgentState.VirtualServer("tcp/192.0.2.100:80", "TCP", "192.0.2.100", 80, null, null, "wrr",
                        "DR", "kernel", "", 0, 1, true, null, List.of(rs)))));
        listener.linkState(new LinkState.Connected(T, new Hello(1, "test", "lvs-master",
                new Hello.Capabilities("none", List.of(2), List.of(), List.of()))));
        var d = cluster.director("lvs-master").orElseThrow();
        var instance = d.instances().getFirst();
        var server = d.virtualServers().getFirst().realServers().getFirst();
        assertThat(instance.stateProperty().get()).isEqualTo(VrrpState.INIT);
        assertThat(server.healthProperty().get()).isEqualTo(Health.UP);

        listener.event(new AgentEvent.VrrpTransition(1, T.plusSeconds(1), "VI_1", 90, "INITIALIZE", "MASTER",
                "priority 255", 100));
        listener.event(new AgentEvent.HealthChanged(2, T.plusSeconds(2), "tcp/192.0.2.100:80", "192.0.2.11:80", "down",
                "TCP_CHECK: connection refused", 0));
        assertThat(instance.stateProperty().get()).isEqualTo(VrrpState.MASTER);
        assertThat(server.healthProperty().get()).isEqualTo(Health.DOWN);
        assertThat(server.healthReasonProperty().get()).isEqualTo("TCP_CHECK: connection refused");
        assertThat(server.effectiveWeightProperty().get()).isZero();
    }
}
