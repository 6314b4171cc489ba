package dev.pharos.agent.daemon;

import dev.pharos.agent.api.Addresses;
import dev.pharos.agent.api.AgentEvent;
import dev.pharos.agent.api.AgentState;
import dev.pharos.agent.check.CheckEvent;
import dev.pharos.agent.check.CheckListener;
import dev.pharos.agent.check.CheckPlan;
import dev.pharos.agent.check.CheckScheduler;
import dev.pharos.agent.check.RealServerId;
import dev.pharos.agent.check.RealServerStatus;
import dev.pharos.agent.config.KeepalivedConfig;
import dev.pharos.agent.config.RealServerDef;
import dev.pharos.agent.config.ScriptLine;
import dev.pharos.agent.config.VirtualServerDef;
import dev.pharos.agent.control.EventJournal;
import dev.pharos.agent.ipvs.table.BackendException;
import dev.pharos.agent.ipvs.proxy.BalancerProtocol;
import dev.pharos.agent.ipvs.proxy.BalancerServiceStats;
import dev.pharos.agent.ipvs.table.DesiredState;
import dev.pharos.agent.ipvs.table.DesiredStates;
import dev.pharos.agent.ipvs.table.Destination;
import dev.pharos.agent.ipvs.table.Endpoint;
import dev.pharos.agent.ipvs.table.HealthView;
import dev.pharos.agent.ipvs.table.IpvsBackend;
import dev.pharos.agent.ipvs.table.IpvsOp;
import dev.pharos.agent.ipvs.kernel.KernelIpvs;
import dev.pharos.agent.ipvs.table.OwnedServices;
import dev.pharos.agent.ipvs.table.Protocol;
import dev.pharos.agent.ipvs.table.RealServerRef;
import dev.pharos.agent.ipvs.table.Reconciler;
import dev.pharos.agent.ipvs.table.RuntimeEdits;
import dev.pharos.agent.ipvs.table.ServiceKey;
import dev.pharos.agent.ipvs.table.ServiceTable;
import dev.pharos.agent.ipvs.table.TableSpec;
import dev.pharos.agent.ipvs.proxy.UserspaceBackend;
import dev.pharos.agent.script.ScriptPolicy;
import dev.pharos.agent.vrrp.ScriptRunner;
import dev.pharos.agent.vrrp.StepGate;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/// The health checks and the service table, wired together: checker events update the health
/// view, the desired table is recomputed from the configuration and that health, and the
/// reconciler brings the backend (kernel IPVS or the user-space balancer) to it by diff. All of
/// it runs on one thread (`service-table`), never on the VRRP engine's.
///
/// Three names meet here for one virtual server: the configuration's and the control protocol's
/// (`tcp/192.0.2.10:80`), the table's (`TCP 192.0.2.10:80`) and the checker's (`192.0.2.10:80`);
/// they are matched through the configuration, in its order.
final class Services implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Services.class.getName());

    /// What `state.get` shows of a virtual server.
    ///
    /// @param connectionCap      the user-space balancer's cap for it; null on the kernel's IPVS
    /// @param refusedConnections connections the user-space balancer refused; null on the kernel's IPVS
    record VirtualServerView(String servedAs, String servedReason, boolean quorumUp, Integer connectionCap,
            Long refusedConnections) {
    }

    /// What `state.get` shows of a real server.
    record RealServerView(String health, String reason, Instant since, int effectiveWeight,
            AgentState.Traffic traffic) {
    }

    /// One virtual server's three names and its real servers' endpoints by API id; `served` is
    /// `def` as the platform serves it.
    private record Names(String apiId, String tableName, String checkName, VirtualServerDef def,
            VirtualServerDef served, Map<String, Endpoint> realServers, List<ServiceKey> keys) {
    }

    private final IpvsBackend backend;
    private final String backendReason;
    private final EventJournal journal;
    private final ScriptRunner scripts;
    private final Reconciler reconciler;
    private final CheckScheduler checks;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("service-table").daemon().unstarted(r));
    private volatile List<Names> names = List.of();
    /// The spec of each virtual server of the last [#apply] by its served model (callers of
    /// [#apply] hold the daemon's lock): a model a reload reused keeps its spec, the same object,
    /// which the desired state and the pruning of the health view then compare at once.
    private volatile Map<VirtualServerDef, TableSpec.VirtualServerSpec> specs = Map.of();
    /// Likewise each virtual server's share of the check plan: the same plan objects for unchanged
    /// real servers, which the check scheduler leaves as they are without comparing them.
    private volatile Map<VirtualServerDef, CheckPlan.Part> checkParts = Map.of();
    /// Service-table thread only: [#names] by the checkers' name of their virtual server.
    private Map<String, Names> byCheckName = Map.of();
    /// Check results in the order they came, for the service-table thread.
    private final Queue<CheckEvent> results = new ConcurrentLinkedQueue<>();
    private volatile TableSpec spec = new TableSpec(List.of());
    private volatile DesiredState desired;
    /// Service-table thread only: computes [#desired], reusing the virtual servers whose inputs
    /// did not change; and the virtual servers whose health changed since it last computed.
    private final DesiredStates desiredStates = new DesiredStates();
    private final Set<String> healthChanged = new HashSet<>();
    private volatile Map<String, List<String>> quorumScripts = Map.of();
    /// Hears, after each reconcile, which virtual addresses have quorum on all their services.
    private volatile Consumer<Map<InetAddress, Boolean>> quorumByAddress = q -> { };
    private volatile ServiceTable actual = ServiceTable.EMPTY;
    private volatile HealthView health = HealthView.NONE;
    /// Service-table thread only: check results not yet in [#health], merged once per batch. A
    /// [HealthView] is immutable (a copy per change): the initial results of ten thousand real
    /// servers copied one by one kept this thread busy past the supervisor's allowance (which
    /// restarted it, and so again) and filled the heap with copies, whose full collections stopped
    /// the VRRP engine too.
    private final Map<RealServerRef, HealthView.CheckState> pendingStates = new HashMap<>();
    private final Map<RealServerRef, Integer> pendingWeights = new HashMap<>();
    /// Service-table thread only: when the whole table was last read and compared, and whether
    /// the last reconcile left the backend as desired (else the next one takes the whole table).
    private Instant lastWholeReconcile = Instant.now();
    private final Duration checkWhole;
    private boolean converged;
    /// Service-table thread only: results waiting for the next reconcile, and what each server was.
    private final List<Runnable> afterReconcile = new ArrayList<>();
    private final Map<RealServerRef, String> known = new HashMap<>();
    private boolean reconcileQueued;

    Services(IpvsBackend backend, String backendReason, EventJournal journal, ScriptRunner scripts) {
        this(backend, backendReason, journal, scripts, OwnedServices.inMemory(), StepGate.NEVER,
                Duration.ofSeconds(10));
    }

    /// @param owned      the backend's services that are the agent's (the others it leaves alone)
    /// @param time       the clock the checks run on: the wall clock on a host, the lab's in the lab
    /// @param checkWhole how often a kernel table is read back whole ([Platform#tableCheckInterval])
    Services(IpvsBackend backend, String backendReason, EventJournal journal, ScriptRunner scripts,
            OwnedServices owned, StepGate time, Duration checkWhole) {
        this.checkWhole = checkWhole;
        this.backend = backend;
        this.backendReason = backendReason;
        this.journal = journal;
        this.scripts = scripts;
        this.reconciler = Reconciler.of(backend, owned,
                e -> LOG.log(Level.WARNING, "service table ({0}): {1}", backend.name(), e));
        CheckListener listener = e -> {
            results.add(e);
            worker.execute(this::takeResults);
        };
        this.checks = time.wallClock() ? new CheckScheduler(listener)
                : new CheckScheduler(listener, time.clock(), time::nanoTime, time::realNanos);
        // The balancer binds UDP services whose VIP is not here yet when it arrives; the table is
        // also re-read now and then so that changes made behind the agent's back are put right.
        worker.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    IpvsBackend backend() {
        return backend;
    }

    String backendName() {
        return backend.name();
    }

    String backendReason() {
        return backendReason;
    }

    /// A new configuration (start, reload, edit): checks keep the state of unchanged real
    /// servers; the table follows by diff. Waits until the table has been reconciled once.
    void apply(KeepalivedConfig config) {
        apply(config, config);
    }

    /// `original` names things for the control channel; `served` (the same configuration with the
    /// platform's addresses, see [Platform#served]) is what is checked and balanced.
    void apply(KeepalivedConfig original, KeepalivedConfig served) {
        var made = new IdentityHashMap<VirtualServerDef, TableSpec.VirtualServerSpec>();
        var nextSpec = TableSpec.from(served, specs, made);
        specs = made;
        var nextNames = names(original, served, nextSpec, names);
        var scripts = VrrpMapping.policy(served);
        var madeParts = new IdentityHashMap<VirtualServerDef, CheckPlan.Part>();
        var plan = CheckPlan.from(served, checkParts, madeParts).secured(scripts);
        checkParts = madeParts;
        plan.warnings().forEach(w -> LOG.log(Level.WARNING, w));
        var nextQuorumScripts = quorumScripts(served, scripts);
        if (!served.virtualServers().isEmpty()) {
            scripts.finish("check scripts");
        }
        try {
            worker.submit(() -> {
                var before = spec;
                spec = nextSpec;
                names = nextNames;
                byCheckName = byCheckName(nextNames);
                quorumScripts = nextQuorumScripts;
                checks.apply(plan);
                // What the new plan changed (a real server's weight in the file) is in this
                // reconcile, not in one that follows the edit's answer.
                takeResults();
                health = prune(withPendingResults(health), before, nextSpec);
                reconcile("configuration");
            }).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            LOG.log(Level.ERROR, "applying the service table failed", e.getCause());
        } catch (TimeoutException e) {
            LOG.log(Level.WARNING, "the service table is still being applied after 30 s; it continues in the background");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /// The names of each virtual server; one whose model objects are those of `previous` (a
    /// reload reuses the models of the blocks it did not parse again) keeps its names, whose
    /// real-server ids are text made for each of tens of thousands of servers.
    private static List<Names> names(KeepalivedConfig original, KeepalivedConfig served, TableSpec spec,
            List<Names> previous) {
        var before = new IdentityHashMap<VirtualServerDef, Names>();
        previous.forEach(n -> before.put(n.def(), n));
        var out = new ArrayList<Names>();
        var defs = original.virtualServers();
        var servedDefs = served.virtualServers();
        for (int i = 0; i < defs.size() && i < spec.virtualServers().size() && i < servedDefs.size(); i++) {
            var vs = defs.get(i);
            var sv = servedDefs.get(i);
            var tableSpec = spec.virtualServers().get(i);
            var kept = before.get(vs);
            if (kept != null && kept.served() == sv && kept.tableName().equals(tableSpec.name())
                    && kept.keys().equals(tableSpec.keys())) {
                out.add(kept);
                continue;
            }
            var rs = new LinkedHashMap<String, Endpoint>();
            for (int k = 0; k < vs.realServers().size() && k < sv.realServers().size(); k++) {
                var r = sv.realServers().get(k);
                rs.put(vs.realServers().get(k).id(), new Endpoint(r.address(), r.port() == null ? 0 : r.port()));
            }
            out.add(new Names(vs.id(), tableSpec.name(), CheckPlan.virtualServerName(sv.key()), vs, sv, rs,
                    tableSpec.keys()));
        }
        return List.copyOf(out);
    }

    /// `h` with the check results that arrived since it was made (service-table thread).
    private HealthView withPendingResults(HealthView h) {
        if (pendingStates.isEmpty() && pendingWeights.isEmpty()) {
            return h;
        }
        Map<RealServerRef, HealthView.CheckState> states = h.states();
        if (!pendingStates.isEmpty()) {
            states = new HashMap<>(states);
            states.putAll(pendingStates);
        }
        Map<RealServerRef, Integer> weights = h.dynamicWeights();
        if (!pendingWeights.isEmpty()) {
            weights = new HashMap<>(weights);
            weights.putAll(pendingWeights);
        }
        pendingStates.keySet().forEach(ref -> healthChanged.add(ref.virtualServer()));
        pendingWeights.keySet().forEach(ref -> healthChanged.add(ref.virtualServer()));
        pendingStates.clear();
        pendingWeights.clear();
        return new HealthView(states, weights);
    }

    /// `h` without the real servers `after` no longer has. Only the virtual servers whose list of
    /// real servers changed since `before` (or that are gone) are looked at, and `h` itself is
    /// kept when none of its entries goes: a reload of one real server's weight among tens of
    /// thousands copies no view.
    private static HealthView prune(HealthView h, TableSpec before, TableSpec after) {
        var previous = new HashMap<String, TableSpec.VirtualServerSpec>();
        before.virtualServers().forEach(vs -> previous.put(vs.name(), vs));
        // by name: the endpoints a changed virtual server keeps (none for one that is gone)
        var changed = new HashMap<String, Set<Endpoint>>();
        for (var vs : after.virtualServers()) {
            var old = previous.remove(vs.name());
            if (old != null && !sameEndpoints(old, vs)) {
                var endpoints = new HashSet<Endpoint>();
                vs.realServers().forEach(rs -> endpoints.add(rs.endpoint()));
                changed.put(vs.name(), endpoints);
            }
        }
        previous.keySet().forEach(gone -> changed.put(gone, Set.of()));
        if (changed.isEmpty()) {
            return h;
        }
        var keep = new HashMap<RealServerRef, HealthView.CheckState>();
        h.states().forEach((ref, state) -> {
            if (kept(changed, ref)) {
                keep.put(ref, state);
            }
        });
        var weights = new HashMap<RealServerRef, Integer>();
        h.dynamicWeights().forEach((ref, weight) -> {
            if (kept(changed, ref)) {
                weights.put(ref, weight);
            }
        });
        return keep.size() == h.states().size() && weights.size() == h.dynamicWeights().size() ? h
                : new HealthView(keep, weights);
    }

    private static boolean sameEndpoints(TableSpec.VirtualServerSpec a, TableSpec.VirtualServerSpec b) {
        if (a == b) {
            return true;
        }
        if (a.realServers().size() != b.realServers().size()) {
            return false;
        }
        for (int i = 0; i < a.realServers().size(); i++) {
            if (!a.realServers().get(i).endpoint().equals(b.realServers().get(i).endpoint())) {
                return false;
            }
        }
        return true;
    }

    private static boolean kept(Map<String, Set<Endpoint>> changed, RealServerRef ref) {
        var endpoints = changed.get(ref.virtualServer());
        return endpoints == null || endpoints.contains(ref.endpoint());
    }

    /// A checker result (service-table thread). It joins the health view, and the table is
    /// reconciled, once for all the results waiting in the queue (at start-up every real server
    /// reports its initial state: ten thousand reconciles of ten thousand servers would take
    /// minutes), and the events go out after it, with the weights the backend then has.
    private void checked(CheckEvent e) {
        var id = switch (e) {
            case CheckEvent.RealServerUp u -> u.server();
            case CheckEvent.RealServerDown d -> d.server();
            case CheckEvent.WeightChanged w -> w.server();
        };
        var n = byCheckName(id);
        if (n == null) {
            return; // a server of a configuration that has just been replaced
        }
        var ref = new RealServerRef(n.tableName(), new Endpoint(id.address(), id.port()));
        var before = known.put(ref, switch (e) {
            case CheckEvent.RealServerUp u -> "up";
            case CheckEvent.RealServerDown d -> "down";
            case CheckEvent.WeightChanged w -> known.getOrDefault(ref, "up");
        });
        switch (e) {
            case CheckEvent.RealServerUp u -> pendingStates.put(ref, HealthView.CheckState.UP);
            case CheckEvent.RealServerDown d -> pendingStates.put(ref, HealthView.CheckState.DOWN);
            case CheckEvent.WeightChanged w -> pendingWeights.put(ref, w.weight());
        }
        String rsId = rsId(n, id);
        afterReconcile.add(() -> {
            int effective = effectiveWeight(n, ref.endpoint());
            switch (e) {
                case CheckEvent.RealServerUp u -> {
                    // The first report of a server is its initial state, not news: debug only.
                    LOG.log(before == null ? Level.DEBUG : Level.INFO, "Real server {0} is UP", id);
                    journal.publish((seq, at) -> new AgentEvent.HealthChanged(seq, at, n.apiId(), rsId, "up", null,
                            effective));
                }
                case CheckEvent.RealServerDown d -> {
                    LOG.log(Level.WARNING, "Real server {0} is DOWN: {1}", id, d.reason());
                    journal.publish((seq, at) -> new AgentEvent.HealthChanged(seq, at, n.apiId(), rsId, "down",
                            d.reason(), effective));
                }
                case CheckEvent.WeightChanged w -> journal.publish((seq, at) -> new AgentEvent.HealthChanged(seq, at,
                        n.apiId(), rsId, "up", "dynamic weight " + w.weight(), effective));
            }
        });
        if (!reconcileQueued) {
            reconcileQueued = true;
            worker.execute(() -> {
                reconcileQueued = false;
                reconcile("health");
                var done = List.copyOf(afterReconcile);
                afterReconcile.clear();
                done.forEach(Runnable::run);
            });
        }
    }

    private Names byCheckName(RealServerId id) {
        return byCheckName.get(id.virtualServer());
    }

    /// The first virtual server of each checker's name, as a search in configuration order finds it.
    private static Map<String, Names> byCheckName(List<Names> names) {
        var out = new HashMap<String, Names>();
        for (var n : names) {
            out.putIfAbsent(n.checkName(), n);
        }
        return out;
    }

    /// Takes the check results that arrived (service-table thread).
    private void takeResults() {
        for (CheckEvent e; (e = results.poll()) != null; ) {
            checked(e);
        }
    }

    private static String rsId(Names n, RealServerId id) {
        for (var e : n.realServers().entrySet()) {
            if (e.getValue().address().equals(id.address()) && e.getValue().port() == id.port()) {
                return e.getKey();
            }
        }
        var a = Addresses.text(id.address());
        return (a.contains(":") ? "[" + a + "]" : a) + ":" + id.port();
    }

    /// `listener` hears, on the service-table thread after each reconcile, whether each virtual
    /// address holds quorum on every service it has (the VIP announcer's health).
    void onQuorumByAddress(Consumer<Map<InetAddress, Boolean>> listener) {
        quorumByAddress = listener;
        worker.execute(() -> {
            var d = desired;
            if (d != null) {
                listener.accept(quorumByAddress(spec, d));
            }
        });
    }

    private static Map<InetAddress, Boolean> quorumByAddress(TableSpec spec, DesiredState state) {
        var out = new HashMap<InetAddress, Boolean>();
        for (var vs : spec.virtualServers()) {
            var q = state.quorum().get(vs.name());
            for (var key : vs.keys()) {
                if (key instanceof ServiceKey.ByAddress a) {
                    out.merge(a.address(), q == null || q.up(), Boolean::logicalAnd);
                }
            }
        }
        return out;
    }

    /// Recomputes the desired table and reconciles the backend to it (service-table thread).
    /// Once the backend has converged, only the services whose desired state changed are read
    /// back and changed: a reload or edit of one real server among tens of thousands does not
    /// touch the rest. The whole table is reconciled at the first run, after a run that did not
    /// converge, and by the periodic check.
    private void reconcile(String why) {
        reconcile(why, false);
    }

    private void reconcile(String why, boolean whole) {
        health = withPendingResults(health);
        var previous = desired;
        var next = desiredStates.next(spec, health, RuntimeEdits.NONE, healthChanged);
        healthChanged.clear();
        desired = next;
        quorumByAddress.accept(quorumByAddress(spec, next));
        if (previous != null) {
            for (var q : next.quorumChangesSince(previous)) {
                runQuorumScript(q);
            }
        }
        var scope = whole || previous == null || !converged ? null : next.table().changedSince(previous.table());
        if (scope != null && scope.isEmpty()) {
            return;
        }
        try {
            var outcome = reconciler.reconcile(next.table(), scope);
            converged = outcome.converged();
            if (outcome.actual() != null) {
                actual = scope == null ? outcome.actual() : actual.replacing(scope, outcome.actual());
            }
            if (scope == null) {
                lastWholeReconcile = Instant.now();
            }
            if (!outcome.applied().isEmpty()) {
                LOG.log(Level.INFO, "service table ({0}, {1}): {2} change(s) applied{3}", backend.name(), why,
                        outcome.applied().size(), outcome.converged() ? "" : "; NOT converged, see above");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /// `quorum_up`/`quorum_down` of each virtual server as they will run (keyed by the command
    /// line as written), after keepalived's checks (`check_data.c`, `check_check_script_security`);
    /// a disabled one is absent.
    private static Map<String, List<String>> quorumScripts(KeepalivedConfig config, ScriptPolicy scripts) {
        var out = new HashMap<String, List<String>>();
        for (var vs : config.virtualServers()) {
            for (var line : Arrays.asList(vs.quorumUp(), vs.quorumDown())) {
                if (line != null && !line.isBlank() && !out.containsKey(line)) {
                    var s = ScriptLine.parse(line);
                    if (scripts.notify("quorum", s.command(), s.user(), s.group())
                            instanceof ScriptPolicy.Run run) {
                        out.put(line, run.argv());
                    }
                }
            }
        }
        return out;
    }

    private void runQuorumScript(DesiredState.QuorumChange q) {
        var vs = spec.virtualServer(q.virtualServer());
        if (vs.isEmpty()) {
            return;
        }
        var line = q.quorum().up() ? vs.get().quorumUp() : vs.get().quorumDown();
        var command = quorumScripts.get(line);
        LOG.log(Level.WARNING, "Virtual server {0}: quorum {1} (alive weight {2}, quorum {3})", q.virtualServer(),
                q.quorum().up() ? "gained" : "LOST", q.quorum().weightSum(), q.quorum().quorum());
        if (command != null) {
            scripts.run(command, Duration.ofSeconds(30)).thenAccept(r -> {
                if (!r.success()) {
                    LOG.log(Level.WARNING, "quorum script {0} failed: {1}", line, r.problem());
                }
            });
        }
    }

    private void tick() {
        lastTickAt = Instant.now();
        if (backend instanceof UserspaceBackend u) {
            u.balancer().addressesChanged();
        }
        // Only a kernel table can be changed behind the agent's back (ipvsadm); the user-space
        // balancer lives in this process, and re-reading it every 10 s was a tenth of the agent's
        // CPU at rest (bench/rest).
        if (!(backend instanceof UserspaceBackend) && desired != null
                && Duration.between(lastWholeReconcile, Instant.now()).compareTo(checkWhole) >= 0) {
            reconcile("periodic check", true);
        }
    }

    private int effectiveWeight(Names n, Endpoint endpoint) {
        for (var key : n.keys()) {
            var svc = actual.services().get(key);
            if (svc != null) {
                var d = svc.destinations().get(endpoint);
                if (d != null) {
                    return d.weight();
                }
            }
        }
        return -1;
    }

    /// What `state.get` shows of the virtual servers and of their real servers, by id.
    record StateViews(Map<String, VirtualServerView> virtualServers,
            Map<String, Map<String, RealServerView>> realServers) {
    }

    /// For `state.get`: both views from one reading of the user-space balancer's counters.
    StateViews stateViews() {
        var stats = userspaceStats();
        return new StateViews(virtualServers(stats), realServers(stats));
    }

    /// The user-space balancer's counters, service by service; empty on another backend.
    private List<BalancerServiceStats> userspaceStats() {
        return backend instanceof UserspaceBackend u ? u.balancer().stats() : List.of();
    }

    /// For `state.get`: how each virtual server is served.
    Map<String, VirtualServerView> virtualServers() {
        return virtualServers(userspaceStats());
    }

    private Map<String, VirtualServerView> virtualServers(List<BalancerServiceStats> stats) {
        var out = new LinkedHashMap<String, VirtualServerView>();
        var d = desired;
        var balancerStats = balancerStats(stats);
        for (var n : names) {
            var q = d == null ? null : d.quorum().get(n.tableName());
            String servedAs;
            String reason = null;
            var kind = n.def().lbKind() == null ? VirtualServerDef.LbKind.NAT : n.def().lbKind();
            if (backend instanceof KernelIpvs) {
                servedAs = "kernel";
            } else if (n.def().key() instanceof VirtualServerDef.Key.Fwmark) {
                servedAs = "none";
                reason = "firewall-mark services need the kernel's IPVS (" + backendReason + ")";
            } else if (n.def().effectiveProtocol() == VirtualServerDef.Protocol.SCTP) {
                servedAs = "none";
                reason = "SCTP needs the kernel's IPVS (" + backendReason + ")";
            } else if (kind != VirtualServerDef.LbKind.NAT) {
                servedAs = "proxied";
                reason = "lb_kind " + kind + " needs the kernel's IPVS (" + backendReason + "); the user-space balancer "
                        + "proxies it: real servers see connections from the director";
            } else {
                servedAs = "userspace";
            }
            Integer cap = null;
            Long refused = null;
            // A group's members are several balancer services: their caps and refusals add up.
            for (var key : n.keys()) {
                var st = balancerStats.get(key);
                if (st != null) {
                    cap = (cap == null ? 0 : cap) + st.connectionCap();
                    refused = (refused == null ? 0 : refused) + st.refusedConnections();
                }
            }
            out.put(n.apiId(), new VirtualServerView(servedAs, reason, q == null || q.up(), cap, refused));
        }
        return out;
    }

    /// The user-space balancer's counters by service.
    private static Map<ServiceKey, BalancerServiceStats> balancerStats(List<BalancerServiceStats> stats) {
        var out = HashMap.<ServiceKey, BalancerServiceStats>newHashMap(stats.size());
        for (var st : stats) {
            var listen = st.service().listen();
            var protocol = st.service().protocol() == BalancerProtocol.TCP
                    ? Protocol.TCP : Protocol.UDP;
            out.put(new ServiceKey.ByAddress(protocol, listen.getAddress(), listen.getPort()), st);
        }
        return out;
    }

    /// For `state.get`: each real server by virtual server id and real server id.
    ///
    /// Read for every `state.get` (ten thousand real servers a call): lookups are by records, never
    /// by names made for the lookup, and each virtual server's services are found once, not once
    /// per real server.
    Map<String, Map<String, RealServerView>> realServers() {
        return realServers(userspaceStats());
    }

    private Map<String, Map<String, RealServerView>> realServers(List<BalancerServiceStats> stats) {
        var checked = checks.snapshot();
        var statuses = HashMap.<RealServerId, RealServerStatus>newHashMap(checked.size());
        for (var s : checked) {
            statuses.put(s.id(), s);
        }
        var traffic = traffic(stats);
        var table = actual;
        var out = new LinkedHashMap<String, Map<String, RealServerView>>();
        for (var n : names) {
            var m = LinkedHashMap.<String, RealServerView>newLinkedHashMap(n.realServers().size());
            var destinations = new ArrayList<Map<Endpoint, Destination>>(n.keys().size());
            for (var key : n.keys()) {
                var svc = table.services().get(key);
                if (svc != null) {
                    destinations.add(svc.destinations());
                }
            }
            for (var e : n.realServers().entrySet()) {
                var endpoint = e.getValue();
                var st = statuses.get(new RealServerId(n.checkName(), endpoint.address(), endpoint.port()));
                String h;
                String reason = null;
                Instant since = null;
                if (st == null) {
                    h = "unchecked";
                } else {
                    h = st.up() ? "up" : "down";
                    reason = st.reason() == null || st.reason().isEmpty() ? null : st.reason();
                    since = st.since();
                }
                var t = traffic.getOrDefault(new TrafficKey(n.tableName(), endpoint), AgentState.Traffic.NONE);
                int effective = -1;
                for (var d : destinations) {
                    var dest = d.get(endpoint);
                    if (dest != null) {
                        effective = dest.weight();
                        break;
                    }
                }
                m.put(e.getKey(), new RealServerView(h, reason, since, effective, t));
            }
            out.put(n.apiId(), m);
        }
        return out;
    }

    /// A real server's counters by the table name of its virtual server and its endpoint.
    private record TrafficKey(String table, Endpoint endpoint) {
    }

    private Map<TrafficKey, AgentState.Traffic> traffic(List<BalancerServiceStats> stats) {
        int counted = 0;
        for (var s : stats) {
            counted += s.realServers().size();
        }
        // Two keys per real server on the user-space balancer (see below).
        var out = HashMap.<TrafficKey, AgentState.Traffic>newHashMap(2 * counted);
        var currentSpec = spec;
        switch (backend) {
            case UserspaceBackend _ -> {
                for (var s : stats) {
                    var listen = s.service().listen();
                    for (var vs : currentSpec.virtualServers()) {
                        for (var key : vs.keys()) {
                            if (key instanceof ServiceKey.ByAddress a && a.address().equals(listen.getAddress())
                                    && a.port() == listen.getPort()) {
                                for (var rs : s.realServers()) {
                                    var r = rs.rates();
                                    var t = new AgentState.Traffic(rs.activeConnections(),
                                            rs.inactiveConnections(), rs.totalConnections(), rs.bytesIn(), rs.bytesOut(),
                                            r.connectionsPerSecond(), r.bytesInPerSecond(), r.bytesOutPerSecond());
                                    out.put(new TrafficKey(vs.name(), endpointOf(rs.address(), a.port())), t);
                                    out.put(new TrafficKey(vs.name(), new Endpoint(rs.address().getAddress(),
                                            rs.address().getPort())), t);
                                }
                            }
                        }
                    }
                }
            }
            case KernelIpvs k -> {
                try {
                    var counters = k.counters();
                    for (var vs : currentSpec.virtualServers()) {
                        for (var key : vs.keys()) {
                            var c = counters.get(key);
                            if (c == null) {
                                continue;
                            }
                            c.forEach((endpoint, dc) -> out.put(new TrafficKey(vs.name(), endpoint),
                                    new AgentState.Traffic(dc.activeConnections(),
                                            dc.inactiveConnections(), dc.stats().connections(), dc.stats().inBytes(),
                                            dc.stats().outBytes(), dc.stats().connectionsPerSecond(),
                                            dc.stats().inBytesPerSecond(), dc.stats().outBytesPerSecond())));
                        }
                    }
                } catch (BackendException e) {
                    LOG.log(Level.DEBUG, "IPVS counters unavailable: {0}", e.getMessage());
                }
            }
            default -> {
                // another backend (tests): no counters
            }
        }
        return out;
    }

    private static Endpoint endpointOf(InetSocketAddress address, int servicePort) {
        return new Endpoint(address.getAddress(), address.getPort() == servicePort ? 0 : address.getPort());
    }

    /// The supervisor's view: the worker shows life every second (its tick).
    Instant lastTick() {
        return lastTickAt;
    }

    private volatile Instant lastTickAt = Instant.now();

    /// Removes the agent's own services from the backend (a graceful stop), waiting at most
    /// `deadline`; services someone else created stay.
    void release(Duration deadline) {
        checks.close();
        var done = worker.submit(() -> {
            try {
                var outcome = reconciler.release();
                LOG.log(Level.INFO, "service table ({0}): released {1} service(s) of Pharos''s{2}", backend.name(),
                        outcome.applied().stream().filter(IpvsOp.DeleteService.class::isInstance).count(),
                        outcome.converged() ? "" : "; some could NOT be removed, see above");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            done.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(Level.WARNING, "service table ({0}): could not release its services within {1}: {2}",
                    backend.name(), deadline, e.getMessage());
        }
    }

    @Override
    public void close() {
        checks.close();
        worker.shutdownNow();
        if (backend instanceof UserspaceBackend u) {
            u.balancer().close();
        }
    }
}
