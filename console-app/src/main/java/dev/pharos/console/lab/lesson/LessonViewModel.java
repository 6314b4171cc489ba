package dev.pharos.console.lab.lesson;

import dev.pharos.agent.lab.LabTraffic;
import dev.pharos.console.lab.LabMode;
import dev.pharos.console.lab.LabSession;
import dev.pharos.console.lab.LabViewModel;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.concurrent.Task;

/// Runs a guided [Lesson] on the lab, one step at a time. Next runs the next step's actions
/// through the lab's own controls ([LabViewModel]) and ticks each of its observations as it
/// happens on the lab's clock, or says it was missed (not within its deadline, too early, or
/// contradicted). The first Next restarts the lab with the lesson's configuration.
///
/// Back returns the lab to the state before the current step by replaying: the lab restarts
/// from the lesson's configuration, the steps before the previous one run again, each waiting for
/// its observations, and then the previous step runs again in full view. The lab's VRRP and
/// checkers run in real time, so there is no faithful way to turn them back; a replay takes as
/// long as those steps took. Back at the first step restarts the lab and stands before it.
///
/// A trainer's own lesson file can be opened too ([#open(Path)]); its lab's files are read beside it.
/// Commands and properties belong to the FX thread; the lesson files and the lab's configuration
/// texts are read on the executor.
public final class LessonViewModel implements AutoCloseable {

    /// Where the runner stands.
    public enum State {
        /// The lesson list is loading, or no lesson is chosen yet.
        NO_LESSON,
        /// The lab is restarting for the lesson, or earlier steps are replaying (Back).
        LOADING,
        /// A lesson is chosen and stands before a step: Next runs it.
        READY,
        /// A step ran; its observations are being watched.
        WATCHING,
        /// Every observation of the step was seen or missed.
        DONE,
        /// The lesson or its lab could not load, or an action named something the lab has not
        /// (the message says which).
        FAILED
    }

    /// An observation's fate in the step shown.
    public enum Seen {
        PENDING, SEEN, MISSED
    }

    /// One observation of the step shown, ticked when it happens.
    public static final class ObservationRow {
        private final Observation observation;
        private final ReadOnlyObjectWrapper<Seen> seen = new ReadOnlyObjectWrapper<>(Seen.PENDING);
        private final ReadOnlyStringWrapper detail = new ReadOnlyStringWrapper("");
        /// Since when it has held without a break (for `for N s`), or null.
        private Instant holding;

        private ObservationRow(Observation observation) {
            this.observation = observation;
        }

        /// The observation as the lesson wrote it.
        public String text() {
            return observation.text();
        }

        public ReadOnlyObjectProperty<Seen> seenProperty() {
            return seen.getReadOnlyProperty();
        }

        /// When and how it was seen, or why it was missed.
        public ReadOnlyStringProperty detailProperty() {
            return detail.getReadOnlyProperty();
        }

        private void settle(Seen how, String text) {
            seen.set(how);
            detail.set(text);
        }
    }

    private static final Duration POLL = Duration.ofMillis(100);

    private final LabMode mode;
    private final Executor work;
    private final Consumer<Runnable> fx;
    private final double slack;
    private final ScheduledExecutorService ticker;
    private final AtomicBoolean pollQueued = new AtomicBoolean();
    private final ObservableList<Lesson> lessons = FXCollections.observableArrayList();
    private final ReadOnlyObjectWrapper<Lesson> lesson = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyIntegerWrapper step = new ReadOnlyIntegerWrapper(-1);
    private final ReadOnlyObjectWrapper<State> state = new ReadOnlyObjectWrapper<>(State.NO_LESSON);
    private final ReadOnlyStringWrapper stepTitle = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper narration = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper actions = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper("Reading the lessons…");
    private final ObservableList<ObservationRow> observations = FXCollections.observableArrayList();
    /// The read-only views handed out: one each, kept here, since such a view listens to its list
    /// only weakly and a listener on a view nobody keeps would stop hearing.
    private final ObservableList<Lesson> lessonsView = FXCollections.unmodifiableObservableList(lessons);
    private final ObservableList<ObservationRow> observationsView =
            FXCollections.unmodifiableObservableList(observations);
    private final ReadOnlyBooleanWrapper canNext = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper canBack = new ReadOnlyBooleanWrapper();
    /// The clients' results since the step shown began (their own threads add to it).
    private final List<LabTraffic.Result> results = new CopyOnWriteArrayList<>();

    /// The lessons a trainer opened from a file, and that file (their labs are beside it).
    private final Map<Lesson, Path> opened = new IdentityHashMap<>();
    /// Bumped by every choice and rebuild: a callback of an older one finds it changed and stops.
    private int generation;
    /// The generation whose lab load is awaited, or -1.
    private int awaiting = -1;
    /// The step a rebuild ends on (-1: before the first).
    private int target = -1;
    private boolean replaying;
    /// The lab was restarted for this lesson and no step has run on it yet.
    private boolean fresh;
    private volatile LabSession session;
    private Instant start;
    private volatile boolean watching;

    /// Call on the FX thread; `fx` runs on it. `slack` stretches every deadline (1 on screen; a
    /// test on a busy machine allows more).
    public LessonViewModel(LabMode mode, Executor work, Consumer<Runnable> fx, double slack) {
        this.mode = mode;
        this.work = work;
        this.fx = fx;
        this.slack = slack;
        this.ticker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("lesson ticker")
                .factory());
        ticker.scheduleAtFixedRate(() -> {
            if (watching && pollQueued.compareAndSet(false, true)) {
                fx.accept(this::poll);
            }
        }, POLL.toMillis(), POLL.toMillis(), TimeUnit.MILLISECONDS);
        mode.viewModelProperty().addListener((o, was, now) -> labChanged(now));
        mode.onRefused(text -> {
            if (awaiting == generation) {
                fail("the lesson's lab does not load: " + text.lines().findFirst().orElse(text));
            }
        });
        var read = new Task<List<Lesson>>() {
            @Override
            protected List<Lesson> call() throws Exception {
                return LessonCatalog.all();
            }
        };
        read.setOnSucceeded(e -> {
            lessons.setAll(read.getValue());
            message.set(lessons.isEmpty() ? "No lessons are shipped." : "Choose a lesson.");
        });
        read.setOnFailed(e -> fail("the lessons do not read: " + read.getException().getMessage()));
        work.execute(read);
    }

    /// The shipped lessons, in teaching order.
    public ObservableList<Lesson> lessons() {
        return lessonsView;
    }

    /// The lesson chosen, or null.
    public ReadOnlyObjectProperty<Lesson> lessonProperty() {
        return lesson.getReadOnlyProperty();
    }

    /// The step shown (0-based), -1 before the first.
    public ReadOnlyIntegerProperty stepProperty() {
        return step.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<State> stateProperty() {
        return state.getReadOnlyProperty();
    }

    /// "Step 2 of 5: Stop lvs-master", or what stands before the first step.
    public ReadOnlyStringProperty stepTitleProperty() {
        return stepTitle.getReadOnlyProperty();
    }

    /// What the trainer says at this step (the lesson's summary before the first).
    public ReadOnlyStringProperty narrationProperty() {
        return narration.getReadOnlyProperty();
    }

    /// What the step did to the lab, one action a line ("" for none).
    public ReadOnlyStringProperty actionsProperty() {
        return actions.getReadOnlyProperty();
    }

    /// Where the runner stands, in a sentence (a replay's progress, a failure, the step's tally).
    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    /// The observations of the step shown.
    public ObservableList<ObservationRow> observations() {
        return observationsView;
    }

    public ReadOnlyBooleanProperty canNextProperty() {
        return canNext.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canBackProperty() {
        return canBack.getReadOnlyProperty();
    }

    /// Chooses `chosen` and stands before its first step; the lab is untouched until Next.
    public void choose(Lesson chosen) {
        generation++;
        watching = false;
        awaiting = -1;
        fresh = false;
        lesson.set(chosen);
        step.set(-1);
        intro();
        state.set(chosen == null ? State.NO_LESSON : State.READY);
        message.set(chosen == null ? "Choose a lesson." : "Next starts the lesson: the lab restarts with "
                + (chosen.lab().isEmpty() ? "the seed's pair" : String.join(" and ", chosen.lab())) + ".");
        buttons();
    }

    /// Reads a trainer's own lesson file (on the executor), adds it to the list and chooses it; a
    /// file that does not read is reported with its `file:line:col`.
    public void open(Path file) {
        var read = new Task<Lesson>() {
            @Override
            protected Lesson call() throws Exception {
                return LessonCatalog.read(file);
            }
        };
        read.setOnSucceeded(e -> {
            var l = read.getValue();
            opened.put(l, file);
            lessons.add(l);
            choose(l);
        });
        read.setOnFailed(e -> fail("the lesson does not read: " + read.getException().getMessage()));
        work.execute(read);
    }

    /// Runs the next step (the first restarts the lab with the lesson's configuration).
    public void next() {
        var l = lesson.get();
        if (l == null || !canNext.get()) {
            return;
        }
        int k = step.get() + 1;
        if (k == 0 && !fresh) {
            rebuild(0);
        } else {
            run(k, false);
        }
    }

    /// Back to the previous step, the lab as it was before the current one (see the class comment:
    /// the lab restarts and the earlier steps replay).
    public void back() {
        if (lesson.get() == null || !canBack.get()) {
            return;
        }
        rebuild(step.get() - 1);
    }

    private void intro() {
        var l = lesson.get();
        stepTitle.set(l == null ? "" : "Before the first step (" + l.steps().size() + " steps)");
        narration.set(l == null ? "" : l.about());
        actions.set("");
        observations.clear();
    }

    private void rebuild(int to) {
        var l = lesson.get();
        if (mode.session() == null) {
            // the lesson's lab takes the running lab's real servers: there are none yet
            message.set("The lab is still starting: press Next again in a moment.");
            return;
        }
        int gen = ++generation;
        watching = false;
        target = to;
        state.set(State.LOADING);
        message.set("Restarting the lab for \"" + l.title() + "\"…");
        buttons();
        var read = new Task<List<LessonCatalog.Director>>() {
            @Override
            protected List<LessonCatalog.Director> call() throws Exception {
                var file = opened.get(l);
                return file == null ? LessonCatalog.lab(l) : LessonCatalog.lab(l, file);
            }
        };
        read.setOnSucceeded(e -> {
            if (gen != generation) {
                return;
            }
            awaiting = gen;
            mode.load(read.getValue().stream().map(LessonCatalog.Director::name).toList(),
                    read.getValue().stream().map(LessonCatalog.Director::configText).toList());
        });
        read.setOnFailed(e -> {
            if (gen == generation) {
                fail("the lesson's lab does not read: " + read.getException().getMessage());
            }
        });
        work.execute(read);
    }

    /// The lab mode has a new lab: the one a rebuild asked for, or one the trainer loaded.
    private void labChanged(LabViewModel now) {
        if (now == null) {
            return;
        }
        var current = mode.session();
        session = current;
        current.traffic().addListener(r -> {
            if (session == current) {
                results.add(r);
            }
        });
        if (awaiting != generation) {
            if (lesson.get() != null && state.get() != State.NO_LESSON) {
                // another lab replaced the lesson's: its steps would run on the wrong directors
                generation++;
                watching = false;
                fresh = false;
                step.set(-1);
                intro();
                state.set(State.READY);
                message.set("Another lab was loaded: Next restarts the lesson's lab.");
                buttons();
            }
            return;
        }
        awaiting = -1;
        fresh = true;
        if (target < 0) {
            step.set(-1);
            intro();
            state.set(State.READY);
            message.set("The lab is restarted: Next runs the first step.");
            buttons();
        } else {
            run(0, target > 0);
        }
    }

    private void run(int k, boolean replay) {
        var l = lesson.get();
        var s = l.steps().get(k);
        fresh = false;
        replaying = replay;
        if (!replay) {
            target = k;
        }
        step.set(k);
        var rows = s.observations().stream().map(ObservationRow::new).toList();
        observations.setAll(rows);
        if (replay) {
            stepTitle.set("Rebuilding the lab before step " + (target + 1));
            narration.set("");
            actions.set("");
            message.set("Replaying step " + (k + 1) + " of " + l.steps().size() + ": " + s.title() + "…");
            state.set(State.LOADING);
        } else {
            stepTitle.set("Step " + (k + 1) + " of " + l.steps().size() + ": " + s.title());
            narration.set(s.narration());
            actions.set(String.join("\n", s.actions().stream().map(a -> "▶ " + a.text()).toList()));
            message.set("Watching…");
            state.set(State.WATCHING);
        }
        buttons();
        results.clear();
        start = session.lab().now();
        var lab = mode.viewModelProperty().get();
        lab.dismissHint();
        for (var a : s.actions()) {
            var problem = perform(lab, a);
            if (problem.isPresent()) {
                fail("step " + (k + 1) + ", '" + a.text() + "': " + problem.get());
                return;
            }
        }
        watching = true;
    }

    /// Does `action` through the lab's controls; what was wrong with it, if it names something
    /// the lab does not have.
    private static Optional<String> perform(LabViewModel lab, Action action) {
        switch (action) {
            case Action.Director d -> {
                if (lab.directors().stream().noneMatch(c -> c.name().equals(d.director()))) {
                    return Optional.of("no director " + d.director() + " in this lab");
                }
                switch (d.verb()) {
                    case STOP -> lab.stopDirector(d.director());
                    case KILL -> lab.killDirector(d.director());
                    case START -> lab.startDirector(d.director());
                }
            }
            case Action.RealServer r -> {
                var server = server(lab, r.server());
                if (server.isEmpty()) {
                    return Optional.of("no real server " + r.server() + " in this lab");
                }
                switch (r.verb()) {
                    case FAIL -> lab.failRealServer(server.get());
                    case RESTORE -> lab.restoreRealServer(server.get());
                    case DRAIN -> lab.drain(server.get());
                    case UNDRAIN -> lab.undrain(server.get());
                }
            }
            case Action.Weight w -> {
                var server = server(lab, w.server());
                if (server.isEmpty()) {
                    return Optional.of("no real server " + w.server() + " in this lab");
                }
                lab.setWeight(server.get(), w.weight());
            }
            case Action.Priority p -> {
                var director = lab.directors().stream().filter(c -> c.name().equals(p.director())).findFirst();
                if (director.isEmpty()) {
                    return Optional.of("no director " + p.director() + " in this lab");
                }
                if (!director.get().instances().contains(p.instance())) {
                    return Optional.of(p.director() + " has no instance " + p.instance());
                }
                director.get().select(p.instance());
                lab.setPriority(director.get(), p.priority());
            }
            case Action.Link link -> {
                if (link.cut()) {
                    lab.partition();
                } else {
                    lab.heal();
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<LabViewModel.RealServer> server(LabViewModel lab, String name) {
        return lab.realServers().stream().filter(r -> r.address().equals(name) || Check.name(r.label()).equals(name))
                .findFirst();
    }

    /// FX thread: checks each observation still pending; when none is, the step is done (and a
    /// replay goes on with the next step).
    private void poll() {
        pollQueued.set(false);
        var current = session;
        if (!watching || current == null) {
            return;
        }
        var now = current.lab().now();
        var facts = new Check.Facts(current.cluster(), current.lab(), List.copyOf(results), start, now, slack);
        var elapsed = Duration.between(start, now);
        boolean pending = false;
        for (var row : observations) {
            if (row.seen.get() != Seen.PENDING) {
                continue;
            }
            var o = row.observation;
            var verdict = Check.check(o.condition(), facts);
            var within = Duration.ofNanos((long) (o.within().toNanos() * slack));
            if (verdict.outcome() == Check.Outcome.SEEN && o.lasting().isPositive()) {
                // held since when? it counts once it has held for the whole span
                if (row.holding == null) {
                    row.holding = now;
                }
                if (Duration.between(row.holding, now).compareTo(o.lasting()) < 0) {
                    verdict = Check.Verdict.NOT_YET;
                } else {
                    verdict = Check.Verdict.seen(verdict.detail() + ", for " + Check.seconds(o.lasting()) + " s");
                }
            } else if (verdict.outcome() == Check.Outcome.NOT_YET) {
                row.holding = null;
            }
            switch (verdict.outcome()) {
                case SEEN -> {
                    if (elapsed.compareTo(o.notBefore()) < 0) {
                        row.settle(Seen.MISSED, "seen after " + Check.seconds(elapsed) + " s, sooner than expected (not "
                                + "before " + Check.seconds(o.notBefore()) + " s): " + verdict.detail());
                    } else {
                        row.settle(Seen.SEEN, "after " + Check.seconds(elapsed) + " s: " + verdict.detail());
                    }
                }
                case CONTRADICTED -> row.settle(Seen.MISSED, verdict.detail());
                case NOT_YET -> {
                    if (elapsed.compareTo(within) > 0) {
                        row.settle(Seen.MISSED, "not seen within " + Check.seconds(within) + " s");
                    } else {
                        pending = true;
                    }
                }
            }
        }
        if (pending) {
            return;
        }
        watching = false;
        int k = step.get();
        if (replaying) {
            run(k + 1, k + 1 < target);
            return;
        }
        long seen = observations.stream().filter(r -> r.seen.get() == Seen.SEEN).count();
        message.set(seen == observations.size() ? "All " + seen + " observations seen."
                : seen + " of " + observations.size() + " observations seen.");
        state.set(State.DONE);
        buttons();
    }

    private void fail(String why) {
        watching = false;
        awaiting = -1;
        state.set(State.FAILED);
        message.set(why);
        buttons();
    }

    private void buttons() {
        var l = lesson.get();
        var s = state.get();
        canNext.set(l != null && (s == State.READY || s == State.WATCHING || s == State.DONE)
                && step.get() < l.steps().size() - 1);
        canBack.set(l != null && s != State.LOADING && s != State.NO_LESSON && step.get() >= 0);
    }

    /// The observations that were missed in the step shown, with why (for tests and logs).
    public List<String> missed() {
        var out = new ArrayList<String>();
        observations.stream().filter(r -> r.seen.get() == Seen.MISSED)
                .forEach(r -> out.add(r.text() + " — " + r.detail.get()));
        return out;
    }

    /// Stops watching (the ticker's thread ends).
    @Override
    public void close() {
        watching = false;
        ticker.shutdownNow();
    }
}
