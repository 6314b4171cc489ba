package dev.pharos.console.install;

import dev.pharos.console.connect.DirectorEndpoint;
import dev.pharos.console.connect.RemoteHost;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import javafx.application.Platform;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.concurrent.Task;

/// "Add a director": the host, user and key typed, the package chosen, then the steps, each a
/// [Task] on the console's executor: [#prepare()] detects the host, uploads and installs the
/// package and checks keepalived's configuration; [#switchOver()], on the operator's word, stops
/// keepalived and starts the agent and waits until it answers; [#rollBack()] returns to
/// keepalived. A failure after the host was changed undoes the change (purges a package this flow
/// installed, starts keepalived again) and says so in [#errorProperty()].
public final class AddDirectorViewModel {

    /// The steps, in order, as the dialog lists them.
    public enum Step {
        DETECT("Detect the OS, architecture and keepalived"),
        UPLOAD("Upload the package over SFTP"),
        INSTALL("Install the package (dpkg -i)"),
        CHECK("Check keepalived's configuration with the agent"),
        SWITCH("Stop keepalived, start the agent on its configuration"),
        VERIFY("Wait for the agent to answer"),
        ROLL_BACK("Roll back to keepalived");

        private final String text;

        Step(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    /// Where a step stands.
    public enum StepState { PENDING, RUNNING, DONE, FAILED }

    /// Where the whole flow stands: what the operator may do next.
    public enum Phase {
        /// typing the host; [#prepare()] is next
        EDITING,
        PREPARING,
        /// installed and checked: [#switchOver()] (or [#rollBack()], which removes the package)
        READY,
        SWITCHING,
        /// the agent runs; [#rollBack()] returns to keepalived
        SWITCHED,
        ROLLING_BACK,
        ROLLED_BACK,
        /// a step failed; the host is as it was (the error says what was undone)
        FAILED
    }

    /// Opens an SSH session to a host (the console's connector).
    @FunctionalInterface
    public interface HostOpener {
        RemoteHost open(DirectorEndpoint endpoint, Duration timeout) throws IOException;
    }

    /// How long one remote command may take: `dpkg -i` of the package on a slow host.
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(3);
    /// How long the agent has to answer on its control socket after it was started.
    private static final Duration AGENT_START = Duration.ofSeconds(90);

    private final StringProperty host = new SimpleStringProperty("");
    private final StringProperty port = new SimpleStringProperty("");
    private final StringProperty user = new SimpleStringProperty("root");
    private final StringProperty key = new SimpleStringProperty("");
    private final StringProperty packageFile = new SimpleStringProperty("");
    private final BooleanProperty removePackage = new SimpleBooleanProperty(true);
    private final ReadOnlyObjectWrapper<Phase> phase = new ReadOnlyObjectWrapper<>(Phase.EDITING);
    private final Map<Step, ReadOnlyObjectWrapper<StepState>> steps = new EnumMap<>(Step.class);
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper();
    private final ReadOnlyDoubleWrapper uploaded = new ReadOnlyDoubleWrapper(0);
    private final ObservableList<String> facts = FXCollections.observableArrayList();
    private final ObservableList<String> factsView = FXCollections.unmodifiableObservableList(facts);
    private final ObservableList<String> findings = FXCollections.observableArrayList();
    private final ObservableList<String> findingsView = FXCollections.unmodifiableObservableList(findings);
    private final ObservableList<String> output = FXCollections.observableArrayList();
    private final ObservableList<String> outputView = FXCollections.unmodifiableObservableList(output);
    private final HostOpener opener;
    private final Executor work;
    private final ReadOnlyBooleanWrapper cancellable = new ReadOnlyBooleanWrapper();
    private Task<?> running;
    private RemoteHost remote;
    private RemoteInstall install;
    private HostFacts hostFacts;

    public AddDirectorViewModel(HostOpener opener, Executor work) {
        this.opener = opener;
        this.work = work;
        for (var s : Step.values()) {
            steps.put(s, new ReadOnlyObjectWrapper<>(StepState.PENDING));
        }
        besideTheConsole().ifPresent(p -> packageFile.set(p.toString()));
    }

    /// The agent's package next to the console (in its installation directory or one above), if any.
    static Optional<Path> besideTheConsole() {
        try {
            var location = Path.of(AddDirectorViewModel.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (var dir = location.getParent(); dir != null && location.getNameCount() - dir.getNameCount() <= 3;
                    dir = dir.getParent()) {
                try (var files = Files.list(dir)) {
                    var found = files.filter(f -> f.getFileName().toString().matches("pharos-agent_.*_amd64\\.deb"))
                            .sorted().toList();
                    if (!found.isEmpty()) {
                        return Optional.of(found.getLast());
                    }
                }
            }
        } catch (IOException | URISyntaxException | SecurityException | IllegalArgumentException e) {
            // no package beside it: the operator picks one
        }
        return Optional.empty();
    }

    /// Detect, upload, install, check: nothing runs on the host beyond the package's install, which
    /// starts nothing (the agent has no configuration yet). Ends in [Phase#READY], or [Phase#FAILED]
    /// with the package removed again.
    public void prepare() {
        if (phase.get() != Phase.EDITING && phase.get() != Phase.FAILED && phase.get() != Phase.ROLLED_BACK) {
            return;
        }
        DirectorEndpoint endpoint;
        Path deb;
        try {
            endpoint = endpoint();
            deb = Path.of(packageFile.get().strip());
            if (packageFile.get().isBlank() || !Files.isRegularFile(deb)) {
                throw new IllegalArgumentException("choose the agent's package (pharos-agent_VERSION_amd64.deb)");
            }
        } catch (IllegalArgumentException e) {
            error.set(e.getMessage());
            return;
        }
        for (var s : steps.values()) {
            s.set(StepState.PENDING);
        }
        error.set(null);
        facts.clear();
        findings.clear();
        output.clear();
        uploaded.set(0);
        phase.set(Phase.PREPARING);
        closeRemote();
        step(Step.DETECT, () -> {
            remote = opener.open(endpoint, COMMAND_TIMEOUT);
            install = new RemoteInstall(remote, this::print);
            return install.detect();
        }, found -> {
            hostFacts = found;
            facts.setAll(found.describe());
            if (!found.architecture().equals("amd64") && !found.architecture().equals("x86_64")) {
                fail(Step.DETECT, "the package is for amd64; this host is " + found.architecture() + ": nothing was changed");
                return;
            }
            if (found.keepalived() == null) {
                print("keepalived is not running: the agent will start on " + found.configFile());
            }
            upload(deb);
        }, "nothing was changed");
    }

    private void upload(Path deb) {
        step(Step.UPLOAD, () -> {
            long size = Files.size(deb);
            install.upload(deb, sent -> Platform.runLater(() -> uploaded.set(size == 0 ? 1 : (double) sent / size)));
            return null;
        }, done -> step(Step.INSTALL, () -> {
            install.install(hostFacts);
            return null;
        }, installed -> check(), "nothing of the package is left installed"), "nothing was installed");
    }

    private void check() {
        step(Step.CHECK, () -> install.checkConfig(hostFacts), result -> {
            findings.setAll(result.lines().isEmpty() ? List.of("no findings: the agent accepts the configuration as it is")
                    : result.lines());
            if (result.valid()) {
                phase.set(Phase.READY);
            } else {
                steps.get(Step.CHECK).set(StepState.FAILED);
                undoInstall("the agent refuses keepalived's configuration (see the findings)");
            }
        }, null);
    }

    /// Stops keepalived and starts the agent on its configuration, then waits for it to answer;
    /// if it does not, rolls back to keepalived and removes the package this flow installed.
    public void switchOver() {
        if (phase.get() != Phase.READY) {
            return;
        }
        phase.set(Phase.SWITCHING);
        step(Step.SWITCH, () -> {
            install.switchToAgent(hostFacts);
            return null;
        }, started -> step(Step.VERIFY, () -> install.verify(AGENT_START), status -> phase.set(Phase.SWITCHED),
                null), null);
    }

    /// Back to keepalived: stops the agent, starts keepalived as it ran, and (when
    /// [#removePackageProperty()] is set) purges the package.
    public void rollBack() {
        if (phase.get() != Phase.SWITCHED && phase.get() != Phase.READY) {
            return;
        }
        var remove = removePackage.get();
        phase.set(Phase.ROLLING_BACK);
        step(Step.ROLL_BACK, () -> {
            if (steps.get(Step.SWITCH).get() == StepState.PENDING) {
                if (remove) {
                    install.uninstall();
                }
            } else {
                install.rollBack(hostFacts, remove);
            }
            return null;
        }, done -> phase.set(Phase.ROLLED_BACK), null);
    }

    /// Stops the running step while it has changed nothing on the host (detecting or uploading; a
    /// partial upload is removed). Later steps are not cut short: an install or a switch stopped
    /// halfway is what the flow exists to avoid.
    public void cancel() {
        if (cancellable.get() && running != null) {
            running.cancel(true);
        }
    }

    /// Closes the SSH session (on the executor: a session to a host that stopped answering takes its time).
    public void close() {
        closeRemote();
    }

    private void closeRemote() {
        var r = remote;
        remote = null;
        if (r != null) {
            work.execute(r::close);
        }
    }

    /// Runs `body` as the task of `step`; on success hands its result to `then` (on the FX thread).
    /// On failure: the step fails; before the switch, `undone` says what the failed command left
    /// (null: undo the install); from the switch on, the host is rolled back to keepalived.
    private <T> void step(Step step, Callable<T> body, Consumer<T> then, String undone) {
        steps.get(step).set(StepState.RUNNING);
        print("── " + step.text());
        var task = new Task<T>() {
            @Override
            protected T call() throws Exception {
                return body.call();
            }
        };
        running = task;
        cancellable.set(step == Step.DETECT || step == Step.UPLOAD);
        task.setOnSucceeded(e -> {
            cancellable.set(false);
            steps.get(step).set(StepState.DONE);
            then.accept(task.getValue());
        });
        task.setOnCancelled(e -> {
            cancellable.set(false);
            fail(step, "cancelled; nothing was installed");
        });
        task.setOnFailed(e -> {
            cancellable.set(false);
            var why = message(task.getException());
            if (undone != null) {
                fail(step, why + (why.contains("; ") ? "" : "; " + undone));
            } else if (step == Step.CHECK) {
                steps.get(step).set(StepState.FAILED);
                undoInstall(why);
            } else if (step == Step.ROLL_BACK) {
                fail(step, why);
            } else {
                steps.get(step).set(StepState.FAILED);
                undoSwitch(why);
            }
        });
        work.execute(task);
    }

    private void undoInstall(String why) {
        var task = new Task<Void>() {
            @Override
            protected Void call() throws Exception {
                if (hostFacts.installedAgent() == null) {
                    install.uninstall();
                }
                return null;
            }
        };
        print("── Undo: remove the package");
        task.setOnSucceeded(e -> fail(null, why + "; " + (hostFacts.installedAgent() == null
                ? "the package was removed again" : "the version installed before was left") + ", keepalived was not touched"));
        task.setOnFailed(e -> fail(null, why + "; removing the package failed too: " + message(task.getException())));
        work.execute(task);
    }

    private void undoSwitch(String why) {
        var task = new Task<Void>() {
            @Override
            protected Void call() throws Exception {
                install.rollBack(hostFacts, hostFacts.installedAgent() == null);
                return null;
            }
        };
        print("── Undo: roll back to keepalived");
        task.setOnSucceeded(e -> fail(null, why + "; rolled back: " + (hostFacts.keepalived() == null
                ? "the agent was stopped" : "keepalived runs again") + (hostFacts.installedAgent() == null
                ? " and the package was removed" : "")));
        task.setOnFailed(e -> fail(null, why + "; the roll back failed too: " + message(task.getException())));
        work.execute(task);
    }

    private void fail(Step step, String why) {
        if (step != null) {
            steps.get(step).set(StepState.FAILED);
        }
        print("✗ " + why);
        error.set(why);
        phase.set(Phase.FAILED);
    }

    /// Output from any thread, shown in order on the FX thread.
    private void print(String line) {
        if (Platform.isFxApplicationThread()) {
            output.add(line);
        } else {
            Platform.runLater(() -> output.add(line));
        }
    }

    private static String message(Throwable e) {
        return e == null || e.getMessage() == null ? String.valueOf(e) : e.getMessage();
    }

    private DirectorEndpoint endpoint() {
        if (host.get().isBlank()) {
            throw new IllegalArgumentException("type the host's name or address");
        }
        int p;
        try {
            p = port.get().isBlank() ? 0 : Integer.parseInt(port.get().strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the port must be a number");
        }
        return new DirectorEndpoint(host.get().strip(), host.get().strip(), p,
                user.get().isBlank() ? null : user.get().strip(), key.get().isBlank() ? null : Path.of(key.get().strip()),
                null, null, DirectorEndpoint.Kind.PHAROS);
    }

    public StringProperty hostProperty() {
        return host;
    }

    public StringProperty portProperty() {
        return port;
    }

    public StringProperty userProperty() {
        return user;
    }

    public StringProperty keyProperty() {
        return key;
    }

    public StringProperty packageFileProperty() {
        return packageFile;
    }

    /// Whether a roll back also purges the package.
    public BooleanProperty removePackageProperty() {
        return removePackage;
    }

    public ReadOnlyObjectProperty<Phase> phaseProperty() {
        return phase.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<StepState> stateProperty(Step step) {
        return steps.get(step).getReadOnlyProperty();
    }

    /// Why the flow failed and what was undone; null while nothing failed.
    public ReadOnlyStringProperty errorProperty() {
        return error.getReadOnlyProperty();
    }

    /// Whether [#cancel()] may stop the running step.
    public ReadOnlyBooleanProperty cancellableProperty() {
        return cancellable.getReadOnlyProperty();
    }

    /// The share of the package uploaded, 0 to 1.
    public ReadOnlyDoubleProperty uploadedProperty() {
        return uploaded.getReadOnlyProperty();
    }

    /// What detection found, one line each.
    public ObservableList<String> facts() {
        return factsView;
    }

    /// Every line check-config printed.
    public ObservableList<String> findings() {
        return findingsView;
    }

    /// Every command run and what it printed.
    public ObservableList<String> output() {
        return outputView;
    }
}
