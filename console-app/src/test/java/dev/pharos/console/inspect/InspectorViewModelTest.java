package dev.pharos.console.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.pharos.agent.api.AgentEvent;
import dev.pharos.agent.api.AgentState;
import dev.pharos.agent.api.Hello;
import dev.pharos.agent.api.Results;
import dev.pharos.console.connect.LinkState;
import dev.pharos.console.inspect.InspectorViewModel.Row;
import dev.pharos.console.model.ClusterModel;
import dev.pharos.console.model.RealServerModel;
import dev.pharos.console.model.VirtualServerModel;
import dev.pharos.console.topology.TopologyView.Selection;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javafx.beans.property.SimpleObjectProperty;
import org.junit.jupiter.api.Test;

/// The inspector's rows without a scene: blocks named after the director they describe, the drift
/// of a virtual server listed first, values that follow the model.
class InspectorViewModelTest {

    private static final Instant T = Instant.parse("2026-12-07T10:00:00Z");
    private static final String VS = "tcp/192.0.2.100:80";

    private Instant now = T;
    private final List<Runnable> due = new ArrayList<>();
    private final ClusterModel cluster = new ClusterModel("seed", Runnable::run, new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }, (delay, task) -> due.add(task));
    private final SimpleObjectProperty<Selection> selection = new SimpleObjectProperty<>();
    private final InspectorViewModel model = new InspectorViewModel(selection, cluster.driftProperty());

    @Test
    void aDirectorIsOneBlockNamedAfterIt() {
        report("lvs-master", "MASTER", "wrr", 1);
        selection.set(new Selection.Director(cluster.director("lvs-master").orElseThrow()));

        assertThat(model.rows()).extracting(Row::category).containsOnly("lvs-master");
        assertThat(value("lvs-master", "VI_1 state")).isEqualTo("MASTER");
        assertThat(value("lvs-master", "VI_1 priority")).isEqualTo("100");
        assertThat(value("lvs-master", "Balancer")).isNotNull();

        selection.set(null);
        assertThat(model.rows()).isEmpty();
    }

    @Test
    void aDirectorThatAnnouncesShowsEachVipAndSessionAsTheyChange() {
        report("dir-1", "BACKUP", "mh", 1);
        var listener = cluster.listenerFor("dir-1");
        listener.event(new AgentEvent.AnnounceChanged(1, T, new Results.Announcements("bird", false,
                List.of(new Results.Announcement("192.0.2.10", true, true, true, null)),
                List.of(new Results.BgpSession("upstream", true, "Established")))));
        selection.set(new Selection.Director(cluster.director("dir-1").orElseThrow()));
        assertThat(value("dir-1", "Announces through")).isEqualTo("bird");
        assertThat(value("dir-1", "Out of service")).isEqualTo("false");
        assertThat(value("dir-1", "VIP 192.0.2.10")).isEqualTo("announced");
        assertThat(value("dir-1", "BGP session upstream")).isEqualTo("Established");

        listener.event(new AgentEvent.AnnounceChanged(2, T, new Results.Announcements("bird", true,
                List.of(new Results.Announcement("192.0.2.10", false, false, false, null)),
                List.of(new Results.BgpSession("upstream", false, "Active")))));
        assertThat(value("dir-1", "Out of service")).as("follows the model").isEqualTo("true");
        assertThat(value("dir-1", "VIP 192.0.2.10")).isEqualTo("withdrawn (unhealthy)");
        assertThat(value("dir-1", "BGP session upstream")).isEqualTo("Active");

        report("lvs-master", "MASTER", "wrr", 1);
        selection.set(new Selection.Director(cluster.director("lvs-master").orElseThrow()));
        assertThat(model.rows()).as("a VRRP director has no announce rows").extracting(Row::name)
                .doesNotContain("Announces through");
    }

    @Test
    void aVirtualServerShowsItsDriftThenOneBlockPerDirectorByName() {
        report("lvs-master", "MASTER", "wrr", 1);
        report("lvs-backup", "BACKUP", "rr", 1);
        selection.set(new Selection.VirtualServer(VS, List.of(vs("lvs-master"), vs("lvs-backup"))));
        assertThat(categories()).as("no drift yet")
                .containsExactly(VS + " on lvs-master", VS + " on lvs-backup");

        pass(5); // drift is shown once it has stood for 5 s
        assertThat(categories())
                .containsExactly("Drift (compared with lvs-master)", VS + " on lvs-master", VS + " on lvs-backup");
        assertThat(model.rows()).filteredOn(r -> r.category().startsWith("Drift")).extracting(r -> r.value().getValue())
                .containsExactly("scheduler: wrr on lvs-master, rr on lvs-backup");
        assertThat(model.rows()).filteredOn(r -> r.name().equals("Scheduler"))
                .extracting(Row::category, r -> r.value().getValue())
                .containsExactly(tuple(VS + " on lvs-master", "wrr"), tuple(VS + " on lvs-backup", "rr"));

        report("lvs-backup", "BACKUP", "wrr", 1);
        pass(5);
        assertThat(model.rows()).as("directors that agree again: no drift block")
                .noneMatch(r -> r.category().startsWith("Drift"));
    }

    @Test
    void howAVirtualServerIsServedIsSaidWithWhatItMeans() {
        report("lvs-master", "MASTER", "wrr", 1);
        selection.set(new Selection.VirtualServer(VS, List.of(vs("lvs-master"))));
        assertThat(value(VS + " on lvs-master", "Served as")).startsWith("kernel — the kernel's IPVS");
        vs("lvs-master").servedAsProperty().set("proxied");
        assertThat(value(VS + " on lvs-master", "Served as")).as("proxied, never unexplained")
                .startsWith("proxied — the director's user-space balancer")
                .contains("replies pass back through the director").contains("answers the client directly");
    }

    @Test
    void aRealServerIsOneBlockPerDirectorAndItsValuesFollowTheModel() {
        report("lvs-master", "MASTER", "wrr", 1);
        report("lvs-backup", "BACKUP", "wrr", 1);
        selection.set(new Selection.RealServer(VS, "198.51.100.11:80",
                List.of(rs("lvs-master"), rs("lvs-backup"))));

        assertThat(categories())
                .containsExactly("198.51.100.11:80 on lvs-master", "198.51.100.11:80 on lvs-backup");
        assertThat(value("198.51.100.11:80 on lvs-backup", "Virtual server")).isEqualTo(VS);
        var weight = row("198.51.100.11:80 on lvs-backup", "Weight");
        assertThat(weight.value().getValue()).isEqualTo("1");
        assertThat(value("198.51.100.11:80 on lvs-backup", "Bytes in / out")).isEqualTo("0 / 0");

        report("lvs-backup", "BACKUP", "wrr", 3);
        assertThat(weight.value().getValue()).as("the row follows the model").isEqualTo("3");
    }

    /// The blocks shown, in order.
    private List<String> categories() {
        return model.rows().stream().map(Row::category).distinct().toList();
    }

    private Row row(String category, String name) {
        return model.rows().stream().filter(r -> r.category().equals(category) && r.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no row " + name + " in " + category + ": " + model.rows()));
    }

    private String value(String category, String name) {
        return row(category, name).value().getValue();
    }

    private VirtualServerModel vs(String director) {
        return cluster.director(director).flatMap(d -> d.virtualServer(VS)).orElseThrow();
    }

    private RealServerModel rs(String director) {
        return vs(director).realServer("198.51.100.11:80").orElseThrow();
    }

    /// Lets `seconds` pass and runs the re-checks that were due.
    private void pass(long seconds) {
        now = now.plusSeconds(seconds);
        var tasks = List.copyOf(due);
        due.clear();
        tasks.forEach(Runnable::run);
    }

    private void report(String director, String state, String scheduler, int weight) {
        var listener = cluster.listenerFor(director);
        listener.agentState(new AgentState("r", director, T, 0, new AgentState.Balancer("none", "test"),
                List.of(new AgentState.VrrpInstance("VI_1", 90, "eth0", 2, state, 100, 100, null,
                        List.of("192.0.2.100/32"), 1000, T, 1, List.of(), Map.of())),
                List.of(new AgentState.VirtualServer(VS, "TCP", "192.0.2.100", 80, null, null, scheduler,
                        "DR", "kernel", "", 0, 1, true, null, List.of(new AgentState.RealServer("198.51.100.11:80",
                                "198.51.100.11", 80, weight, weight, "up", null, null, List.of(),
                                AgentState.Traffic.NONE))))));
        listener.linkState(new LinkState.Connected(T, new Hello(1, "test", director,
                new Hello.Capabilities("none", List.of(2), List.of(), List.of()))));
    }
}
