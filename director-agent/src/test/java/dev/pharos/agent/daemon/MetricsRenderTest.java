package dev.pharos.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.api.AgentState;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/// The exposition text of the user-space balancer's cap and refusals: a line where the backend
/// reports them, none (rather than a false 0) where it does not.
class MetricsRenderTest {

    private static AgentState.VirtualServer server(String id, Integer cap, Long refused) {
        return new AgentState.VirtualServer(id, "TCP", "192.0.2.100", 80, null, null, "rr", "NAT", "userspace",
                null, 0, 1, true, null, List.of(), cap, refused);
    }

    @Test
    void theCapAndTheRefusalsOfEachUserspaceVirtualServerAreExposed() {
        var state = new AgentState("r1", "lvs", Instant.EPOCH, 0, new AgentState.Balancer("userspace", "test"),
                List.of(), List.of(server("tcp/192.0.2.100:80", 384, 216L),
                        new AgentState.VirtualServer("tcp/192.0.2.100:81", "TCP", "192.0.2.100", 81, null, null, "rr",
                                "NAT", "kernel", null, 0, 1, true, null, List.of())));
        var text = MetricsServer.render(state, 0);
        assertThat(text).contains("# TYPE pharos_virtual_server_connection_cap gauge\n")
                .contains("pharos_virtual_server_connection_cap{virtual_server=\"tcp/192.0.2.100:80\"} 384\n")
                .contains("# TYPE pharos_virtual_server_refused_connections_total counter\n")
                .contains("pharos_virtual_server_refused_connections_total{virtual_server=\"tcp/192.0.2.100:80\"} 216\n")
                .doesNotContain("virtual_server=\"tcp/192.0.2.100:81\"} ");
    }
}
