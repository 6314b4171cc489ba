package dev.pharos.console.inspect;

import dev.pharos.agent.api.Results;
import dev.pharos.console.model.DirectorModel;
import dev.pharos.console.model.Drift;
import dev.pharos.console.model.RealServerModel;
import dev.pharos.console.model.ServedAs;
import dev.pharos.console.model.VirtualServerModel;
import dev.pharos.console.topology.TopologyView.Selection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.value.ObservableValue;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/// What the inspector shows for the topology's selection: rows of (category, name, value), one
/// category per director (a virtual server in dual-master exists on both, possibly with different
/// health on each), named after the director; a virtual server whose directors disagree starts
/// with a block listing the differences. Values follow the model as it changes.
public final class InspectorViewModel {

    /// One line of the inspector.
    ///
    /// @param category the block it is in, e.g. `tcp/192.0.2.100:80 on lvs-backup`
    /// @param value    the value as shown (empty when unknown), following the model
    public record Row(String category, String name, ObservableValue<String> value) {
    }

    private final ObservableValue<Selection> selection;
    private final ObservableValue<Map<String, Drift>> drift;
    private final ObservableList<Row> rows = FXCollections.observableArrayList();
    /// Made once and held: an unmodifiable list listens to its source weakly, so one made per
    /// call could be collected with the view's listener on it.
    private final ObservableList<Row> shownRows = FXCollections.unmodifiableObservableList(rows);

    /// @param drift the virtual servers whose directors disagree
    public InspectorViewModel(ObservableValue<Selection> selection, ObservableValue<Map<String, Drift>> drift) {
        this.selection = selection;
        this.drift = drift;
        selection.addListener((o, was, now) -> show());
        drift.addListener((o, was, now) -> show());
        show();
    }

    /// The rows for the current selection, in order.
    public ObservableList<Row> rows() {
        return shownRows;
    }

    private void show() {
        var out = new ArrayList<Row>();
        switch (selection.getValue()) {
            case null -> { }
            case Selection.Director d -> director(out, d.director());
            case Selection.VirtualServer v -> {
                var differing = drift.getValue().get(v.id());
                if (differing != null) {
                    int n = 0;
                    for (var difference : differing.differences()) {
                        out.add(row("Drift (compared with " + differing.reference() + ")", "#" + (++n), fixed(difference)));
                    }
                }
                v.perDirector().forEach(m -> virtualServer(out, v.id(), m));
            }
            case Selection.RealServer r -> r.perDirector().forEach(m -> realServer(out, r.virtualServer(), r.id(), m));
        }
        rows.setAll(out);
    }

    private static void director(List<Row> out, DirectorModel d) {
        var cat = d.name();
        out.add(row(cat, "Liveness", d.livenessProperty()));
        out.add(row(cat, "Host", d.hostnameProperty()));
        out.add(row(cat, "Revision", d.revisionProperty()));
        out.add(row(cat, "Balancer", d.balancerProperty()));
        for (var i : d.instances()) {
            out.add(row(cat, i.name() + " state", i.stateProperty()));
            out.add(row(cat, i.name() + " priority", i.priorityProperty()));
            out.add(row(cat, i.name() + " master", i.masterProperty()));
        }
        announcements(out, cat, d.announcementsProperty());
    }

    /// For one of several active directors: its routing daemon, whether it is out of service, each
    /// VIP and each BGP session, following its reports.
    private static void announcements(List<Row> out, String cat, ObservableValue<Results.Announcements> a) {
        var now = a.getValue();
        if (now == null) {
            return;
        }
        out.add(row(cat, "Announces through", a.map(Results.Announcements::daemon)));
        out.add(row(cat, "Out of service", a.map(Results.Announcements::draining)));
        for (var v : now.vips()) {
            out.add(row(cat, "VIP " + v.vip(), a.map(x -> x.vips().stream().filter(y -> y.vip().equals(v.vip()))
                    .findFirst().map(InspectorViewModel::vipState).orElse("no longer announced"))));
        }
        for (var s : now.sessions()) {
            out.add(row(cat, "BGP session " + s.name(), a.map(x -> x.sessions().stream()
                    .filter(y -> y.name().equals(s.name())).findFirst().map(Results.BgpSession::state).orElse("gone"))));
        }
    }

    /// "announced", "withdrawn (unhealthy)", the routing daemon's problem…
    private static String vipState(Results.Announcement v) {
        if (v.problem() != null) {
            return v.problem();
        }
        if (v.announced() == null) {
            return "not read from the routing daemon yet";
        }
        return (v.announced() ? "announced" : "withdrawn") + (v.healthy() ? "" : " (unhealthy)");
    }

    private static void virtualServer(List<Row> out, String id, VirtualServerModel m) {
        var cat = id + " on " + m.director();
        out.add(row(cat, "Scheduler", m.schedulerProperty()));
        out.add(row(cat, "Forwarding", m.kindProperty()));
        out.add(row(cat, "Persistence (s)", m.persistenceSecondsProperty()));
        // "proxied" alone would leave a reader guessing what reaches the real servers
        out.add(new Row(cat, "Served as", m.servedAsProperty().map(s -> s + " — " + ServedAs.fromWire(s).meaning())
                .orElse("")));
        out.add(row(cat, "Quorum up", m.quorumUpProperty()));
        out.add(row(cat, "Real servers", fixed(m.realServers().size())));
    }

    private static void realServer(List<Row> out, String virtualServer, String id, RealServerModel m) {
        var cat = id + " on " + m.director();
        var t = m.trafficProperty();
        out.add(row(cat, "Virtual server", fixed(virtualServer)));
        out.add(row(cat, "Weight", m.weightProperty()));
        out.add(row(cat, "Effective weight", m.effectiveWeightProperty()));
        out.add(row(cat, "Health", m.healthProperty()));
        out.add(row(cat, "Reason", m.healthReasonProperty()));
        out.add(row(cat, "Active connections", t.map(v -> v.activeConnections())));
        out.add(row(cat, "Connections", t.map(v -> v.connections())));
        out.add(row(cat, "Bytes in / out", t.map(v -> v.bytesIn() + " / " + v.bytesOut())));
    }

    private static Row row(String category, String name, ObservableValue<?> value) {
        return new Row(category, name, value.map(String::valueOf).orElse(""));
    }

    /// A value that does not change while it is shown.
    private static ObservableValue<Object> fixed(Object value) {
        return new SimpleObjectProperty<>(value);
    }
}
