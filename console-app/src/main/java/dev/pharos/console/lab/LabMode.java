package dev.pharos.console.lab;

import dev.pharos.agent.config.ConfigException;
import dev.pharos.agent.lab.Lab;
import dev.pharos.console.connect.DirectorConnection;
import dev.pharos.console.edit.EditService;
import dev.pharos.console.model.ClusterModel;
import dev.pharos.console.model.TimelineEntry;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.concurrent.Task;

/// The console's default when no director is configured: the seed's pair as a lab, shown in the
/// topology like real directors, with the lab's controls ([LabViewModel]) beside it. Loading
/// another pair validates it first; a broken one is refused with the parser's `file:line:col`
/// errors and the running lab stays. Starting, loading and stopping a lab run on the
/// application's executor; the rest belongs to the FX thread.
public final class LabMode implements AutoCloseable {

    /// Where the lab mode stands.
    public enum State {
        /// A lab is being started or a pair loaded; no lab runs yet.
        STARTING,
        RUNNING,
        /// The seed lab could not start (the timeline says why).
        FAILED
    }

    private final ClusterModel cluster;
    private final Map<String, DirectorConnection> connections;
    private final EditService edits;
    private final Executor work;
    private final ReadOnlyObjectWrapper<State> state = new ReadOnlyObjectWrapper<>(State.STARTING);
    private final ReadOnlyObjectWrapper<LabViewModel> viewModel = new ReadOnlyObjectWrapper<>();
    private final List<Consumer<String>> refusalListeners = new CopyOnWriteArrayList<>();
    private volatile LabSession session;
    private volatile boolean closed;

    private LabMode(ClusterModel cluster, Map<String, DirectorConnection> connections, EditService edits,
            Executor work) {
        this.cluster = cluster;
        this.connections = connections;
        this.edits = edits;
        this.work = work;
    }

    /// Starts building the seed lab on `work` at once: the console calls this before its window
    /// exists, so the lab's directors parse and start on one core while the FX thread builds the
    /// window on the other (the console's start is the longer of the two, not their sum).
    public static Seed seedOn(Executor work) {
        return new Seed(CompletableFuture.supplyAsync(() -> {
            try {
                return Lab.seed();
            } catch (IOException | ConfigException e) {
                throw new CompletionException(e);
            }
        }, work), work);
    }

    /// A seed lab being built by [#seedOn(Executor)], for [#start] to show, or to be discarded
    /// when the console closes before its window was built.
    public record Seed(CompletableFuture<Lab> lab, Executor work) {

        /// Closes the lab once it has started (on `work`), as nobody will show it.
        public void discard() {
            lab.thenAcceptAsync(Lab::close, work);
        }
    }

    /// Starts the seed lab on `work` (call on the FX thread); [#viewModelProperty()] has its
    /// controls once it runs. Its real servers' changes and priorities go through `edits`.
    public static LabMode start(ClusterModel cluster, Map<String, DirectorConnection> connections, EditService edits,
            Executor work) {
        return start(cluster, connections, edits, seedOn(work));
    }

    /// As [#start(ClusterModel, Map, EditService, Executor)], with a seed lab begun earlier by
    /// [#seedOn(Executor)] (whose executor the lab's work runs on).
    public static LabMode start(ClusterModel cluster, Map<String, DirectorConnection> connections, EditService edits,
            Seed seed) {
        var mode = new LabMode(cluster, connections, edits, seed.work());
        cluster.record(new TimelineEntry(cluster.now(), "lab", "scenario", "lab",
                "starting the seed's dual-master pair (lvs-master, lvs-backup)"));
        seed.lab().whenComplete((lab, failure) -> Platform.runLater(() -> {
            if (failure == null) {
                mode.show(lab);
                return;
            }
            var cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            mode.state.set(State.FAILED);
            cluster.record(new TimelineEntry(cluster.now(), "lab", "scenario", "lab",
                    "the lab could not start: " + cause.getMessage()));
        }));
        return mode;
    }

    /// FX thread: opens `lab`'s session and its controls, unless the mode was closed meanwhile.
    private void show(Lab lab) {
        if (closed) {
            work.execute(lab::close);
            return;
        }
        // From here the console's own entries are on the lab's clock, as its directors' are.
        cluster.clock(lab.clock());
        session = LabSession.open(lab, cluster, connections, 5, Platform::runLater, work);
        var replaced = viewModel.get();
        if (replaced != null) {
            replaced.dispose();
        }
        viewModel.set(new LabViewModel(session, edits, Platform::runLater));
        state.set(State.RUNNING);
    }

    public ReadOnlyObjectProperty<State> stateProperty() {
        return state.getReadOnlyProperty();
    }

    /// The executor the lab's work runs on (a lesson reads its files there too).
    public Executor work() {
        return work;
    }

    /// The running lab's controls; null until the first lab runs, replaced when a pair loads.
    public ReadOnlyObjectProperty<LabViewModel> viewModelProperty() {
        return viewModel.getReadOnlyProperty();
    }

    /// The running lab, or null before it runs.
    public LabSession session() {
        return session;
    }

    /// `listener` hears (on the FX thread) why a pair was refused: the parser's errors, one a line.
    public void onRefused(Consumer<String> listener) {
        refusalListeners.add(listener);
    }

    /// Reads two keepalived.conf files (named after the files) and runs them as the lab, if they load.
    public void loadFiles(List<Path> files) {
        var read = new Task<List<String>>() {
            @Override
            protected List<String> call() throws Exception {
                var texts = new ArrayList<String>();
                for (var f : files) {
                    texts.add(Files.readString(f));
                }
                return texts;
            }
        };
        read.setOnSucceeded(e -> load(files.stream().map(f -> f.getFileName().toString().replaceFirst("\\.conf$", ""))
                .toList(), read.getValue()));
        read.setOnFailed(e -> refused("cannot read the files: " + read.getException().getMessage()));
        work.execute(read);
    }

    /// Replaces the running lab with a pair of configurations — only if both load (FX thread).
    public void load(List<String> names, List<String> texts) {
        var current = session;
        var realServers = current == null ? List.<Lab.RealServerDef>of() : current.lab().realServers().entrySet()
                .stream().map(e -> new Lab.RealServerDef(e.getKey(), e.getValue().name())).toList();
        var replace = new Task<Lab>() {
            @Override
            protected Lab call() throws Exception {
                var defs = new ArrayList<Lab.DirectorDef>();
                for (int i = 0; i < names.size(); i++) {
                    defs.add(new Lab.DirectorDef(names.get(i), texts.get(i),
                            (Inet4Address) InetAddress.getByName("192.0.2." + (i + 1))));
                }
                var lab = Lab.start(defs, realServers);
                // Stopped here, off the FX thread: closing its connections and directors takes a while.
                if (current != null) {
                    current.close();
                }
                return lab;
            }
        };
        replace.setOnSucceeded(e -> {
            cluster.directors().clear();
            show(replace.getValue());
        });
        replace.setOnFailed(e -> refused(replace.getException().getMessage()));
        work.execute(replace);
    }

    private void refused(String text) {
        cluster.record(new TimelineEntry(cluster.now(), "lab", "config", "load a pair",
                "refused, the running lab stays: " + text.lines().findFirst().orElse(text)));
        refusalListeners.forEach(l -> l.accept(text));
    }

    /// Stops the running lab: blocks for up to a few seconds, so the application calls it on its
    /// executor. Safe from any thread.
    @Override
    public void close() {
        closed = true;
        var s = session;
        if (s != null) {
            s.close();
        }
    }
}
