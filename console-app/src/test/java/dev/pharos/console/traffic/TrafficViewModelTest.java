package dev.pharos.console.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.api.AgentState;
import dev.pharos.console.model.ClusterModel;
import dev.pharos.console.model.RealServerModel;
import dev.pharos.console.topology.TopologyView.Selection;
import dev.pharos.console.traffic.TrafficViewModel.Sample;
import java.time.Instant;
import java.util.List;
import javafx.beans.property.SimpleObjectProperty;
import org.junit.jupiter.api.Test;

/// The traffic series without a scene: summed over the directors that report a server, one sample
/// per report, the newest [TrafficViewModel#POINTS] kept, started again for a new selection.
class TrafficViewModelTest {

    private static final Instant T = Instant.parse("2026-12-07T10:00:00Z");
    private static final String VS = "tcp/192.0.2.100:80";

    private final ClusterModel cluster = new ClusterModel("seed", Runnable::run);
    private final SimpleObjectProperty<Selection> selection = new SimpleObjectProperty<>();
    private final TrafficViewModel model = new TrafficViewModel(selection);

    @Test
    void aRealServersTrafficIsSummedOverItsDirectors() {
        report("lvs-master", 5.0);
        report("lvs-backup", 2.0);
        selection.set(new Selection.RealServer(VS, "198.51.100.11:80", List.of(rs("lvs-master"), rs("lvs-backup"))));

        assertThat(model.titleProperty().get()).isEqualTo("Traffic of 198.51.100.11:80 in " + VS);
        assertThat(model.samples()).extracting(Sample::connectionsPerSecond).containsExactly(7.0);
        assertThat(model.samples().getFirst().bytesInPerSecond()).isEqualTo(7.0 * 50);

        report("lvs-backup", 4.0);
        assertThat(model.samples()).extracting(Sample::connectionsPerSecond).containsExactly(7.0, 9.0);
        assertThat(model.samples()).extracting(Sample::index).containsExactly(0L, 1L);

        for (int i = 0; i < TrafficViewModel.POINTS; i++) {
            report("lvs-master", i);
        }
        assertThat(model.samples()).hasSize(TrafficViewModel.POINTS);
        assertThat(model.samples().getLast().connectionsPerSecond()).isEqualTo(TrafficViewModel.POINTS - 1 + 4.0);

        selection.set(new Selection.Director(cluster.director("lvs-master").orElseThrow()));
        assertThat(model.samples()).as("a director has no traffic chart").isEmpty();
        assertThat(model.titleProperty().get()).startsWith("Select a virtual or real server");
        report("lvs-master", 1.0);
        assertThat(model.samples()).as("the old selection is no longer followed").isEmpty();
    }

    private RealServerModel rs(String director) {
        return cluster.director(director).flatMap(d -> d.virtualServer(VS))
                .flatMap(v -> v.realServer("198.51.100.11:80")).orElseThrow();
    }

    private void report(String director, double connectionsPerSecond) {
        var traffic = new AgentState.Traffic(0, 0, 0, 0, 0, connectionsPerSecond, connectionsPerSecond * 50,
                connectionsPerSecond * 100);
        cluster.listenerFor(director).agentState(new AgentState("r", director, T, 0,
                new AgentState.Balancer("none", "test"), List.of(),
                List.of(new AgentState.VirtualServer(VS, "TCP", "192.0.2.100", 80, null, null, "wrr", "DR", "kernel", "",
                        0, 1, true, null, List.of(new AgentState.RealServer("198.51.100.11:80", "198.51.100.11", 80, 1, 1,
                                "up", null, null, List.of(), traffic))))));
    }
}
