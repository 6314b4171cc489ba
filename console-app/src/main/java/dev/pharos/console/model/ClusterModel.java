package dev.pharos.console.model;

import dev.pharos.agent.api.AgentEvent;
import dev.pharos.agent.api.AgentState;
import dev.pharos.console.connect.DirectorConnection;
import dev.pharos.console.connect.LinkState;
import java.util.Optional;
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
                fx.execute(() -> d.linkChanged(state));
            }

            @Override
            public void agentState(AgentState state) {
                fx.execute(() -> d.apply(state));
            }

            @Override
            public void event(AgentEvent event) {
                fx.execute(() -> d.apply(event));
            }
        };
    }

    /// Adds a line to the timeline (FX thread): edits the console makes, errors it shows.
    public void record(TimelineEntry entry) {
        timeline.add(entry);
        if (timeline.size() > TIMELINE_LIMIT) {
            timeline.remove(0, timeline.size() - TIMELINE_LIMIT);
        }
    }
}
