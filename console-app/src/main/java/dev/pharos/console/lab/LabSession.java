package dev.pharos.console.lab;

import dev.pharos.agent.api.Addresses;
import dev.pharos.agent.api.AgentEvent;
import dev.pharos.agent.api.AgentState;
import dev.pharos.agent.api.Methods;
import dev.pharos.agent.api.Params;
import dev.pharos.agent.api.RpcException;
import dev.pharos.agent.config.VirtualServerDef;
import dev.pharos.agent.lab.Lab;
import dev.pharos.agent.lab.LabTraffic;
import dev.pharos.agent.vrrp.StepGate;
import dev.pharos.console.connect.AgentClient;
import dev.pharos.console.connect.AgentLink;
import dev.pharos.console.connect.Connector;
import dev.pharos.console.connect.DirectorConnection;
import dev.pharos.console.connect.DirectorEndpoint;
import dev.pharos.console.connect.LinkState;
import dev.pharos.console.model.ClusterModel;
import dev.pharos.console.model.TimelineEntry;
import dev.pharos.console.topology.MotionViewModel;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.concurrent.Task;
import javafx.concurrent.WorkerStateEvent;

/// A running lab and the console's connections to its directors. Traffic results are watched for
/// outages: when a VIP's requests fail and then succeed again, the gap is measured and put on the
/// timeline ("VIP 192.0.2.100:80 answered again after 1.24 s, now through lvs-backup").
public final class LabSession implements AutoCloseable {

    private final Lab lab;
    private final LabTraffic traffic;
    private final ClusterModel cluster;
    private final Map<String, DirectorConnection> connections;
    private final Map<String, Outage> outages = new ConcurrentHashMap<>();
    /// The VIPs that have answered at least once (the clients' threads add to it).
    private final Set<String> answered = ConcurrentHashMap.newKeySet();
    private final Consumer<Runnable> fx;
    private final Executor work;
    private final Explainer explainer = new Explainer();
    /// The connections this session made: [#close()] closes these, not whatever the shared table
    /// holds by then (it may already hold the next cluster's when the close runs in the background).
    private final List<DirectorConnection> own = new CopyOnWriteArrayList<>();
    private final ObservableList<String> explanations = FXCollections.observableArrayList();
    /// What moves on the topology, on the lab's clock (FX thread).
    private final MotionViewModel motion;
    /// A real server's answer (its name) → its address, for drawing the request's way to it.
    private final Map<String, String> answeredBy = new ConcurrentHashMap<>();
    /// In step-by-step mode: why the lab stands still right now, or null while it runs.
    private final ReadOnlyStringWrapper pausedAt = new ReadOnlyStringWrapper();

    /// A VIP that stopped answering: since when, and the last director that answered.
    private record Outage(Instant since, String lastDirector) {
    }

    private LabSession(Lab lab, LabTraffic traffic, ClusterModel cluster, Map<String, DirectorConnection> connections,
            Consumer<Runnable> fx, Executor work) {
        this.lab = lab;
        this.traffic = traffic;
        this.cluster = cluster;
        this.connections = connections;
        this.fx = fx;
        this.work = work;
        this.motion = new MotionViewModel(lab.stepGate()::nanoTime);
        lab.realServers().forEach((address, server) -> answeredBy.put(server.name(), Addresses.text(address)));
    }

    /// Connects `cluster` to `lab`'s directors (filling `connections`), and starts clients at
    /// `rate` requests per second through every VIP:port of the first director's configuration.
    /// Call on the FX thread; `fx` runs on it, scenarios run on `work`.
    public static LabSession open(Lab lab, ClusterModel cluster, Map<String, DirectorConnection> connections,
            double rate, Consumer<Runnable> fx, Executor work) {
        var targets = new ArrayList<LabTraffic.Target>();
        lab.config(lab.directorNames().getFirst()).ifPresent(c -> c.virtualServers().forEach(vs -> {
            if (vs.key() instanceof VirtualServerDef.Key.Address a) {
                targets.add(new LabTraffic.Target(a.address(), a.port()));
            }
        }));
        var traffic = new LabTraffic(lab, targets, rate);
        var session = new LabSession(lab, traffic, cluster, connections, fx, work);
        Connector connector = (endpoint, timeout) -> {
            var client = lab.connect(endpoint.name());
            try {
                var hello = new AgentClient(client, timeout).call(Methods.HELLO, Params.None.NONE);
                return new AgentLink(endpoint, client, hello);
            } catch (RpcException e) {
                client.close();
                throw new IOException(e.getMessage(), e);
            }
        };
        for (var name : lab.directorNames()) {
            var endpoint = new DirectorEndpoint(name, "lab", 0, null, null, null, "in-process");
            var model = cluster.listenerFor(name);
            DirectorConnection.Listener listener = new DirectorConnection.Listener() {
                @Override
                public void linkState(LinkState state) {
                    model.linkState(state);
                }

                @Override
                public void agentState(AgentState state) {
                    model.agentState(state);
                    fx.accept(() -> session.learnStarts(name, state));
                }

                @Override
                public void event(AgentEvent event) {
                    model.event(event);
                    if (event instanceof AgentEvent.VrrpTransition t) {
                        fx.accept(() -> session.explain(name, t));
                    }
                }
            };
            var connection = new DirectorConnection(endpoint, connector, listener,
                    Duration.ofMillis(500), Duration.ofSeconds(5)).start();
            session.own.add(connection);
            connections.put(name, connection);
        }
        traffic.addListener(session::observe);
        session.move();
        lab.stepGate().onPause(p -> fx.accept(() -> {
            cluster.paused();
            session.paused(p);
        }));
        lab.stepGate().onResume(() -> fx.accept(() -> {
            session.pausedAt.set(null);
            session.standStill();
        }));
        lab.stepGate().onSpeed(speed -> fx.accept(session::standStill));
        return session;
    }

    /// Feeds [#motion()] from the lab: each advert as it is sent, each VIP's holder as it changes,
    /// each request as it is answered — stamped on the lab's clock on the thread that saw it.
    private void move() {
        var gate = lab.stepGate();
        lab.onAdvert(a -> {
            long at = gate.nanoTime();
            var peers = lab.directorNames().stream().filter(n -> !n.equals(a.from()) && lab.running(n)).toList();
            fx.accept(() -> motion.advert(a.from(), peers, a.heard(), at));
        });
        lab.onVipChange(vip -> {
            long at = gate.nanoTime();
            var holder = lab.holder(vip).orElse(null);
            fx.accept(() -> motion.vipHolder(Addresses.text(vip), holder, at));
        });
        long now = gate.nanoTime();
        for (var t : traffic.targets()) {
            motion.vipHolder(Addresses.text(t.vip()), lab.holder(t.vip()).orElse(null), now);
        }
        traffic.addListener(r -> {
            long at = gate.nanoTime();
            var server = r.answer() == null ? null : answeredBy.get(r.answer());
            fx.accept(() -> motion.request(r.director(), "tcp/" + r.vip(), server, at));
        });
    }

    /// What moves on the topology: adverts, VIPs, requests, on the lab's clock (FX thread).
    public MotionViewModel motion() {
        return motion;
    }

    /// FX thread: the split-brain rule asks the directors nothing while their clock stands still
    /// (a pause, or speed 0).
    private void standStill() {
        if (lab.stepGate().isPaused()) {
            cluster.paused();
        } else {
            cluster.resumed();
        }
    }

    private void observe(LabTraffic.Result r) {
        if (!r.ok()) {
            outages.putIfAbsent(r.vip(), new Outage(r.at(), r.director()));
            return;
        }
        boolean first = answered.add(r.vip());
        var outage = outages.remove(r.vip());
        if (outage != null) {
            var gap = Duration.between(outage.since(), r.at());
            // the clients start before the directors hold their VIPs: that wait is no outage
            var text = (first ? "first answered after " + seconds(gap) + " s, through "
                    : "answered again after " + seconds(gap) + " s, now through ") + r.director() + " (" + r.answer()
                    + ")";
            fx.accept(() -> cluster.record(new TimelineEntry(r.at(), "lab", "traffic", "VIP " + r.vip(), text)));
        }
    }

    /// FX thread: the starts the console connected too late to see. An instance still BACKUP after
    /// its one transition has made only its start (`init`), at its `lastChange`; the explainer
    /// needs it to tell a director's first takeover from a takeover after a crash.
    private void learnStarts(String director, AgentState state) {
        for (var i : state.vrrp()) {
            if (i.transitions() == 1 && i.lastChange() != null && i.state().equals("BACKUP")) {
                explainer.remember(director, new AgentEvent.VrrpTransition(0, i.lastChange(), i.name(), i.vrid(),
                        "INITIALIZE", "BACKUP", "init", i.effectivePriority()));
            }
        }
    }

    /// FX thread: one more explained transition (newest first, the last 200).
    private void explain(String director, AgentEvent.VrrpTransition t) {
        var advert = cluster.director(director).flatMap(d -> d.instance(t.instance()))
                .map(i -> Duration.ofMillis(i.advertIntervalMillisProperty().get())).orElse(Duration.ofSeconds(1));
        explanations.add(0, DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault()).format(t.at())
                + "  " + explainer.explain(director, t, advert));
        if (explanations.size() > 200) {
            explanations.remove(200, explanations.size());
        }
    }

    /// FX thread: the lab stopped at a transition (step by step); says what happened and why.
    private void paused(StepGate.Pause p) {
        if (lab.stepGate().paused() == null) {
            return; // resumed before this reached the FX thread
        }
        var c = p.change();
        var t = new AgentEvent.VrrpTransition(0, c.at(), c.instance(), c.vrid(), c.from().name(),
                c.to().name(), c.reason(), c.priority());
        var advert = cluster.director(p.director()).flatMap(d -> d.instance(c.instance()))
                .map(i -> Duration.ofMillis(i.advertIntervalMillisProperty().get())).orElse(Duration.ofSeconds(1));
        pausedAt.set("Paused at " + p.director() + " " + c.instance() + ": " + c.from() + " → " + c.to() + ". "
                // Remembered here, not only when its event arrives: a stopped director's last events can
                // be cut off with its connection, and the next pause's explanation needs this one.
                + explainer.explain(p.director(), t, advert)
                + " VRRP time stands still: timers keep what they have left, adverts wait unread.");
    }

    /// The console's model of the lab's directors (FX thread).
    public ClusterModel cluster() {
        return cluster;
    }

    /// Step by step: while on, the lab pauses at the next VRRP transition on any director.
    public void stepping(boolean on) {
        lab.stepGate().stepping(on);
        if (!on) {
            pausedAt.set(null);
        }
    }

    /// Step by step: lets the lab run to the next transition.
    public void resume() {
        lab.stepGate().resume();
    }

    /// Step by step pauses only at transitions of these instances (none named: all).
    public void watch(Set<String> instances) {
        lab.stepGate().watch(instances);
    }

    /// Why the lab is paused right now, or null while it runs (FX thread).
    public ReadOnlyStringProperty pausedAtProperty() {
        return pausedAt.getReadOnlyProperty();
    }

    /// Why each VRRP transition happened, newest first (FX thread).
    public ObservableList<String> explanations() {
        return explanations;
    }

    static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.2f", d.toNanos() / 1e9);
    }

    public Lab lab() {
        return lab;
    }

    public LabTraffic traffic() {
        return traffic;
    }

    /// Notes a scenario step on the timeline and runs it on the executor (FX thread). The task
    /// is returned to watch it: on failure its exception says why, and the timeline has it too.
    public Task<Void> scenario(String what, Scenario step) {
        started(what);
        var task = new Task<Void>() {
            @Override
            protected Void call() throws Exception {
                step.run(lab);
                return null;
            }
        };
        task.addEventHandler(WorkerStateEvent.WORKER_STATE_FAILED, e -> cluster.record(new TimelineEntry(lab.now(), "lab", "scenario", what,
                "failed: " + task.getException().getMessage())));
        work.execute(task);
        return task;
    }

    /// Notes on the timeline that a scenario step has started (FX thread).
    void started(String what) {
        cluster.record(new TimelineEntry(lab.now(), "lab", "scenario", what, "started"));
    }

    /// One scenario step on the lab.
    @FunctionalInterface
    public interface Scenario {
        void run(Lab lab) throws Exception;
    }

    /// Directors by name, for the scenario buttons.
    public List<String> directors() {
        return lab.directorNames();
    }

    /// The lab's real servers no director has yet, address → label (the palette offers them).
    public Map<String, String> spares() {
        var m = new LinkedHashMap<String, String>();
        var spare = lab.spares();
        lab.realServers().forEach((address, server) -> {
            if (spare.contains(address)) {
                m.put(Addresses.text(address), server.name());
            }
        });
        return m;
    }

    public Map<String, String> realServers() {
        var m = new LinkedHashMap<String, String>();
        lab.realServers().forEach((address, server) -> m.put(Addresses.text(address), server.name()));
        return m;
    }

    /// Stops the clients, closes this session's connections (taking them out of the shared table
    /// if they are still in it) and stops the lab. Blocks for up to a few seconds: the application
    /// calls it off the FX thread. Safe from any thread.
    @Override
    public void close() {
        traffic.close();
        for (var c : own) {
            connections.remove(c.endpoint().name(), c);
            c.close();
        }
        lab.close();
    }
}
