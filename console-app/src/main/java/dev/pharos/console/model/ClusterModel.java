package dev.pharos.console.model;

import dev.pharos.agent.api.AgentEvent;
import dev.pharos.agent.api.AgentState;
import dev.pharos.console.connect.DirectorConnection;
import dev.pharos.console.connect.LinkState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
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
    /// How often the split-brain rule asks again while it still lacks a fresh report.
    private static final Duration CONFIRM_RETRY = Duration.ofMillis(500);
    /// The console's clock; the lab's while a lab runs ([#clock(Clock)]).
    private Clock clock;
    private final Scheduler scheduler;
    private boolean standingStill;
    private final ReadOnlyObjectWrapper<Map<String, Drift>> drift = new ReadOnlyObjectWrapper<>(Map.of());
    /// How long directors must differ before it is shown as drift.
    static final Duration DRIFT_SETTLE = Duration.ofSeconds(5);
    /// The differences found at the last look, and since when each has stood unchanged.
    private final Map<String, Drift> driftSeen = new HashMap<>();
    private final Map<String, Instant> driftSince = new HashMap<>();
    private Instant pendingDriftLook;
    private final Map<String, Instant> confirmed = new HashMap<>();
    private Consumer<String> refresher = director -> { };
    private Consumer<String> reconnecter = director -> { };
    private Instant pendingLook;
    /// FX thread: directors changed since the last [#recheck], and whether one is queued.
    private final Set<DirectorModel> driftChanged = new LinkedHashSet<>();
    private boolean recheckQueued;

    /// @param fx where model changes run: `Platform::runLater` in the application, a direct
    ///           executor in tests that own the FX thread already
    public ClusterModel(String name, Executor fx) {
        this(name, fx, Clock.systemUTC(), Scheduler.daemon());
    }

    /// @param clock     the console's clock (the directors' clocks are taken to agree with it)
    /// @param scheduler runs the split-brain rule's re-checks
    public ClusterModel(String name, Executor fx, Clock clock, Scheduler scheduler) {
        this.name = name;
        this.fx = fx;
        this.clock = clock;
        this.scheduler = scheduler;
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
        return listener(directorOf(directorName, false));
    }

    /// Adds a director that runs plain keepalived, adopted read-only (FX thread), and returns the
    /// listener its reader reports to.
    public AdoptedListener adoptedListenerFor(String directorName) {
        var d = directorOf(directorName, true);
        var inner = listener(d);
        return new AdoptedListener() {
            @Override
            public void linkState(LinkState state) {
                inner.linkState(state);
            }

            @Override
            public void agentState(AgentState state) {
                inner.agentState(state);
            }

            @Override
            public void event(AgentEvent event) {
                inner.event(event);
            }

            @Override
            public void readings(HostReadings readings) {
                fx.execute(() -> {
                    d.readings(readings);
                    recheck(d, false);
                });
            }
        };
    }

    private DirectorModel directorOf(String directorName, boolean adopted) {
        return director(directorName).orElseGet(() -> {
            var created = new DirectorModel(directorName, this::record, this::now,
                    () -> reconnecter.accept(directorName), adopted);
            directors.add(created);
            return created;
        });
    }

    private DirectorConnection.Listener listener(DirectorModel d) {
        return new DirectorConnection.Listener() {
            @Override
            public void linkState(LinkState state) {
                fx.execute(() -> {
                    d.linkChanged(state);
                    recheck(d, true);
                });
            }

            @Override
            public void agentState(AgentState state) {
                fx.execute(() -> {
                    d.apply(state);
                    recheck(d, true);
                });
            }

            @Override
            public void event(AgentEvent event) {
                fx.execute(() -> {
                    d.apply(event);
                    if (event instanceof AgentEvent.VrrpTransition) {
                        recheck(d, false);
                    }
                });
            }
        };
    }

    /// FX thread: the split-brain rule (and, when `drift`, the drift of `changed`'s virtual servers)
    /// runs once after the changes already queued for the FX thread, not once per change: every
    /// 5 s all directors' states arrive together (the traffic charts read them), and judging the
    /// whole cluster after each of 50 states made the frame of their arrival miss its pulse.
    private void recheck(DirectorModel changed, boolean drift) {
        if (drift) {
            driftChanged.add(changed);
        }
        if (!recheckQueued) {
            recheckQueued = true;
            fx.execute(() -> {
                recheckQueued = false;
                checkSplitBrain();
                if (!driftChanged.isEmpty()) {
                    var changedNow = List.copyOf(driftChanged);
                    driftChanged.clear();
                    checkDrift(changedNow);
                }
            });
        }
    }

    /// FX thread: judges every VRRP group (the same VRID with the same virtual addresses) that
    /// more than one live director says it is MASTER of, by [SplitBrainRule]: marks the
    /// instances checking or split, notes the start and the end of a split brain on the
    /// timeline, asks for fresh states when the reports held are too old to decide, and comes
    /// back when the evidence could be complete.
    private void checkSplitBrain() {
        var masters = new TreeMap<String, List<InstanceModel>>();
        var reports = new TreeMap<String, List<SplitBrainRule.MasterReport>>();
        for (var d : directors) {
            if (d.livenessProperty().get() != Liveness.LIVE) {
                continue; // a last-known MASTER is not evidence
            }
            for (var i : d.instances()) {
                var report = i.masterReport(d.name());
                if (report != null) {
                    var key = "VRID " + i.vridProperty().get() + " (" + String.join(", ",
                            new TreeSet<>(i.virtualAddressesProperty().get())) + ")";
                    masters.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
                    reports.computeIfAbsent(key, k -> new ArrayList<>()).add(report);
                }
            }
        }
        var now = clock.instant();
        var marks = new HashMap<InstanceModel, SplitBrain>();
        var split = new TreeMap<String, List<String>>();
        Instant nextLook = null;
        for (var e : reports.entrySet()) {
            var verdict = SplitBrainRule.judge(e.getValue());
            var names = e.getValue().stream().map(SplitBrainRule.MasterReport::director).toList();
            switch (verdict) {
                case SplitBrainRule.Verdict.Single s -> {
                }
                case SplitBrainRule.Verdict.Split s -> {
                    split.put(e.getKey(), names);
                    masters.get(e.getKey()).forEach(i -> marks.put(i, SplitBrain.SPLIT));
                }
                case SplitBrainRule.Verdict.Checking c -> {
                    masters.get(e.getKey()).forEach(i -> marks.put(i, SplitBrain.CHECKING));
                    var at = c.confirmAfter();
                    if (standingStill) {
                        continue; // the agents' clock stands still too: nothing to ask yet
                    }
                    if (!now.isBefore(at)) {
                        // The time has come: the reports held are older than that, so ask.
                        for (var r : e.getValue()) {
                            if (r.trueAt().isBefore(at)) {
                                confirm(r.director(), now, r.masterDownInterval());
                            }
                        }
                        at = now.plus(CONFIRM_RETRY);
                    }
                    nextLook = nextLook == null || at.isBefore(nextLook) ? at : nextLook;
                }
            }
        }
        for (var d : directors) {
            for (var i : d.instances()) {
                i.splitBrain(marks.getOrDefault(i, SplitBrain.NONE));
            }
        }
        split.forEach((key, names) -> {
            if (!names.equals(splitBrains.get(key))) {
                record(new TimelineEntry(now, "cluster", "vrrp", key, "SPLIT BRAIN: MASTER on "
                        + String.join(" and ", names) + " at once for longer than Master_Down_Interval"
                        + " — they do not hear each other's adverts"));
            }
        });
        splitBrains.forEach((key, names) -> {
            if (!split.containsKey(key)) {
                record(new TimelineEntry(now, "cluster", "vrrp", key, "split brain over: one MASTER again"));
            }
        });
        splitBrains.clear();
        splitBrains.putAll(split);
        if (nextLook != null) {
            lookAgainAt(nextLook, now);
        }
    }

    /// Asks `director` for a fresh state, at most once per half its Master_Down_Interval.
    private void confirm(String director, Instant now, Duration masterDownInterval) {
        var last = confirmed.get(director);
        var gap = masterDownInterval.dividedBy(2);
        if (last == null || !now.isBefore(last.plus(gap.compareTo(CONFIRM_RETRY) < 0 ? gap : CONFIRM_RETRY))) {
            confirmed.put(director, now);
            refresher.accept(director);
        }
    }

    /// One pending re-check at a time, the earliest wanted.
    private void lookAgainAt(Instant at, Instant now) {
        if (pendingLook != null && !pendingLook.isAfter(at)) {
            return;
        }
        pendingLook = at;
        var delay = Duration.between(now, at);
        scheduler.schedule(delay.isNegative() ? Duration.ZERO : delay, () -> fx.execute(() -> {
            if (at.equals(pendingLook)) {
                pendingLook = null;
                checkSplitBrain();
            }
        }));
    }

    /// Sends the model's requests (fresh states for the split-brain rule, "Reconnect now") to the
    /// connection of the director named, when there is one (`connections` is read on the FX thread).
    public void commandsTo(Map<String, DirectorConnection> connections) {
        onConfirm(director -> {
            var c = connections.get(director);
            if (c != null) {
                c.refresh();
            }
        });
        onReconnect(director -> {
            var c = connections.get(director);
            if (c != null) {
                c.reconnectNow();
            }
        });
    }

    /// Where the console asks a director for a fresh `state.get` when the split-brain rule needs
    /// newer evidence (FX thread; by default nobody is asked and the periodic states decide).
    public void onConfirm(Consumer<String> refresh) {
        this.refresher = refresh;
    }

    /// FX thread: compares the live directors' virtual servers ([Drift]). A difference is shown only
    /// once it has stood for [#DRIFT_SETTLE]: an edit reaches the directors one after the other, so
    /// for a moment they differ on purpose. The property changes only when a shown difference
    /// appears, changes or goes.
    private void checkDrift(List<DirectorModel> changed) {
        var now = clock.instant();
        // Only what the change can touch: the virtual servers of the directors that changed, and
        // those that differed already (comparing all 200 against all 50 directors on each of 50
        // states took most of a frame). `changed == null` looks at everything.
        var ids = new LinkedHashSet<String>(driftSeen.keySet());
        for (var d : changed == null ? directors : changed) {
            d.virtualServers().forEach(v -> ids.add(v.id()));
        }
        var carriers = new LinkedHashMap<String, List<DirectorModel>>();
        for (var d : directors) {
            for (var v : d.virtualServers()) {
                if (ids.contains(v.id())) {
                    carriers.computeIfAbsent(v.id(), k -> new ArrayList<>()).add(d);
                }
            }
        }
        for (var id : ids) {
            var found = Drift.of(id, carriers.getOrDefault(id, List.of()));
            if (found.none()) {
                driftSeen.remove(id);
                driftSince.remove(id);
            } else if (!found.equals(driftSeen.put(id, found))) {
                driftSince.put(id, now); // new, or different: its clock starts again
            }
        }
        var raw = driftSeen;
        var shown = new TreeMap<String, Drift>();
        Instant next = null;
        for (var e : raw.entrySet()) {
            var settled = driftSince.get(e.getKey()).plus(DRIFT_SETTLE);
            if (!now.isBefore(settled)) {
                shown.put(e.getKey(), e.getValue());
            } else if (next == null || settled.isBefore(next)) {
                next = settled;
            }
        }
        if (!shown.equals(drift.get())) {
            drift.set(Map.copyOf(shown));
        }
        if (next != null && (pendingDriftLook == null || next.isBefore(pendingDriftLook))) {
            var at = next;
            pendingDriftLook = at;
            scheduler.schedule(Duration.between(now, at), () -> fx.execute(() -> {
                if (at.equals(pendingDriftLook)) {
                    pendingDriftLook = null;
                    checkDrift(null);
                }
            }));
        }
    }

    /// The virtual servers whose directors disagree, by id (FX thread; empty when they all agree).
    public ReadOnlyObjectProperty<Map<String, Drift>> driftProperty() {
        return drift.getReadOnlyProperty();
    }

    /// Where a director's "Reconnect now" goes (FX thread).
    public void onReconnect(Consumer<String> reconnect) {
        this.reconnecter = reconnect;
    }

    /// The lab stands still (step by step) until [#resumed]: its agents' clock stops, so the
    /// split-brain rule asks them nothing meanwhile (FX thread).
    public void paused() {
        standingStill = true;
    }

    /// The lab runs again (FX thread).
    public void resumed() {
        standingStill = false;
        checkSplitBrain();
    }

    /// When the console runs a delayed task (a re-check of the split-brain rule).
    @FunctionalInterface
    public interface Scheduler {
        void schedule(Duration delay, Runnable task);

        /// A daemon thread that only hands tasks on (they run through the model's executor).
        static Scheduler daemon() {
            var executor = Executors.newSingleThreadScheduledExecutor(
                    r -> Thread.ofPlatform().name("cluster-recheck").daemon().unstarted(r));
            return (delay, task) -> executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /// The VRRP groups in split brain right now: more than one live director has been MASTER of
    /// each for longer than its Master_Down_Interval (FX thread).
    public Map<String, List<String>> splitBrains() {
        return Map.copyOf(splitBrains);
    }

    /// From now on, the clock of the console's own timeline entries and of the split-brain rule
    /// (FX thread): the lab's, while a lab runs, which runs slower than the wall clock or stands
    /// still with its directors' — so the timeline has one clock, not lab time and wall time mixed.
    public void clock(Clock now) {
        clock = now;
    }

    /// The time on [#clock(Clock)]: what the console's own entries are stamped with.
    public Instant now() {
        return clock.instant();
    }

    /// Adds a line to the timeline (FX thread): edits the console makes, errors it shows.
    public void record(TimelineEntry entry) {
        timeline.add(entry);
        if (timeline.size() > TIMELINE_LIMIT) {
            timeline.remove(0, timeline.size() - TIMELINE_LIMIT);
        }
    }
}
