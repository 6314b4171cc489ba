package dev.pharos.console.lab;

import dev.pharos.agent.lab.Lab;
import dev.pharos.console.connect.DirectorConnection;
import dev.pharos.console.edit.EditService;
import dev.pharos.console.model.ClusterModel;
import dev.pharos.console.model.TimelineEntry;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

    /// Starts the seed lab on `work` (call on the FX thread); [#viewModelProperty()] has its
    /// controls once it runs. Its real servers' changes and priorities go through `edits`.
    public static LabMode start(ClusterModel cluster, Map<String, DirectorConnection> connections, EditService edits,
            Executor work) {
        var mode = new LabMode(cluster, connections, edits, work);
        cluster.record(new TimelineEntry(cluster.now(), "lab", "scenario", "lab",
                "starting the seed's dual-master pair (lvs-master, lvs-backup)"));
        var start = new Task<Lab>() {
            @Override
            protected Lab call() throws Exception {
                return Lab.seed();
            }
        };
        start.setOnSucceeded(e -> mode.show(start.getValue()));
        start.setOnFailed(e -> {
            mode.state.set(State.FAILED);
            cluster.record(new TimelineEntry(cluster.now(), "lab", "scenario", "lab",
                    "the lab could not start: " + start.getException().getMessage()));
        });
        work.execute(start);
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
