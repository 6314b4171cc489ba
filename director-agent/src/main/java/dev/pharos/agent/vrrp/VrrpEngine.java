package dev.pharos.agent.vrrp;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/// Runs VRRP instances on one platform thread (`vrrp-engine`) with an inbox and a timer
/// queue: every packet, timer, command and script result becomes a task on that thread, so the
/// state machines hold no locks. Address work runs on a second thread (`vrrp-plumbing`) — but for
/// a new master's first VIPs and gratuitous ARPs, which the engine thread does right after the
/// advert when no address work is pending ([PlumbingWorker]) — state change listeners on a third
/// (`vrrp-events`), scripts on virtual threads.
///
/// Lifecycle: [#start] once; then either [#stop] (graceful: masters send priority 0 and remove
/// their VIPs, keepalived's SIGTERM) or [#kill] (a crash: nothing more is sent or removed).
public final class VrrpEngine implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(VrrpEngine.class.getName());
    private static final Duration APPLY_DEADLINE = Duration.ofSeconds(10);

    /// Filled by [#start], replaced (never modified) by [#reconfigure] on the engine thread;
    /// volatile so status readers on any thread see it.
    private volatile Map<String, VrrpInstance> instances = Map.of();
    private final SyncGroups groups;
    private final List<VrrpSyncGroup> groupSettings;
    private final Map<String, ScriptTracker> trackers = new LinkedHashMap<>();
    private final Map<String, Boolean> interfaceUp = new HashMap<>();
    private final Map<String, Boolean> bfdUp = new HashMap<>();
    private final Map<String, Integer> appliedWeights = new HashMap<>();
    private final List<VrrpSettings> settings;
    private final VrrpTransport.Factory transports;
    private final AddressPlumbing plumbing;
    private final ScriptRunner scripts;
    private final Notifier notifier;
    private final List<Consumer<VrrpStateChange>> listeners = new CopyOnWriteArrayList<>();
    private final PlumbingWorker plumbingWorker;
    private final ExecutorService eventWorker =
            Executors.newSingleThreadExecutor(Thread.ofPlatform().name("vrrp-events").daemon().factory());
    private final EngineLoop loop;
    private final StepGate gate;
    private final String director;
    private final Host host = new Host();
    private volatile boolean started;

    /// @param notifyTimeout how long a notify script may run before it is killed
    public VrrpEngine(List<VrrpSettings> settings, List<VrrpSyncGroup> groups,
            VrrpTransport.Factory transports, AddressPlumbing plumbing, ScriptRunner scripts,
            Duration notifyTimeout) {
        this(settings, groups, transports, plumbing, scripts, notifyTimeout, StepGate.NEVER, "", () -> { });
    }

    /// An engine whose time `gate` can stop (the training lab's step-by-step mode).
    ///
    /// @param director    the name the gate reports this engine's transitions under
    /// @param threadStart run first on the engine's thread and on its address worker's, on each
    ///                    of them: real-time scheduling (`vrrp_rt_priority`) is per thread
    public VrrpEngine(List<VrrpSettings> settings, List<VrrpSyncGroup> groups,
            VrrpTransport.Factory transports, AddressPlumbing plumbing, ScriptRunner scripts,
            Duration notifyTimeout, StepGate gate, String director, Runnable threadStart) {
        this.gate = gate;
        this.director = director;
        this.loop = new EngineLoop("vrrp-engine", gate, threadStart);
        this.transports = transports;
        this.plumbing = plumbing;
        this.plumbingWorker = new PlumbingWorker("vrrp-plumbing", plumbing, threadStart);
        this.scripts = scripts;
        this.notifier = new Notifier(scripts, notifyTimeout);
        var names = checkUnique(settings);
        for (var s : settings) {
            for (var ts : s.trackScripts()) {
                trackers.putIfAbsent(ts.name(), new ScriptTracker(ts));
            }
        }
        this.groups = new SyncGroups(groups, names, notifier);
        this.groupSettings = List.copyOf(groups);
        this.settings = settings.stream().map(this.groups::withoutGroupWeights).toList();
    }

    /// The instance names; throws when a name is used twice, or a VRID twice on one interface in
    /// one address family. IPv4 and IPv6 virtual routers are separate (RFC 5798 §1: "the virtual
    /// routers in each of the IPv4 and IPv6 address families are a domain unto themselves"), so
    /// one VRID may serve both on an interface, as keepalived 2.2.7 allows (`vrrp.c` compares
    /// `family` first) and as FRR's vrrpd configures it (`vrrp 5 ip …` and `vrrp 5 ipv6 …`).
    private static Set<String> checkUnique(List<VrrpSettings> settings) {
        var names = new HashSet<String>();
        var vrids = new HashSet<String>();
        for (var s : settings) {
            if (!names.add(s.name())) {
                throw new IllegalArgumentException("vrrp_instance " + s.name() + " is defined twice");
            }
            var family = s.ipv6() ? "IPv6" : "IPv4";
            if (!vrids.add(s.interfaceName() + "/" + family + "/" + s.vrid())) {
                throw new IllegalArgumentException("(" + s.name() + ") virtual_router_id " + s.vrid()
                        + " is already used on " + s.interfaceName() + " for " + family
                        + "; each VRID must be unique per interface and address family");
            }
        }
        return names;
    }

    /// Opens one transport per instance, starts the engine thread and every instance.
    public void start() throws IOException {
        if (started) {
            throw new IllegalStateException("the VRRP engine was already started");
        }
        started = true;
        var opened = new LinkedHashMap<String, VrrpInstance>();
        try {
            for (var s : settings) {
                opened.put(s.name(), new VrrpInstance(s, transports.open(s), host));
            }
        } catch (IOException | RuntimeException e) {
            opened.values().forEach(i -> i.transport().close());
            throw e;
        }
        instances = Collections.unmodifiableMap(opened);
        plumbingWorker.start();
        loop.start();
        post(() -> {
            for (var i : instances.values()) {
                applyTracking(i);
                i.handle(new VrrpEvent.Startup());
            }
            for (var t : trackers.values()) {
                runScript(t);
            }
        });
        for (var i : instances.values()) {
            listen(i);
        }
    }

    private void listen(VrrpInstance instance) throws IOException {
        // A datagram still in flight when a reload removed the instance is dropped.
        instance.transport().start((d, len, receivedNanos) -> loop.postReceived(receivedNanos, () -> {
            if (instances.get(instance.name()) == instance) {
                instance.received(d, len);
            }
        }));
    }

    /// What a [#reconfigure] did, by instance name.
    public record Reconfiguration(List<String> kept, List<String> removed, List<String> added) {
    }

    /// keepalived's reload (SIGHUP) for VRRP: applies new settings to the running engine.
    ///
    /// - An instance whose settings are unchanged keeps running untouched: same state, same
    ///   timers (no advert gap), VIPs left alone. So does one whose `auth_hmac` alone changed; its
    ///   next advert is signed (or not) as the new block says.
    /// - A removed instance stops as on [#stop]: a master sends priority 0 and removes its VIPs,
    ///   `notify_stop` runs, its transport closes.
    /// - An added instance starts as on [#start].
    /// - A changed instance is removed, then added: a master hands over and the new one starts
    ///   from its initial state. (keepalived applies a changed priority or advert_int in place;
    ///   Pharos does not yet.)
    /// - `vrrp_script` trackers: new ones start, unused ones stop, unchanged ones keep running
    ///   with their rise/fall state.
    ///
    /// Refused with an [IllegalArgumentException], nothing changed, when the sync groups differ
    /// or a sync-group member is removed or changed: the caller then restarts the engine.
    /// Transports of added instances are opened before anything changes; if one cannot be opened,
    /// the [IOException] leaves the engine as it was. Blocks until the engine thread applied it.
    public synchronized Reconfiguration reconfigure(List<VrrpSettings> settings, List<VrrpSyncGroup> groups)
            throws IOException {
        if (!started || !loop.isAlive()) {
            throw new IllegalStateException("the VRRP engine is not running");
        }
        checkUnique(settings);
        if (!groupSettings.equals(List.copyOf(groups))) {
            throw new IllegalArgumentException("the vrrp_sync_groups changed; the VRRP engine must be restarted");
        }
        var current = instances;
        var wanted = new LinkedHashMap<String, VrrpSettings>();
        for (var s : settings) {
            wanted.put(s.name(), this.groups.withoutGroupWeights(s));
        }
        var kept = new ArrayList<String>();
        var removed = new ArrayList<VrrpInstance>();
        var rekeyed = new LinkedHashMap<VrrpInstance, VrrpSettings>();
        for (var i : current.values()) {
            var next = wanted.get(i.name());
            if (i.settings().equals(next)) {
                kept.add(i.name());
                continue;
            }
            if (next != null && i.settings().withAuthHmac(next.authHmac()).equals(next)) {
                kept.add(i.name()); // only auth_hmac changed: applied in place, see VrrpInstance.rekey
                rekeyed.put(i, next);
                continue;
            }
            if (this.groups.isMember(i.name())) {
                throw new IllegalArgumentException("(" + i.name() + ") is in a vrrp_sync_group and was "
                        + (next == null ? "removed" : "changed") + "; the VRRP engine must be restarted");
            }
            removed.add(i);
        }
        var added = new LinkedHashMap<String, VrrpInstance>();
        try {
            for (var s : wanted.values()) {
                if (!kept.contains(s.name())) {
                    var i = new VrrpInstance(s, transports.open(s), host);
                    added.put(s.name(), i);
                    listen(i); // dropped until the instance is in place
                }
            }
        } catch (IOException | RuntimeException e) {
            added.values().forEach(i -> i.transport().close());
            throw e;
        }
        var applied = new CompletableFuture<Void>();
        post(() -> {
            try {
                rekeyed.forEach(VrrpInstance::rekey);
                for (var i : removed) {
                    i.handle(new VrrpEvent.Shutdown());
                    i.abandon();
                    appliedWeights.remove(i.name());
                }
                var next = new LinkedHashMap<String, VrrpInstance>();
                for (var name : wanted.keySet()) {
                    next.put(name, added.containsKey(name) ? added.get(name) : current.get(name));
                }
                instances = Collections.unmodifiableMap(next);
                var startedTrackers = updateTrackers(wanted.values());
                for (var i : added.values()) {
                    applyTracking(i);
                    i.handle(new VrrpEvent.Startup());
                }
                startedTrackers.forEach(this::runScript);
                applied.complete(null);
            } catch (RuntimeException e) {
                applied.completeExceptionally(e);
            }
        });
        try {
            applied.get(APPLY_DEADLINE.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the VRRP engine applied a reload", e);
        } catch (ExecutionException | TimeoutException e) {
            // Only a stopped engine or a bug gets here; the caller restarts the engine.
            throw new IllegalStateException("the VRRP engine did not apply the reload: " + e, e);
        } finally {
            removed.forEach(i -> i.transport().close());
        }
        var result = new Reconfiguration(List.copyOf(kept), removed.stream().map(VrrpInstance::name).toList(),
                List.copyOf(added.keySet()));
        LOG.log(Level.INFO, "VRRP reload: kept {0}, stopped {1}, started {2}", result.kept(), result.removed(),
                result.added());
        return result;
    }

    /// Keeps the trackers of unchanged `vrrp_script`s, stops unused or changed ones and creates
    /// new ones; returns the new ones, to be started once the instances see them.
    private List<ScriptTracker> updateTrackers(Collection<VrrpSettings> settings) {
        var wanted = new LinkedHashMap<String, VrrpSettings.TrackScript>();
        for (var s : settings) {
            for (var ts : s.trackScripts()) {
                wanted.putIfAbsent(ts.name(), ts);
            }
        }
        var fresh = new ArrayList<ScriptTracker>();
        for (var it = trackers.entrySet().iterator(); it.hasNext();) {
            var e = it.next();
            var ts = wanted.get(e.getKey());
            if (ts == null || !ScriptTracker.sameScript(ts, e.getValue().script())) {
                e.getValue().stop();
                it.remove();
            }
        }
        for (var ts : wanted.values()) {
            if (!trackers.containsKey(ts.name())) {
                var t = new ScriptTracker(ts);
                trackers.put(ts.name(), t);
                fresh.add(t);
            }
        }
        return fresh;
    }

    /// Graceful stop: masters send priority 0 and remove their VIPs, `notify_stop` runs, the
    /// transports close. Waits up to `deadline` for the address work to finish.
    public void stop(Duration deadline) {
        finish(deadline, false);
    }

    /// A crash: the engine stops at once; nothing more is sent, no VIP is removed.
    public void kill() {
        finish(Duration.ofSeconds(5), true);
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(5));
    }

    private void finish(Duration deadline, boolean crash) {
        if (!started || !loop.isAlive()) {
            return;
        }
        post(() -> {
            for (var i : instances.values()) {
                if (crash) {
                    i.abandon();
                } else {
                    i.handle(new VrrpEvent.Shutdown());
                }
            }
            trackers.values().forEach(ScriptTracker::stop);
            loop.finish();
        });
        join(deadline);
        instances.values().forEach(i -> i.transport().close());
        if (crash) {
            // Queued address work is dropped, as a crash would; work already running is waited
            // for, so nothing changes an address after kill() returns (the lab drops a killed
            // director's addresses right after, and a late "add" brought one back).
            plumbingWorker.shutdownNow();
        } else {
            plumbingWorker.shutdown();
        }
        try {
            if (!plumbingWorker.awaitTermination(deadline)) {
                LOG.log(Level.ERROR, "VIP work did not end within {0}", deadline);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        eventWorker.shutdown();
        awaitTermination(eventWorker, deadline);
    }

    private void join(Duration deadline) {
        try {
            if (!loop.join(deadline)) {
                LOG.log(Level.ERROR, "the VRRP engine thread did not stop within {0}", deadline);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitTermination(ExecutorService executor, Duration deadline) {
        try {
            executor.awaitTermination(deadline.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /// Listeners are called in order on the `vrrp-events` thread, never on the engine thread.
    public void addListener(Consumer<VrrpStateChange> listener) {
        listeners.add(listener);
    }

    /// Sets an instance's base priority (1–255), as an operator command.
    public void setPriority(String instance, int priority) {
        if (priority < 1 || priority > 255) {
            throw new IllegalArgumentException("priority " + priority + " is outside 1–255");
        }
        var i = instance(instance);
        post(() -> i.handle(new VrrpEvent.SetPriority(priority)));
    }

    /// Asks a master to hand over now (it sends priority 0 and stays backup).
    public void resign(String instance) {
        var i = instance(instance);
        post(() -> i.handle(new VrrpEvent.Resign()));
    }

    /// The link state of an interface changed (from `agent.linux`'s rtnetlink watch). Unknown
    /// interfaces count as up.
    public void interfaceState(String interfaceName, boolean up) {
        post(() -> {
            if (!Boolean.valueOf(up).equals(interfaceUp.put(interfaceName, up))) {
                LOG.log(Level.INFO, "Interface {0} is {1}", interfaceName, up ? "up" : "down");
                instances.values().forEach(this::applyTracking);
            }
        });
    }

    /// A `bfd_instance`'s session came Up (`up`) or left it (from `agent.bfd`'s engine).
    /// Sessions not heard of count as down.
    public void bfdState(String session, boolean up) {
        post(() -> {
            if (!Boolean.valueOf(up).equals(bfdUp.put(session, up))) {
                instances.values().forEach(this::applyTracking);
            }
        });
    }

    /// The status of every instance, in configuration order.
    public List<VrrpInstanceStatus> status() {
        return instances.values().stream().map(VrrpInstance::status).toList();
    }

    /// The status of one instance.
    public VrrpInstanceStatus status(String instance) {
        return instance(instance).status();
    }

    /// The engine's clock, which stamps transitions and `lastChange`: the wall clock on a host;
    /// in the lab the step gate's, which stands still while the lab is paused.
    public Instant now() {
        return loop.now();
    }

    /// When the engine thread last went round its loop (at least every second while alive):
    /// what a supervisor watches.
    public Instant lastHeartbeat() {
        return loop.lastHeartbeat();
    }

    private VrrpInstance instance(String name) {
        var i = instances.get(name);
        if (i == null) {
            throw new IllegalArgumentException("no VRRP instance named " + name + "; known: " + instances.keySet());
        }
        return i;
    }

    private void post(Runnable task) {
        loop.post(task);
    }

    // ---- tracking -------------------------------------------------------------------------

    private void runScript(ScriptTracker t) {
        if (loop.finishing() || t.stopped()) {
            return;
        }
        t.timer = host.schedule(t.script().interval(), () -> runScript(t));
        if (t.running) {
            return; // keepalived does not start a script while its previous run is going
        }
        t.running = true;
        scripts.run(t.script().command(), t.script().timeout()).thenAccept(r -> post(() -> {
            t.running = false;
            if (!t.stopped() && t.record(r)) {
                instances.values().forEach(this::applyTracking);
            }
        }));
    }

    /// Recomputes the faults and track weight of `i` from interfaces and scripts.
    private void applyTracking(VrrpInstance i) {
        var s = i.settings();
        int weight = 0;
        var ownKey = "interface " + s.interfaceName() + " down";
        fault(i, ownKey, !interfaceUp.getOrDefault(s.interfaceName(), true));
        // reverse: keepalived's weight_multiplier of -1 (vrrp_track.c)
        for (var ti : s.trackInterfaces()) {
            boolean up = interfaceUp.getOrDefault(ti.name(), true);
            if (ti.weight() == 0) {
                fault(i, "track_interface " + ti.name() + (ti.reverse() ? " up" : " down"), ti.reverse() == up);
            } else if (ti.weight() > 0 ? up : !up) {
                weight += ti.reverse() ? -ti.weight() : ti.weight();
            }
        }
        for (var ts : s.trackScripts()) {
            var status = trackers.get(ts.name()).status();
            if (ts.weight() == 0) {
                fault(i, "track_script " + ts.name() + (ts.reverse() ? " succeeding" : " not succeeding"),
                        ts.reverse() == (status == ScriptTracker.Status.UP));
            } else if (ts.weight() > 0 ? status == ScriptTracker.Status.UP : status == ScriptTracker.Status.DOWN) {
                weight += ts.reverse() ? -ts.weight() : ts.weight();
            }
        }
        for (var tb : s.trackBfds()) {
            boolean up = bfdUp.getOrDefault(tb.name(), false);
            if (tb.weight() == 0) {
                fault(i, "track_bfd " + tb.name() + (tb.reverse() ? " up" : " down"), tb.reverse() == up);
            } else if (tb.weight() > 0 ? up : !up) {
                weight += tb.reverse() ? -tb.weight() : tb.weight();
            }
        }
        if (appliedWeights.getOrDefault(i.name(), 0) != weight) {
            appliedWeights.put(i.name(), weight);
            i.handle(new VrrpEvent.TrackWeightChanged(weight));
        }
    }

    private static void fault(VrrpInstance i, String key, boolean active) {
        if (active != i.status().faults().contains(key)) {
            i.handle(active ? new VrrpEvent.FaultRaised(key) : new VrrpEvent.FaultCleared(key));
        }
    }

    // ---- state changes, sync groups, notify ------------------------------------------------

    private void stateChanged(VrrpInstance instance, VrrpAction.StateChanged c, VrrpEvent cause) {
        var s = instance.settings();
        LOG.log(Level.INFO, "({0}) Entering {1} STATE ({2}) [VRID {3}]", s.name(), c.to().keepalivedName(),
                c.reason(), s.vrid());
        var change = new VrrpStateChange(s.name(), s.vrid(), c.from(), c.to(), c.reason(), c.at(), c.priority());
        for (var l : listeners) {
            eventWorker.execute(() -> {
                try {
                    l.accept(change);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "VRRP state listener failed", e);
                }
            });
        }
        notifier.instance(s, c.to(), c.priority());
        gate.transitioned(director, change);
        groups.memberChanged(instance, c, cause, instances, this::post);
    }

    /// The engine as its instances see it.
    private final class Host implements VrrpInstance.Host {
        @Override
        public Instant now() {
            return loop.now();
        }

        @Override
        public EngineLoop.Timer schedule(Duration after, Runnable task) {
            return loop.schedule(after, task);
        }

        @Override
        public EngineLoop.Timer schedule(Duration after, Runnable task, Runnable prepare) {
            return loop.schedule(after, task, prepare);
        }

        @Override
        public void plumbing(Supplier<String> what, VrrpInstance.PlumbingTask task) {
            plumbingWorker.execute(what, task);
        }

        @Override
        public void plumbingNow(Supplier<String> what, VrrpInstance.PlumbingTask task) {
            plumbingWorker.runNowIfIdle(what, task);
        }

        @Override
        public void prepareToAdd(String interfaceName, List<VrrpSettings.VirtualAddress> vips) {
            plumbing.prepareToAdd(interfaceName, vips);
        }

        @Override
        public void stateChanged(VrrpInstance instance, VrrpAction.StateChanged change, VrrpEvent cause) {
            VrrpEngine.this.stateChanged(instance, change, cause);
        }
    }
}
