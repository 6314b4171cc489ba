package dev.pharos.console.model;

import dev.pharos.agent.api.AgentEvent;
import dev.pharos.agent.api.AgentState;
import dev.pharos.console.connect.DirectorConnection;
import dev.pharos.console.connect.LinkState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import javafx.application.Platform;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/// The cluster as the console knows it: its directors and the timeline of what happened.
/// Changed only on the FX thread; connections report through [#listenerFor], which hands each
/// report to the FX thread.
public final class ClusterModel {

    /// Older timeline entries are dropped beyond this many.
    public static final int TIMELINE_LIMIT = 5_000;

    private final String name;
    private final ObservableList<DirectorModel> directors = FXCollections.observableArrayList();
    private final ObservableList<TimelineEntry> timeline = FXCollections.observableArrayList();
    private final Executor fx;
    /// Current split brains: "VRID n (addresses)" → the directors that are all MASTER of it.
    private final Map<String, List<String>> splitBrains = new TreeMap<>();

    /// @param fx where model changes run: `Platform::runLater` in the application, a direct
    ///           executor in tests that own the FX thread already
    public ClusterModel(String name, Executor fx) {
        this.name = name;
        this.fx = fx;
    }

    public static ClusterModel onFxThread(String name) {
        return new ClusterModel(name, Platform::runLater);
    }

    public String name() {
        return name;
    }

    public ObservableList<DirectorModel> directors() {
        return directors;
    }

    public ObservableList<TimelineEntry> timeline() {
        return timeline;
    }

    public Optional<DirectorModel> director(String directorName) {
        return directors.stream().filter(d -> d.name().equals(directorName)).findFirst();
    }

    /// Adds a director (FX thread) and returns the listener its connection reports to.
    public DirectorConnection.Listener listenerFor(String directorName) {
        var d = director(directorName).orElseGet(() -> {
            var created = new DirectorModel(directorName, this::record);
            directors.add(created);
            return created;
        });
        return new DirectorConnection.Listener() {
            @Override
            public void linkState(LinkState state) {
                fx.execute(() -> {
                    d.linkChanged(state);
                    checkSplitBrain();
                });
            }

            @Override
            public void agentState(AgentState state) {
                fx.execute(() -> {
                    d.apply(state);
                    checkSplitBrain();
                });
            }

            @Override
            public void event(AgentEvent event) {
                fx.execute(() -> {
                    d.apply(event);
                    if (event instanceof AgentEvent.VrrpTransition) {
                        checkSplitBrain();
                    }
                });
            }
        };
    }

    /// FX thread: finds VRRP groups that more than one live director is MASTER of at once (the
    /// same VRID with the same virtual addresses): they do not hear each other's adverts, and both
    /// answer for the VIPs. Marks their instances and notes the start and the end on the timeline.
    private void checkSplitBrain() {
        var masters = new TreeMap<String, List<InstanceModel>>();
        var holders = new TreeMap<String, List<String>>();
        for (var d : directors) {
            if (d.livenessProperty().get() != Liveness.LIVE) {
                continue; // a last-known MASTER is not evidence
            }
            for (var i : d.instances()) {
                if (i.stateProperty().get().equals("MASTER")) {
                    var key = "VRID " + i.vridProperty().get() + " (" + String.join(", ",
                            new TreeSet<>(i.virtualAddressesProperty().get())) + ")";
                    masters.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
                    holders.computeIfAbsent(key, k -> new ArrayList<>()).add(d.name());
                }
            }
        }
        holders.values().removeIf(list -> list.size() < 2);
        var flagged = new HashSet<InstanceModel>();
        holders.keySet().forEach(k -> flagged.addAll(masters.get(k)));
        for (var d : directors) {
            for (var i : d.instances()) {
                i.splitBrain(flagged.contains(i));
            }
        }
        var now = Instant.now();
        holders.forEach((key, names) -> {
            if (!names.equals(splitBrains.get(key))) {
                record(new TimelineEntry(now, "cluster", "vrrp", key, "SPLIT BRAIN: MASTER on "
                        + String.join(" and ", names) + " at once — they do not hear each other's adverts"));
            }
        });
        splitBrains.forEach((key, names) -> {
            if (!holders.containsKey(key)) {
                record(new TimelineEntry(now, "cluster", "vrrp", key, "split brain over: one MASTER again"));
            }
        });
        splitBrains.clear();
        splitBrains.putAll(holders);
    }

    /// The VRRP groups more than one live director is MASTER of right now (FX thread).
    public Map<String, List<String>> splitBrains() {
        return Map.copyOf(splitBrains);
    }

    /// Adds a line to the timeline (FX thread): edits the console makes, errors it shows.
    public void record(TimelineEntry entry) {
        timeline.add(entry);
        if (timeline.size() > TIMELINE_LIMIT) {
            timeline.remove(0, timeline.size() - TIMELINE_LIMIT);
        }
    }
}
