package dev.pharos.console.edit;

import dev.pharos.agent.api.RpcException;
import dev.pharos.console.connect.DirectorConnection;
import dev.pharos.console.model.ClusterModel;
import dev.pharos.console.model.DirectorModel;
import dev.pharos.console.model.Liveness;
import dev.pharos.console.model.RealServerModel;
import dev.pharos.console.model.TimelineEntry;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;

/// Sends edits: to every live director that carries the virtual server (in dual-master LVS both
/// directors hold the same table), each with its own revision, off the FX thread; an edit on one
/// director ([Edit.OnDirector], [Edit.SetPriority], [Edit.Drain]) to that director only. The real servers
/// involved show `pending` until the answers are in; a refused edit is reported (the view then
/// shows the agents' truth again, i.e. snaps back) and does not enter the undo history.
///
/// The sending runs on the executor it is given (the application's `console-work`), one edit
/// after the other: an edit's revision is the one the previous edit produced, so two must never
/// be in flight to one director at once.
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
    private final Executor executor;
    /// Sends waiting for the one before them to finish; guarded by `this`.
    private final Deque<Runnable> queue = new ArrayDeque<>();
    /// Whether a drain of `queue` is running on the executor; guarded by `this`.
    private boolean draining;
    private boolean closed;
    private final Deque<Edit> undo = new ArrayDeque<>();
    /// Sending only (one at a time, ordered by `queue`'s lock): per director, revision → the
    /// revision an edit based on it produced.
    private final Map<String, Map<String, String>> successors = new HashMap<>();
    private final Deque<Edit> redo = new ArrayDeque<>();
    private final ReadOnlyBooleanWrapper canUndo = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper canRedo = new ReadOnlyBooleanWrapper();
    private final ReadOnlyIntegerWrapper inFlight = new ReadOnlyIntegerWrapper();

    /// @param fx       runs on the FX thread (answers change the model and the undo history there)
    /// @param executor where the edits are sent from, one at a time (the application's `console-work`)
    public EditService(ClusterModel cluster, Map<String, DirectorConnection> connections, Consumer<Runnable> fx,
            Executor executor) {
        this.cluster = cluster;
        this.connections = connections;
        this.fx = fx;
        this.executor = executor;
    }

    /// Sends from the application's executor `work`.
    public static EditService onFxThread(ClusterModel cluster, Map<String, DirectorConnection> connections,
            Executor work) {
        return new EditService(cluster, connections, Platform::runLater, work);
    }

    /// Sends from a virtual thread named `console-edits` per edit (for a window without the
    /// application, as in tests).
    public static EditService onFxThread(ClusterModel cluster, Map<String, DirectorConnection> connections) {
        return onFxThread(cluster, connections, task -> Thread.ofVirtual().name("console-edits").start(task));
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
        for (var d : cluster.directors()) {
            if (d.livenessProperty().get() == Liveness.LIVE && reaches(edit, d)) {
                targets.add(d);
            }
        }
        var marked = involved(edit, targets);
        marked.forEach(r -> r.pendingProperty().set(true));
        if (targets.isEmpty()) {
            var outcome = new Outcome(edit, List.of(), Map.of("cluster", edit instanceof Edit.Drain d
                    ? d.director() + " is not connected or announces no VIP through a routing daemon"
                    : "no connected director has " + edit.virtualServer()
                            + (edit instanceof Edit.SetPriority p ? " on " + p.director() : "")));
            cluster.record(new TimelineEntry(cluster.now(), cluster.name(), "edit", edit.virtualServer(),
                    "refused: " + edit.describe() + ": " + outcome.failures().get("cluster")));
            marked.forEach(r -> r.pendingProperty().set(false));
            done.accept(outcome);
            return;
        }
        inFlight.set(inFlight.get() + 1);
        var revisions = new LinkedHashMap<String, String>();
        for (var d : targets) {
            revisions.put(d.name(), d.revisionProperty().get());
        }
        enqueue(() -> {
            var applied = new ArrayList<String>();
            var failures = new LinkedHashMap<String, String>();
            revisions.forEach((director, seen) -> {
                var conn = connections.get(director);
                // Edits sent in one gesture were all read at the same revision: each one after
                // the first is based on the revision the previous one produced.
                var revision = seen;
                var links = successors.computeIfAbsent(director, k -> new HashMap<>());
                for (int hops = 0; links.containsKey(revision) && hops < 1000; hops++) {
                    revision = links.get(revision);
                }
                var call = edit.call(revision);
                try {
                    if (conn == null) {
                        throw new IOException("no connection");
                    }
                    var next = call.sendTo(conn);
                    if (next != null && !next.equals(revision)) {
                        links.put(revision, next);
                        // A revision names the configuration's content, so an undo comes back to
                        // one seen before: `next` is where the director is now, and a link out of
                        // it would lead the next edit to a revision it has left (and round a cycle).
                        links.remove(next);
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
                cluster.record(new TimelineEntry(cluster.now(), String.join(", ", revisions.keySet()), "edit",
                        edit.virtualServer(), (outcome.ok() ? "" : "refused: ") + edit.describe()
                                + (failures.isEmpty() ? "" : " — " + failures)));
                done.accept(outcome);
            });
        });
    }

    /// Runs `send` after every send queued before it, on the executor.
    private void enqueue(Runnable send) {
        synchronized (this) {
            if (closed) {
                return;
            }
            queue.add(send);
            if (draining) {
                return;
            }
            draining = true;
        }
        try {
            executor.execute(this::drain);
        } catch (RejectedExecutionException stopping) {
            synchronized (this) {
                draining = false;
                queue.clear();
            }
        }
    }

    private void drain() {
        while (true) {
            Runnable next;
            synchronized (this) {
                next = closed ? null : queue.poll();
                if (next == null) {
                    draining = false;
                    return;
                }
            }
            next.run();
        }
    }

    /// Whether `director` is one that `edit` goes to.
    private static boolean reaches(Edit edit, DirectorModel director) {
        return switch (edit) {
            case Edit.OnDirector o -> o.director().equals(director.name()) && reaches(o.edit(), director);
            case Edit.SetPriority p -> p.director().equals(director.name()) && director.instance(p.instance()).isPresent();
            case Edit.Drain d -> d.director().equals(director.name()) && director.announcementsProperty().get() != null;
            case Edit.Move _, Edit.Add _, Edit.Remove _, Edit.SetWeight _, Edit.SetScheduling _ ->
                    director.virtualServer(edit.virtualServer()).isPresent();
        };
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
            case Edit.SetPriority p -> null;
            case Edit.Drain d -> null;
            case Edit.OnDirector o -> realServerOf(o.edit());
        };
    }

    private void updateFlags() {
        canUndo.set(!undo.isEmpty());
        canRedo.set(!redo.isEmpty());
    }

    /// Edits sent and not answered yet (the window shows progress while there are any).
    public ReadOnlyIntegerProperty inFlightProperty() {
        return inFlight.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canUndoProperty() {
        return canUndo.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canRedoProperty() {
        return canRedo.getReadOnlyProperty();
    }

    /// Sends nothing more: edits still queued are dropped (the application is stopping).
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            queue.clear();
        }
    }
}
