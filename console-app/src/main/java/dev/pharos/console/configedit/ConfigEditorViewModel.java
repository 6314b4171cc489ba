package dev.pharos.console.configedit;

import dev.pharos.agent.api.Methods;
import dev.pharos.agent.api.Params;
import dev.pharos.agent.api.Results;
import dev.pharos.agent.api.RpcException;
import dev.pharos.console.connect.AgentClient;
import dev.pharos.console.connect.DirectorConnection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import javafx.animation.PauseTransition;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.concurrent.Task;
import javafx.concurrent.Worker;
import javafx.util.Duration;

/// The configuration editor's state and commands: which director's configuration is edited, its
/// text and the revision it was read at, the agent's diagnostics, and a status line. Every call to
/// the agent and every file read or written is a [Task] on the application's executor; results
/// come back on the FX thread, where all of this state lives.
///
/// The text is the configuration file as written (`config.get` gives the file's own text), and
/// Apply sends the whole text back with the revision it was loaded at, so comments, `@ID` lines,
/// include lines and layout survive, and a change made meanwhile by someone else is refused rather
/// than overwritten. The files the text includes are named ([#includedProperty()]), not edited here.
public final class ConfigEditorViewModel {

    /// How long typing must pause before the text is sent to `config.validate`: one call per
    /// pause, not one per key.
    static final Duration VALIDATE_AFTER = Duration.millis(500);

    /// How serious a diagnostic is.
    public enum Severity {
        ERROR, WARNING;

        /// `error` or `warning` as the agent sends it; anything else is shown as a warning.
        static Severity fromWire(String severity) {
            return "error".equals(severity) ? ERROR : WARNING;
        }
    }

    /// One finding of the agent about the text.
    ///
    /// @param text    the whole `file:line:col: severity: message` line
    /// @param message the message alone
    /// @param line    1-based, 0 when not tied to a place
    /// @param column  1-based, 0 when not tied to a place
    /// @param inText  at a place in the edited text (not in a file it includes): the editor marks it
    public record Diagnostic(Severity severity, String text, String message, int line, int column, boolean inText) {

        /// `path` is the edited file's (null before a load): a finding elsewhere is not in the text.
        static Diagnostic of(Results.Diagnostic d, String path) {
            boolean here = d.line() > 0 && (d.file() == null || path == null || d.file().equals(path));
            return new Diagnostic(Severity.fromWire(d.severity()), d.text(),
                    d.message() == null ? d.text() : d.message(), d.line(), d.column(), here);
        }
    }

    /// The status line: a message and whether it reports a failure (its colour follows each
    /// message: a success after a refusal is no longer shown as an error).
    public record Status(String message, boolean error) {

        static final Status NONE = new Status("", false);

        static Status info(String message) {
            return new Status(message, false);
        }

        static Status error(String message) {
            return new Status(message, true);
        }
    }

    private final Map<String, DirectorConnection> connections;
    private final Executor work;
    private final ObservableList<String> directors = FXCollections.observableArrayList();
    /// Made once and held: an unmodifiable list listens to its source weakly, so one made per
    /// call could be collected with the view's listener on it.
    private final ObservableList<String> shownDirectors = FXCollections.unmodifiableObservableList(directors);
    private final ReadOnlyStringWrapper director = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper text = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper dirty = new ReadOnlyBooleanWrapper();
    private final ObservableList<Diagnostic> diagnostics = FXCollections.observableArrayList();
    private final ObservableList<Diagnostic> shownDiagnostics = FXCollections.unmodifiableObservableList(diagnostics);
    private final ReadOnlyStringWrapper included = new ReadOnlyStringWrapper("");
    private final ReadOnlyObjectWrapper<Status> status = new ReadOnlyObjectWrapper<>(Status.NONE);
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper();
    private final PauseTransition debounce = new PauseTransition(VALIDATE_AFTER);
    /// The text as the agent has it (read or last applied): what [#dirtyProperty()] compares with.
    private String agentText = "";
    private String revision;
    /// The edited file's path as the agent names it (findings in other files are not marked).
    private String path;
    /// Tasks the operator started that have not ended (validation while typing is not counted).
    private int running;
    /// Incremented by every validation request, so only the newest one's answer is shown.
    private long generation;

    /// @param connections the connections by director name, changed by the application (read here
    ///                    on the FX thread and from `work`'s threads)
    /// @param work        where calls and file work run: the application's `console-work`
    public ConfigEditorViewModel(Map<String, DirectorConnection> connections, Executor work) {
        this.connections = connections;
        this.work = Objects.requireNonNull(work, "work");
        debounce.setOnFinished(e -> validate());
        refreshDirectors();
    }

    /// The directors one can pick, by name.
    public ObservableList<String> directors() {
        return shownDirectors;
    }

    /// The director whose configuration is edited, or null.
    public ReadOnlyStringProperty directorProperty() {
        return director.getReadOnlyProperty();
    }

    /// The text being edited.
    public ReadOnlyStringProperty textProperty() {
        return text.getReadOnlyProperty();
    }

    /// Whether the text differs from the director's configuration as last read or applied.
    public ReadOnlyBooleanProperty dirtyProperty() {
        return dirty.getReadOnlyProperty();
    }

    /// The agent's findings about the text, from its last validation or refused apply.
    public ObservableList<Diagnostic> diagnostics() {
        return shownDiagnostics;
    }

    /// What the text includes, said for the operator (empty when it includes nothing): the
    /// included files are not edited here, and Apply keeps the include lines and leaves them.
    public ReadOnlyStringProperty includedProperty() {
        return included.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<Status> statusProperty() {
        return status.getReadOnlyProperty();
    }

    /// Whether a load, apply, import or export is under way.
    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    /// Reads the director list again (after the inventory changed).
    public void refreshDirectors() {
        directors.setAll(connections.keySet());
    }

    /// Edits the configuration of `directorName` (loads it, dropping unapplied changes: ask first
    /// when [#dirtyProperty()]); null or the current one changes nothing.
    public void select(String directorName) {
        if (Objects.equals(directorName, director.get())) {
            return;
        }
        director.set(directorName);
        reload();
    }

    /// The text as the operator typed it (or as it was read): it is validated by the agent once
    /// typing pauses.
    public void edit(String newText) {
        var t = newText == null ? "" : newText;
        if (t.equals(text.get())) {
            return;
        }
        setText(t);
        debounce.playFromStart();
    }

    /// Reads the director's configuration (`config.get`) and the revision it is at, dropping
    /// unapplied changes (ask first when [#dirtyProperty()]).
    public void reload() {
        var conn = current();
        if (conn == null) {
            return;
        }
        status.set(Status.info("loading…"));
        var load = new Task<Results.Config>() {
            @Override
            protected Results.Config call() throws IOException, RpcException {
                return conn.call(Methods.CONFIG_GET, Params.None.NONE);
            }
        };
        load.setOnSucceeded(e -> {
            var cfg = load.getValue();
            revision = cfg.revision();
            path = cfg.path();
            agentText = cfg.text();
            diagnostics.clear();
            edit(cfg.text());
            included.set(cfg.included().isEmpty() ? "" : "Includes " + String.join(", ", cfg.included())
                    + ": edit those files on the director. Apply keeps the include lines and leaves the files as they are.");
            status.set(Status.info(cfg.path() + " at revision " + cfg.revision()));
        });
        load.setOnFailed(e -> status.set(Status.error("cannot load: " + load.getException().getMessage())));
        run(load);
    }

    /// Sends the text to `config.validate` and shows its diagnostics (done by itself when typing
    /// pauses). An answer overtaken by a newer request is dropped.
    public void validate() {
        debounce.stop();
        var conn = current();
        if (conn == null) {
            return;
        }
        var body = text.get();
        long gen = ++generation;
        var check = new Task<Results.Validation>() {
            @Override
            protected Results.Validation call() throws IOException, RpcException {
                return conn.call(Methods.CONFIG_VALIDATE, new Params.ConfigText(body));
            }
        };
        check.setOnSucceeded(e -> {
            if (gen != generation) {
                return;
            }
            var v = check.getValue();
            showDiagnostics(v.diagnostics());
            if (v.valid()) {
                status.set(Status.info("valid" + (v.diagnostics().isEmpty() ? "" : " (with warnings)")));
            } else {
                status.set(Status.error(diagnostics.stream().filter(d -> d.severity() == Severity.ERROR).count()
                        + " error(s)"));
            }
        });
        check.setOnFailed(e -> status.set(Status.error("cannot validate: " + check.getException().getMessage())));
        work.execute(check);
    }

    /// Replaces the director's configuration with the text (`config.apply` with the revision it was
    /// loaded at). A refusal lists the agent's diagnostics when it has them.
    public void apply() {
        applyThen(() -> {
        });
    }

    /// [#apply()], then `next` once the agent has applied the text (not when it refused it): the
    /// answer "Apply" to the question before unapplied changes would be dropped.
    public void applyThen(Runnable next) {
        var conn = current();
        if (conn == null || revision == null) {
            status.set(Status.error("load a director's configuration first"));
            return;
        }
        // The apply validates the text itself: a validation still waiting for typing to pause, or
        // in flight, would otherwise answer after it and put "valid" over "applied".
        debounce.stop();
        generation++;
        var body = text.get();
        var base = revision;
        // the text it started from: another console's comment-only change is refused, not lost
        var baseText = Results.textRevision(agentText);
        status.set(Status.info("applying…"));
        var send = new Task<Results.Applied>() {
            @Override
            protected Results.Applied call() throws IOException, RpcException {
                var applied = conn.call(Methods.CONFIG_APPLY, new Params.ConfigApply(base, body, baseText));
                conn.refresh();
                return applied;
            }
        };
        send.setOnSucceeded(e -> {
            var applied = send.getValue();
            revision = applied.revision();
            agentText = body;
            dirty.set(!agentText.equals(text.get()));
            diagnostics.clear();
            status.set(Status.info("applied, revision " + applied.revision() + ": "
                    + (applied.changes().isEmpty() ? "no change" : String.join("; ", applied.changes()))));
            next.run();
        });
        send.setOnFailed(e -> {
            switch (send.getException()) {
                case RpcException refused -> {
                    status.set(Status.error("refused: " + refused.getMessage()));
                    // An invalid configuration's error carries its diagnostics; other errors say it all.
                    AgentClient.errorData(refused, Results.Validation.class).ifPresent(v -> showDiagnostics(v.diagnostics()));
                }
                case Throwable other -> status.set(Status.error("cannot apply: " + other.getMessage()));
            }
        });
        run(send);
    }

    /// Reads the text from the file at `path` (as a file chooser gives it); it is not applied
    /// until [#apply()].
    public void importFrom(String path) {
        var file = Path.of(path);
        var read = new Task<String>() {
            @Override
            protected String call() throws IOException {
                return Files.readString(file, StandardCharsets.UTF_8);
            }
        };
        read.setOnSucceeded(e -> {
            edit(read.getValue());
            status.set(Status.info("imported " + file + " (not applied yet)"));
        });
        read.setOnFailed(e -> status.set(Status.error("cannot read " + file + ": " + read.getException().getMessage())));
        status.set(Status.info("reading " + file + "…"));
        run(read);
    }

    /// Writes the text to the file at `path`.
    public void exportTo(String path) {
        var file = Path.of(path);
        var body = text.get();
        var write = new Task<Void>() {
            @Override
            protected Void call() throws IOException {
                Files.writeString(file, body, StandardCharsets.UTF_8);
                return null;
            }
        };
        write.setOnSucceeded(e -> status.set(Status.info("exported to " + file)));
        write.setOnFailed(e -> status.set(Status.error("cannot write " + file + ": " + write.getException().getMessage())));
        run(write);
    }

    private DirectorConnection current() {
        var name = director.get();
        return name == null ? null : connections.get(name);
    }

    private void setText(String newText) {
        text.set(newText);
        dirty.set(!newText.equals(agentText));
    }

    private void showDiagnostics(List<Results.Diagnostic> found) {
        diagnostics.setAll(found.stream().map(d -> Diagnostic.of(d, path)).toList());
    }

    /// Runs an operator's task on `work`, busy until it ends.
    private void run(Task<?> task) {
        running++;
        busy.set(true);
        // The state, not `running`: a task cancelled before it ran (the console is stopping) never ran.
        task.stateProperty().addListener((o, was, now) -> {
            if (now == Worker.State.SUCCEEDED || now == Worker.State.FAILED || now == Worker.State.CANCELLED) {
                running--;
                busy.set(running > 0);
            }
        });
        work.execute(task);
    }
}
