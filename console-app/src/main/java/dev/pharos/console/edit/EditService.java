package dev.pharos.console.edit;

import dev.pharos.agent.api.RpcException;
import dev.pharos.console.connect.DirectorConnection;
import dev.pharos.console.model.ClusterModel;
import dev.pharos.console.model.DirectorModel;
import dev.pharos.console.model.Liveness;
import dev.pharos.console.model.RealServerModel;
import dev.pharos.console.model.TimelineEntry;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;

/// Sends edits: to every live director that carries the virtual server (in dual-master LVS both
/// directors hold the same table), each with its own revision, off the FX thread. The real
/// servers involved show `pending` until the answers are in; a refused edit is reported (the
/// view then shows the agents' truth again, i.e. snaps back) and does not enter the undo history.
public final class EditService implements AutoCloseable {

    /// The outcome of one gesture.
    ///
    /// @param failures director name → the agent's error, empty when every director applied it
    public record Outcome(Edit edit, List<String> applied, Map<String, String> failures) {
        public boolean ok() {
            return failures.isEmpty() && !applied.isEmpty();
        }
    }

    private final ClusterModel cluster;
    private final Map<String, DirectorConnection> connections;
    private final Consumer<Runnable> fx;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().name("console-edits").daemon().unstarted(r));
    private final Deque<Edit> undo = new ArrayDeque<>();
    /// Worker thread only: per director, revision → the revision an edit based on it produced.
    private final Map<String, Map<String, String>> successors = new java.util.HashMap<>();
    private final Deque<Edit> redo = new ArrayDeque<>();
    private final ReadOnlyBooleanWrapper canUndo = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper canRedo = new ReadOnlyBooleanWrapper();
    private final javafx.beans.property.ReadOnlyIntegerWrapper inFlight = new javafx.beans.property.ReadOnlyIntegerWrapper();

    public EditService(ClusterModel cluster, Map<String, DirectorConnection> connections, Consumer<Runnable> fx) {
        this.cluster = cluster;
        this.connections = connections;
        this.fx = fx;
    }

    public static EditService onFxThread(ClusterModel cluster, Map<String, DirectorConnection> connections) {
        return new EditService(cluster, connections, Platform::runLater);
    }

    /// Sends `edit` (call on the FX thread); `done` runs on the FX thread with the outcome.
    public void submit(Edit edit, Consumer<Outcome> done) {
        send(edit, outcome -> {
            if (outcome.ok()) {
                undo.push(edit);
                redo.clear();
                updateFlags();
            }
            done.accept(outcome);
        });
    }

    public void undo(Consumer<Outcome> done) {
        if (undo.isEmpty()) {
            return;
        }
        var edit = undo.pop();
        updateFlags();
        send(edit.inverse(), outcome -> {
            if (outcome.ok()) {
                redo.push(edit);
            } else {
                undo.push(edit);
            }
            updateFlags();
            done.accept(outcome);
        });
    }

    public void redo(Consumer<Outcome> done) {
        if (redo.isEmpty()) {
            return;
        }
        var edit = redo.pop();
        updateFlags();
        send(edit, outcome -> {
            if (outcome.ok()) {
                undo.push(edit);
            } else {
                redo.push(edit);
            }
            updateFlags();
            done.accept(outcome);
        });
    }

    private void send(Edit edit, Consumer<Outcome> done) {
        var targets = new ArrayList<DirectorModel>();
        var only = edit instanceof Edit.OnDirector o ? o.director() : null;
        for (var d : cluster.directors()) {
            if (d.livenessProperty().get() == Liveness.LIVE && d.virtualServer(edit.virtualServer()).isPresent()
                    && (only == null || only.equals(d.name()))) {
                targets.add(d);
            }
        }
        var marked = involved(edit, targets);
        marked.forEach(r -> r.pendingProperty().set(true));
        if (targets.isEmpty()) {
            var outcome = new Outcome(edit, List.of(), Map.of("cluster", "no connected director has "
                    + edit.virtualServer()));
            cluster.record(new TimelineEntry(Instant.now(), cluster.name(), "edit", edit.virtualServer(),
                    "refused: " + edit.describe() + ": " + outcome.failures().get("cluster")));
            marked.forEach(r -> r.pendingProperty().set(false));
            done.accept(outcome);
            return;
        }
        inFlight.set(inFlight.get() + 1);
        var revisions = new java.util.LinkedHashMap<String, String>();
        for (var d : targets) {
            revisions.put(d.name(), d.revisionProperty().get());
        }
        worker.execute(() -> {
            var applied = new ArrayList<String>();
            var failures = new java.util.LinkedHashMap<String, String>();
            revisions.forEach((director, seen) -> {
                var conn = connections.get(director);
                // Edits sent in one gesture were all read at the same revision: each one after
                // the first is based on the revision the previous one produced.
                var revision = seen;
                var links = successors.computeIfAbsent(director, k -> new java.util.HashMap<>());
                for (int hops = 0; links.containsKey(revision) && hops < 1000; hops++) {
                    revision = links.get(revision);
                }
                var call = edit.call(revision);
                try {
                    if (conn == null) {
                        throw new IOException("no connection");
                    }
                    var next = call.sendTo(conn).revision();
                    if (next != null && !next.equals(revision)) {
                        links.put(revision, next);
                    }
                    applied.add(director);
                    conn.refresh();
                } catch (RpcException e) {
                    failures.put(director, e.getMessage());
                    if (conn != null) {
                        conn.refresh();
                    }
                } catch (IOException | RuntimeException e) {
                    failures.put(director, e.getMessage());
                }
            });
            var outcome = new Outcome(edit, applied, failures);
            fx.accept(() -> {
                inFlight.set(inFlight.get() - 1);
                marked.forEach(r -> r.pendingProperty().set(false));
                cluster.record(new TimelineEntry(Instant.now(), String.join(", ", revisions.keySet()), "edit",
                        edit.virtualServer(), (outcome.ok() ? "" : "refused: ") + edit.describe()
                                + (failures.isEmpty() ? "" : " — " + failures)));
                done.accept(outcome);
            });
        });
    }

    private static List<RealServerModel> involved(Edit edit, List<DirectorModel> directors) {
        var out = new ArrayList<RealServerModel>();
        String rs = realServerOf(edit);
        if (rs != null) {
            for (var d : directors) {
                d.virtualServer(edit.virtualServer()).flatMap(v -> v.realServer(rs)).ifPresent(out::add);
            }
        }
        return out;
    }

    /// The real server an edit is about, or null.
    private static String realServerOf(Edit edit) {
        return switch (edit) {
            case Edit.Move m -> m.realServer();
            case Edit.Remove r -> r.realServer();
            case Edit.SetWeight w -> w.realServer();
            case Edit.Add a -> null;
            case Edit.SetScheduling s -> null;
            case Edit.OnDirector o -> realServerOf(o.edit());
        };
    }

    private void updateFlags() {
        canUndo.set(!undo.isEmpty());
        canRedo.set(!redo.isEmpty());
    }

    /// Edits sent and not answered yet (the window shows progress while there are any).
    public javafx.beans.property.ReadOnlyIntegerProperty inFlightProperty() {
        return inFlight.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canUndoProperty() {
        return canUndo.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canRedoProperty() {
        return canRedo.getReadOnlyProperty();
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
