package dev.pharos.console.traffic;

import dev.pharos.agent.api.AgentState;
import dev.pharos.console.model.RealServerModel;
import dev.pharos.console.topology.TopologyView.Selection;
import java.util.ArrayList;
import java.util.List;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.value.ChangeListener;
import javafx.beans.value.ObservableValue;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/// The traffic of the topology's selection as a series of samples: a real server's own counters,
/// or the sum over a virtual server's real servers, summed over the directors that report them.
/// One sample per report of any of them (directors report at different times; the sum is what
/// counts), the newest [#POINTS] kept.
public final class TrafficViewModel {

    /// How many samples are kept.
    public static final int POINTS = 120;

    private static final String NOTHING = "Select a virtual or real server to see its traffic.";

    /// One point of the charts.
    ///
    /// @param index counts the samples since the selection was made
    public record Sample(long index, double connectionsPerSecond, double bytesInPerSecond, double bytesOutPerSecond) {
    }

    private final ReadOnlyStringWrapper title = new ReadOnlyStringWrapper(NOTHING);
    private final ObservableList<Sample> samples = FXCollections.observableArrayList();
    /// Made once and held: an unmodifiable list listens to its source weakly, so one made per
    /// call could be collected with the view's listener on it.
    private final ObservableList<Sample> shownSamples = FXCollections.unmodifiableObservableList(samples);
    private final List<Runnable> detach = new ArrayList<>();
    private List<RealServerModel> sources = List.of();
    private long next;

    public TrafficViewModel(ObservableValue<Selection> selection) {
        selection.addListener((o, was, now) -> follow(now));
    }

    /// What the charts show, e.g. `Traffic of 198.51.100.11:80 in tcp/192.0.2.100:80`.
    public ReadOnlyStringProperty titleProperty() {
        return title.getReadOnlyProperty();
    }

    /// The samples, oldest first; cleared when the selection changes.
    public ObservableList<Sample> samples() {
        return shownSamples;
    }

    private void follow(Selection s) {
        detach.forEach(Runnable::run);
        detach.clear();
        samples.clear();
        var list = new ArrayList<RealServerModel>();
        switch (s) {
            case null -> title.set(NOTHING);
            case Selection.RealServer r -> {
                list.addAll(r.perDirector());
                title.set("Traffic of " + r.id() + " in " + r.virtualServer());
            }
            case Selection.VirtualServer v -> {
                v.perDirector().forEach(m -> list.addAll(m.realServers()));
                title.set("Traffic of " + v.id() + " (all real servers)");
            }
            case Selection.Director d -> title.set(NOTHING);
        }
        sources = List.copyOf(list);
        ChangeListener<AgentState.Traffic> l = (o, a, b) -> addSample();
        for (var r : sources) {
            r.trafficProperty().addListener(l);
            detach.add(() -> r.trafficProperty().removeListener(l));
        }
        if (!sources.isEmpty()) {
            addSample();
        }
    }

    private void addSample() {
        double c = 0;
        double in = 0;
        double out = 0;
        for (var r : sources) {
            var t = r.trafficProperty().get();
            c += t.connectionsPerSecond();
            in += t.bytesInPerSecond();
            out += t.bytesOutPerSecond();
        }
        samples.add(new Sample(next++, c, in, out));
        if (samples.size() > POINTS) {
            samples.remove(0, samples.size() - POINTS);
        }
    }
}
