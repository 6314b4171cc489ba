package dev.pharos.console.lab;

import dev.pharos.agent.api.Addresses;
import dev.pharos.agent.config.VrrpInstanceDef;
import dev.pharos.agent.lab.LabTraffic;
import dev.pharos.console.edit.Edit;
import dev.pharos.console.edit.EditService;
import dev.pharos.console.model.ClusterModel;
import dev.pharos.console.model.InstanceModel;
import dev.pharos.console.model.DirectorModel;
import dev.pharos.console.model.Liveness;
import dev.pharos.console.model.ServedAs;
import dev.pharos.console.model.SplitBrain;
import dev.pharos.console.model.VrrpState;
import dev.pharos.console.topology.MotionViewModel;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javafx.beans.InvalidationListener;
import javafx.beans.Observable;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.value.ChangeListener;
import javafx.collections.FXCollections;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.concurrent.WorkerStateEvent;

/// What the lab's controls show and do, for one running lab ([LabSession]): the scenarios (stop,
/// kill, start a director; fail, restore, drain a real server; cut and heal the link), step by
/// step, the clients' rate and where each VIP's requests go. Scenarios run on the application's
/// executor; changes to the directors' tables and priorities are [Edit]s sent through the
/// [EditService], as the topology's are, so they show pending, can be undone and a refusal is
/// reported. Commands and properties belong to the FX thread.
public final class LabViewModel {

    private final ReadOnlyStringWrapper hint = new ReadOnlyStringWrapper("");
    /// Instances the trainer chose not to pause on.
    private final Set<String> skipped = new HashSet<>();

    /// Step by step: off, running to the next VRRP transition, or standing at one.
    public enum StepState {
        OFF, RUNNING, PAUSED
    }

    /// A VIP's clients: no answer yet, answered by the last request, or failing.
    public enum TrafficState {
        WAITING, ANSWERING, FAILING
    }

    /// Who holds a VIP: one live director as MASTER (or two for a moment, at a takeover), none, or
    /// two for longer than a takeover lasts (a split brain).
    public enum Ownership {
        HELD, NONE, SPLIT
    }

    /// A real server of the lab, by the address its controls name it by.
    public record RealServer(String address, String label) {
    }

    private static final int MIN_PRIORITY = 1;
    private static final int MAX_PRIORITY = 254;

    private final LabSession session;
    private final ClusterModel cluster;
    private final EditService edits;
    private final Consumer<Runnable> fx;
    private final List<DirectorControls> directors = new ArrayList<>();
    private final List<RealServer> realServers = new ArrayList<>();
    private final List<VipTraffic> vips = new ArrayList<>();
    /// Whether step by step is on (the state says whether it stands at a transition).
    private final ReadOnlyBooleanWrapper stepping = new ReadOnlyBooleanWrapper();
    private final ReadOnlyObjectWrapper<StepState> stepState = new ReadOnlyObjectWrapper<>(StepState.OFF);
    private final ReadOnlyStringWrapper stepMessage = new ReadOnlyStringWrapper("");
    private final ReadOnlyDoubleWrapper rate;
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper error = new ReadOnlyBooleanWrapper();
    /// "virtual server|real server" → the weight it had before the lab drained it (FX thread).
    private final Map<String, Integer> drainedWeights = new HashMap<>();
    private final AtomicBoolean refreshQueued = new AtomicBoolean();
    private final ReadOnlyStringWrapper proxiedNote = new ReadOnlyStringWrapper("");
    /// Undoes the listeners of the last [#watchOwners()] (the directors and instances change).
    private final List<Runnable> unwatch = new ArrayList<>();
    /// On the cluster model, which outlives this lab: removed by [#dispose()].
    private final ListChangeListener<DirectorModel> directorsChanged = c -> watchOwners();
    private final LabSpeedViewModel speed;
    /// One read-only view of the explanations for every caller: a wrapper listens to its list only
    /// weakly, so a new one per call could drop its listeners at the next garbage collection.
    private final ObservableList<String> explanations;

    /// Call on the FX thread; `fx` runs on it (the clients' answers arrive on their own threads).
    public LabViewModel(LabSession session, EditService edits, Consumer<Runnable> fx) {
        this.session = session;
        this.cluster = session.cluster();
        this.edits = edits;
        this.fx = fx;
        this.rate = new ReadOnlyDoubleWrapper(session.traffic().rate());
        this.speed = new LabSpeedViewModel(session, fx);
        this.explanations = FXCollections.unmodifiableObservableList(session.explanations());
        for (var name : session.directors()) {
            var instances = session.lab().config(name).map(c -> c.vrrpInstances().stream().map(VrrpInstanceDef::name)
                    .toList()).orElse(List.of());
            directors.add(new DirectorControls(name, instances));
        }
        session.realServers().forEach((address, label) -> realServers.add(new RealServer(address, label)));
        // by name, web-1 first: the lab hands them over in no fixed order, and the rows must not move between runs
        realServers.sort(Comparator.comparing(RealServer::label));
        for (var t : session.traffic().targets()) {
            vips.add(new VipTraffic(t.toString(), Addresses.text(t.vip())));
        }
        session.pausedAtProperty().addListener((o, was, now) -> showStep());
        stepping.addListener((o, was, now) -> showStep());
        session.traffic().addListener(this::observe);
        cluster.directors().addListener(directorsChanged);
        watchOwners();
        if (!directors.isEmpty()) {
            var first = directors.getFirst().name();
            hint.set("First time? Stop " + first + " (its Stop button above): watch its VIP move to the other "
                    + "director in the topology and in \"held by\", the clients' answers switch over, and read why here.");
        }
    }

    /// Lets go of the cluster model, which outlives this lab (FX thread): the lab mode calls it when
    /// another pair replaces the lab, so the replaced view model neither follows the new directors
    /// nor stays reachable from the model.
    public void dispose() {
        cluster.directors().removeListener(directorsChanged);
        unwatch.forEach(Runnable::run);
        unwatch.clear();
        directors.forEach(DirectorControls::dispose);
    }

    /// "Training lab — lvs-master and lvs-backup": the lab's directors, whichever pair runs.
    public String title() {
        var names = directors.stream().map(DirectorControls::name).toList();
        return "Training lab — " + (names.size() < 2 ? String.join("", names)
                : String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.getLast());
    }

    /// How the lab's data path differs from a real director's, while a virtual server is proxied
    /// ("" while none is): the lab has no kernel IPVS, so its user-space balancer relays DR services.
    public ReadOnlyStringProperty proxiedNoteProperty() {
        return proxiedNote.getReadOnlyProperty();
    }

    /// What moves on the topology: adverts, VIPs, requests.
    public MotionViewModel motion() {
        return session.motion();
    }

    /// How fast the lab runs: slow motion and stop.
    public LabSpeedViewModel speed() {
        return speed;
    }

    /// A first step for a class, until the trainer runs a scenario ("" after that).
    public ReadOnlyStringProperty hintProperty() {
        return hint.getReadOnlyProperty();
    }

    /// A guided lesson leads the class now: the first-time hint gives way.
    public void dismissHint() {
        hint.set("");
    }

    /// The lab's directors, each with its controls, in the lab's order.
    public List<DirectorControls> directors() {
        return List.copyOf(directors);
    }

    public List<RealServer> realServers() {
        return List.copyOf(realServers);
    }

    /// The real servers of the lab that no virtual server has yet: something a class can add.
    public List<RealServer> spares() {
        var out = new ArrayList<RealServer>();
        session.spares().forEach((address, label) -> out.add(new RealServer(address, label)));
        return out;
    }

    /// Each VIP:port the clients send to.
    public List<VipTraffic> vips() {
        return List.copyOf(vips);
    }

    /// Why each VRRP transition happened, newest first.
    public ObservableList<String> explanations() {
        return explanations;
    }

    public ReadOnlyObjectProperty<StepState> stepStateProperty() {
        return stepState.getReadOnlyProperty();
    }

    /// What step by step is doing: where the lab stands and why, or that it will stop at the next
    /// transition; empty while off.
    public ReadOnlyStringProperty stepMessageProperty() {
        return stepMessage.getReadOnlyProperty();
    }

    /// The clients' requests per second per VIP.
    public ReadOnlyDoubleProperty rateProperty() {
        return rate.getReadOnlyProperty();
    }

    /// What the last command did or why it was refused.
    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    /// Whether [#statusProperty()] reports a refusal or failure.
    public ReadOnlyBooleanProperty errorProperty() {
        return error.getReadOnlyProperty();
    }

    /// Step by step: while on, the lab pauses at the next VRRP transition on any director.
    public void stepping(boolean on) {
        hint.set(""); // the trainer has found the controls
        session.stepping(on);
        stepping.set(on);
    }

    /// The VRRP instances of the lab's directors, in their order (the step-by-step choices).
    public List<String> instanceNames() {
        var names = new LinkedHashSet<String>();
        directors.forEach(d -> names.addAll(d.instances()));
        return List.copyOf(names);
    }

    /// Step by step pauses at `instance`'s transitions or not (at first: every instance's).
    public void pauseOn(String instance, boolean on) {
        if (on) {
            skipped.remove(instance);
        } else {
            skipped.add(instance);
        }
        var watched = new LinkedHashSet<>(instanceNames());
        watched.removeAll(skipped);
        // all of them: none named (a reload's new instance is watched too)
        session.watch(skipped.isEmpty() ? Set.of() : watched.isEmpty() ? Set.of("(none)") : watched);
    }

    /// Step by step: lets the lab run to the next transition.
    public void resume() {
        session.resume();
    }

    public void rate(double perSecond) {
        session.traffic().rate(perSecond);
        rate.set(perSecond);
    }

    public void stopDirector(String name) {
        scenario("stop " + name + " (graceful: priority 0)", lab -> lab.stopDirector(name));
    }

    public void killDirector(String name) {
        scenario("kill " + name + " (crash: no priority 0)", lab -> lab.killDirector(name));
    }

    public void startDirector(String name) {
        scenario("start " + name, lab -> lab.startDirector(name));
    }

    public void failRealServer(RealServer server) {
        scenario("fail real server " + server.label(), lab -> lab.failRealServer(InetAddress.getByName(server.address())));
    }

    public void restoreRealServer(RealServer server) {
        scenario("restore real server " + server.label(),
                lab -> lab.restoreRealServer(InetAddress.getByName(server.address())));
    }

    /// Cuts the link between the directors: VRRP adverts no longer pass.
    public void partition() {
        scenario("partition: VRRP adverts no longer pass (split brain)", lab -> lab.partition());
    }

    public void heal() {
        scenario("heal the link", lab -> lab.heal());
    }

    /// Weight 0 for the real server in every virtual server that has it, on every live director:
    /// new connections go elsewhere, open ones finish. One edit per virtual server, remembering
    /// the weight it had.
    public void drain(RealServer server) {
        session.started("drain real server " + server.label()
                + " (weight 0 on every director: new connections go elsewhere, open ones finish)");
        var sent = new LinkedHashSet<String>();
        forEachRealServer(server.address(), (vs, rs, weight) -> {
            var key = vs + "|" + rs;
            // A director where it is drained already says nothing of the weight to give back.
            if (weight != 0 && sent.add(key)) {
                drainedWeights.put(key, weight);
                submit(new Edit.SetWeight(vs, rs, 0, weight));
            }
        });
    }

    /// Gives back the weight a [#drain(RealServer)] took (1 where none is remembered).
    public void undrain(RealServer server) {
        session.started("undrain real server " + server.label());
        var sent = new LinkedHashSet<String>();
        forEachRealServer(server.address(), (vs, rs, weight) -> {
            var key = vs + "|" + rs;
            if (weight == 0 && sent.add(key)) {
                var before = drainedWeights.remove(key);
                submit(new Edit.SetWeight(vs, rs, before == null ? 1 : before, 0));
            }
        });
    }

    /// `weight` for the real server in every virtual server that has it, on every live director
    /// (a lesson's `weight` step); its undo gives back the weight each had.
    public void setWeight(RealServer server, int weight) {
        session.started("weight " + weight + " for real server " + server.label() + " on every director");
        var sent = new LinkedHashSet<String>();
        forEachRealServer(server.address(), (vs, rs, old) -> {
            if (old != weight && sent.add(vs + "|" + rs)) {
                submit(new Edit.SetWeight(vs, rs, weight, old));
            }
        });
    }

    /// The priority of `director`'s chosen instance (see [DirectorControls#select(String)]); its
    /// undo gives back the priority it ran at.
    public void setPriority(DirectorControls director, int priority) {
        var instance = director.instance.get();
        var old = cluster.director(director.name()).flatMap(d -> d.instance(instance))
                .map(i -> i.priorityProperty().get()).orElse(priority);
        director.pending.set(true);
        submit(new Edit.SetPriority(director.name(), instance, priority, old), () -> director.pending.set(false));
    }

    @FunctionalInterface
    private interface RealServerVisitor {
        void visit(String virtualServer, String realServer, int weight);
    }

    /// Every real server at `address` in the live directors' tables, as the console knows them.
    private void forEachRealServer(String address, RealServerVisitor visitor) {
        for (var d : cluster.directors()) {
            if (d.livenessProperty().get() != Liveness.LIVE) {
                continue;
            }
            for (var vs : d.virtualServers()) {
                for (var rs : vs.realServers()) {
                    if (address.equals(rs.addressProperty().get())) {
                        visitor.visit(vs.id(), rs.id(), rs.weightProperty().get());
                    }
                }
            }
        }
    }

    private void scenario(String what, LabSession.Scenario step) {
        hint.set("");
        report(false, what);
        var task = session.scenario(what, step);
        task.addEventHandler(WorkerStateEvent.WORKER_STATE_FAILED,
                e -> report(true, what + " failed: " + task.getException().getMessage()));
    }

    private void submit(Edit edit) {
        submit(edit, () -> { });
    }

    private void submit(Edit edit, Runnable answered) {
        report(false, "sending: " + edit.describe() + "…");
        edits.submit(edit, outcome -> {
            answered.run();
            if (outcome.ok()) {
                report(false, "applied: " + edit.describe() + " on " + String.join(", ", outcome.applied()));
            } else {
                report(true, "refused: " + edit.describe() + " — " + outcome.failures().entrySet().stream()
                        .map(e -> e.getKey() + ": " + e.getValue()).reduce((a, b) -> a + "; " + b).orElse(""));
            }
        });
    }

    private void report(boolean failed, String text) {
        error.set(failed);
        status.set(text);
    }

    private void showStep() {
        var pausedAt = session.pausedAtProperty().get();
        if (pausedAt != null) {
            stepState.set(StepState.PAUSED);
            stepMessage.set(pausedAt);
        } else if (stepping.get()) {
            stepState.set(StepState.RUNNING);
            stepMessage.set("Running: the lab will stop at the next transition.");
        } else {
            stepState.set(StepState.OFF);
            stepMessage.set("");
        }
    }

    /// A client's answer (its own thread).
    private void observe(LabTraffic.Result r) {
        for (var v : vips) {
            if (v.vip.equals(r.vip())) {
                v.count(r);
            }
        }
        // At most one refresh queued: 50 requests/s must not flood the FX thread.
        if (refreshQueued.compareAndSet(false, true)) {
            fx.accept(this::refresh);
        }
    }

    private void refresh() {
        refreshQueued.set(false);
        vips.forEach(VipTraffic::refresh);
    }

    /// Follows what decides who holds each VIP — the directors' liveness, their instances' states
    /// and addresses — and whether a virtual server is proxied (FX thread).
    private void watchOwners() {
        unwatch.forEach(Runnable::run);
        unwatch.clear();
        for (var d : cluster.directors()) {
            watch(d.livenessProperty());
            watch(d.instances());
            watch(d.virtualServers());
            for (var i : d.instances()) {
                watch(i.stateProperty());
                watch(i.vridProperty());
                watch(i.virtualAddressesProperty());
                watch(i.splitBrainStateProperty());
            }
            for (var v : d.virtualServers()) {
                watch(v.servedAsProperty());
            }
        }
        showOwners();
    }

    private void watch(Observable o) {
        // a list's change adds or drops an instance or a virtual server: watch anew
        InvalidationListener l = o instanceof ObservableList<?> ? x -> watchOwners() : x -> showOwners();
        o.addListener(l);
        unwatch.add(() -> o.removeListener(l));
    }

    private void showOwners() {
        for (var v : vips) {
            var holders = new ArrayList<String>();
            var groups = new LinkedHashSet<String>();
            var split = new AtomicBoolean();
            for (var d : cluster.directors()) {
                d.instanceHolding(v.address()).ifPresent(i -> {
                    groups.add("VRID " + i.vridProperty().get() + " (" + i.name() + ")");
                    if (d.livenessProperty().get() == Liveness.LIVE && i.stateProperty().get() == VrrpState.MASTER) {
                        holders.add(d.name());
                        split.compareAndSet(false, i.splitBrainStateProperty().get() == SplitBrain.SPLIT);
                    }
                });
            }
            v.owned(String.join(", ", groups), holders, split.get());
        }
        var proxied = cluster.directors().stream().flatMap(d -> d.virtualServers().stream())
                .anyMatch(v -> ServedAs.fromWire(v.servedAsProperty().get()) == ServedAs.PROXIED);
        proxiedNote.set(proxied ? "Unlike real LVS-DR, the lab's services are proxied in user space: replies return through "
                + "the director, where in DR the real server answers the client directly." : "");
    }

    /// One director's controls: its VRRP instances, the one chosen, the priority that instance runs
    /// at as the director reports it, and whether a priority change is in flight.
    ///
    /// The running priority, not the configured one (the agent's `basePriority`): a priority
    /// change sets the running one and leaves the configuration as it is. Nothing in the lab is
    /// tracked, so the two differ only by such changes.
    public final class DirectorControls {

        private final String name;
        private final List<String> instances;
        private final ReadOnlyStringWrapper instance;
        private final ReadOnlyIntegerWrapper priority = new ReadOnlyIntegerWrapper(100);
        private final ReadOnlyBooleanWrapper pending = new ReadOnlyBooleanWrapper();
        private final ChangeListener<Number> followPriority = (o, was, now) -> show(now.intValue());
        private final ListChangeListener<InstanceModel> instancesChanged = c -> follow();
        private Runnable dropListener = () -> { };
        private InstanceModel followed;

        private DirectorControls(String name, List<String> instances) {
            this.name = name;
            this.instances = instances;
            this.instance = new ReadOnlyStringWrapper(instances.isEmpty() ? null : instances.getFirst());
            cluster.director(name).ifPresent(d -> {
                d.instances().addListener(instancesChanged);
                dropListener = () -> d.instances().removeListener(instancesChanged);
            });
            follow();
        }

        private void dispose() {
            dropListener.run();
            if (followed != null) {
                followed.priorityProperty().removeListener(followPriority);
                followed = null;
            }
        }

        public String name() {
            return name;
        }

        /// The VRRP instances of the director's configuration.
        public List<String> instances() {
            return instances;
        }

        /// The instance a priority change goes to.
        public ReadOnlyStringProperty instanceProperty() {
            return instance.getReadOnlyProperty();
        }

        /// The chosen instance's running priority, as the director reports it (1–254; 100 until it does).
        public ReadOnlyIntegerProperty priorityProperty() {
            return priority.getReadOnlyProperty();
        }

        /// Whether a priority change for this director is waiting for its answer.
        public ReadOnlyBooleanProperty pendingProperty() {
            return pending.getReadOnlyProperty();
        }

        public void select(String instanceName) {
            instance.set(instanceName);
            follow();
        }

        /// Follows the chosen instance's priority (the instance appears with the director's first
        /// state, and a priority edit or its undo changes it).
        private void follow() {
            var now = cluster.director(name).flatMap(d -> d.instance(instance.get())).orElse(null);
            if (now == followed) {
                return;
            }
            if (followed != null) {
                followed.priorityProperty().removeListener(followPriority);
            }
            followed = now;
            if (now != null) {
                now.priorityProperty().addListener(followPriority);
                show(now.priorityProperty().get());
            }
        }

        private void show(int running) {
            // 255 (the address owner) and 0 (a stopping director) cannot be set from here: the
            // control keeps its value.
            if (running >= MIN_PRIORITY && running <= MAX_PRIORITY) {
                priority.set(running);
            }
        }
    }

    /// The clients of one VIP:port: where the last request went, and how many answered or failed
    /// through which director from which real server.
    public static final class VipTraffic {

        private final String vip;
        private final String address;
        private final AtomicLong ok = new AtomicLong();
        private final AtomicLong failed = new AtomicLong();
        private volatile LabTraffic.Result last;
        /// "director → real server's answer" → answers, sorted.
        private final Map<String, AtomicLong> paths = new ConcurrentSkipListMap<>();
        private final ReadOnlyStringWrapper summary;
        private final ReadOnlyObjectWrapper<TrafficState> state = new ReadOnlyObjectWrapper<>(TrafficState.WAITING);
        private final ReadOnlyStringWrapper group = new ReadOnlyStringWrapper("");
        private final ReadOnlyStringWrapper holder = new ReadOnlyStringWrapper("");
        private final ReadOnlyObjectWrapper<Ownership> ownership = new ReadOnlyObjectWrapper<>(Ownership.NONE);
        private final ReadOnlyStringWrapper answer = new ReadOnlyStringWrapper("waiting for the first answer");

        private VipTraffic(String vip, String address) {
            this.vip = vip;
            this.address = address;
            this.summary = new ReadOnlyStringWrapper(vip + ": waiting for the first answer");
        }

        /// The VIP:port, e.g. `192.0.2.100:80`.
        public String vip() {
            return vip;
        }

        /// The VIP's address alone, e.g. `192.0.2.100`.
        public String address() {
            return address;
        }

        /// The last answer, the counts and the paths, one per line.
        public ReadOnlyStringProperty summaryProperty() {
            return summary.getReadOnlyProperty();
        }

        public ReadOnlyObjectProperty<TrafficState> stateProperty() {
            return state.getReadOnlyProperty();
        }

        /// The VRRP group that carries the VIP, e.g. `VRID 90 (VI_1)`.
        public ReadOnlyStringProperty groupProperty() {
            return group.getReadOnlyProperty();
        }

        /// Who holds the VIP as MASTER: a director's name, "nobody", or the names of a split brain.
        public ReadOnlyStringProperty holderProperty() {
            return holder.getReadOnlyProperty();
        }

        public ReadOnlyObjectProperty<Ownership> ownershipProperty() {
            return ownership.getReadOnlyProperty();
        }

        /// The last answer and the counts, one short line: `→ lvs-master → web-1 · ok 12, failed 0`.
        public ReadOnlyStringProperty answerProperty() {
            return answer.getReadOnlyProperty();
        }

        /// Two MASTERs are a split brain once the console's rule says so ([SplitBrain#SPLIT]); until
        /// then they may be a takeover in progress, "checking" as the director cards say.
        private void owned(String groups, List<String> holders, boolean split) {
            group.set(groups);
            var names = String.join(" and ", holders);
            holder.set(holders.isEmpty() ? "nobody" : holders.size() == 1 ? names
                    : names + (split ? ": split brain" : ", checking"));
            ownership.set(holders.isEmpty() ? Ownership.NONE : split ? Ownership.SPLIT : Ownership.HELD);
        }

        private void count(LabTraffic.Result r) {
            (r.ok() ? ok : failed).incrementAndGet();
            if (r.ok()) {
                paths.computeIfAbsent(r.director() + " → " + r.answer(), k -> new AtomicLong()).incrementAndGet();
            }
            last = r;
        }

        private void refresh() {
            var r = last;
            if (r == null) {
                return;
            }
            var where = new StringBuilder();
            paths.forEach((path, n) -> where.append("\n    ").append(path).append(": ").append(n.get()));
            var counts = " · ok " + ok.get() + ", failed " + failed.get();
            summary.set(vip + ": " + (r.ok() ? "→ " + r.director() + " → " + r.answer() : "FAILING (" + r.error() + ")")
                    + counts + where);
            // the server by its name alone ("web-1", not "web-1 (172.17.0.66 in the post)"): one short line
            answer.set((r.ok() ? "→ " + r.director() + " → " + r.answer().replaceFirst(" \\(.*\\)$", "")
                    : "FAILING (" + r.error() + ")") + counts);
            state.set(r.ok() ? TrafficState.ANSWERING : TrafficState.FAILING);
        }
    }
}
