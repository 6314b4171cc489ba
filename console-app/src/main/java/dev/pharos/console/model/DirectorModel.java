package dev.pharos.console.model;

import dev.pharos.agent.api.AgentEvent;
import dev.pharos.agent.api.AgentState;
import dev.pharos.agent.api.Results;
import dev.pharos.console.connect.LinkState;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/// One director: its link, its liveness, and what its agent last reported. Updated only on the
/// FX thread (see [ClusterModel#listenerFor]).
public final class DirectorModel {

    private final String name;
    private final ObjectProperty<LinkState> link = new SimpleObjectProperty<>();
    private final ReadOnlyObjectWrapper<Liveness> liveness = new ReadOnlyObjectWrapper<>(Liveness.CONNECTING);
    private final StringProperty revision = new SimpleStringProperty();
    private final StringProperty hostname = new SimpleStringProperty();
    private final StringProperty balancer = new SimpleStringProperty();
    private final ObservableList<InstanceModel> instances = FXCollections.observableArrayList();
    private final ObservableList<VirtualServerModel> virtualServers = FXCollections.observableArrayList();
    private final Consumer<TimelineEntry> timeline;
    private final Supplier<Instant> clock;
    private final Runnable reconnect;
    private boolean everConnected;
    /// The agent announced a graceful stop on the current connection.
    private boolean stopping;
    /// Plain keepalived read over SSH, not an agent: shown read-only.
    private final boolean adopted;
    private final ReadOnlyObjectWrapper<HostReadings> readings = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyObjectWrapper<Results.Announcements> announcements = new ReadOnlyObjectWrapper<>();

    /// @param clock the timeline's clock: the link's own times are the console's (its backoff runs
    ///              in real time), but its entries are stamped on the timeline's one clock (the
    ///              lab's, in the lab)
    /// @param adopted  plain keepalived read over SSH ([AdoptedListener]) rather than an agent
    DirectorModel(String name, Consumer<TimelineEntry> timeline, Supplier<Instant> clock, Runnable reconnect,
            boolean adopted) {
        this.adopted = adopted;
        this.clock = clock;
        this.name = name;
        this.timeline = timeline;
        this.reconnect = reconnect;
        link.addListener((o, was, now) -> liveness.set(switch (now) {
            case LinkState.Connected c -> {
                everConnected = true;
                stopping = false;
                yield connectedLiveness();
            }
            // A new attempt changes nothing that is known: still connecting, unreachable or reconnecting.
            case LinkState.Connecting c -> liveness.get() == Liveness.LIVE ? lost() : liveness.get();
            case LinkState.Retrying r -> lost();
            case LinkState.Failed f -> Liveness.FAILED;
            case LinkState.Closed c -> lost();
        }));
    }

    public String name() {
        return name;
    }

    /// Whether this director is plain keepalived the console adopted: read over SSH, never edited.
    public boolean adopted() {
        return adopted;
    }

    /// What was last read from an adopted director, with its ages; null for an agent.
    public ReadOnlyObjectProperty<HostReadings> readingsProperty() {
        return readings.getReadOnlyProperty();
    }

    void readings(HostReadings r) {
        var before = readings.get();
        readings.set(r);
        if (link.get() instanceof LinkState.Connected) {
            liveness.set(connectedLiveness());
        }
        var was = before == null ? null : before.stale();
        if (r.stale() != null && !r.stale().equals(was)) {
            timeline.accept(new TimelineEntry(clock.get(), name, "vrrp", name, "state unknown: " + r.stale()));
        } else if (r.stale() == null && was != null) {
            timeline.accept(new TimelineEntry(clock.get(), name, "vrrp", name, "keepalived's state is current again"));
        }
    }

    /// Connected: live, unless what an adopted keepalived says could not be read fresh.
    private Liveness connectedLiveness() {
        var r = readings.get();
        return r != null && r.stale() != null ? Liveness.STALE : Liveness.LIVE;
    }

    /// Not connected now: stopped if its agent said it was stopping, else reconnecting if it ever
    /// was connected, else unreachable.
    private Liveness lost() {
        return stopping ? Liveness.STOPPED : everConnected ? Liveness.RECONNECTING : Liveness.UNREACHABLE;
    }

    /// Connects again now instead of waiting out the backoff (FX thread).
    public void reconnectNow() {
        reconnect.run();
    }

    void linkChanged(LinkState state) {
        var before = link.get();
        link.set(state);
        var text = switch (state) {
            case LinkState.Connected c -> "connected (" + (adopted ? "" : "agent ") + c.hello().agentVersion() + ")";
            case LinkState.Connecting c -> c.attempt() > 1 ? null : "connecting";
            case LinkState.Retrying r -> "link lost: " + r.reason() + (r.retryIn().isZero() ? "; reconnecting"
                    : "; retrying in " + r.retryIn().toSeconds() + " s");
            case LinkState.Failed f -> "stopped: " + f.reason();
            case LinkState.Closed c -> "disconnected";
        };
        boolean repeat = before instanceof LinkState.Retrying && state instanceof LinkState.Retrying;
        if (text != null && !repeat) {
            timeline.accept(new TimelineEntry(clock.get(), name, "connection", name, text));
        }
    }

    void apply(AgentState s) {
        revision.set(s.revision());
        hostname.set(s.hostname());
        balancer.set(s.balancer().backend());
        Reconcile.list(instances, s.vrrp(), AgentState.VrrpInstance::name, InstanceModel::name, InstanceModel::new,
                (m, v) -> m.apply(v, s.at()));
        Reconcile.list(virtualServers, s.virtualServers(), AgentState.VirtualServer::id, VirtualServerModel::id,
                vs -> new VirtualServerModel(vs, name), VirtualServerModel::apply);
    }

    void apply(AgentEvent e) {
        switch (e) {
            case AgentEvent.VrrpTransition t -> {
                instance(t.instance()).ifPresent(i -> i.transition(t.to(), t.priority(), t.at()));
                timeline.accept(new TimelineEntry(t.at(), name, "vrrp", t.instance(),
                        t.from() + " → " + t.to() + " (" + t.reason() + ")"));
            }
            case AgentEvent.HealthChanged h -> {
                virtualServer(h.virtualServer()).flatMap(v -> v.realServer(h.realServer())).ifPresent(r -> {
                    r.healthChanged(Health.fromWire(h.health()), h.reason(), h.effectiveWeight());
                });
                timeline.accept(new TimelineEntry(h.at(), name, "health", h.realServer(),
                        h.health() + " in " + h.virtualServer() + (h.reason() == null ? "" : " (" + h.reason() + ")")));
            }
            case AgentEvent.ConfigChanged c -> timeline.accept(new TimelineEntry(c.at(), name,
                    c.source().equals("edit") ? "edit" : "config", "revision " + c.revision(), String.join("; ", c.changes())));
            case AgentEvent.ComponentRestarted r -> timeline.accept(new TimelineEntry(r.at(), name, "component",
                    r.component(), r.detail()));
            case AgentEvent.Resync r -> timeline.accept(new TimelineEntry(r.at(), name, "connection", name, r.reason()));
            case AgentEvent.AnnounceChanged a -> announced(a.at(), a.announcements());
            case AgentEvent.Stopping st -> {
                stopping = true;
                timeline.accept(new TimelineEntry(st.at(), name, "connection", name, "agent " + st.reason()));
            }
        }
    }

    /// What changed in what the director announces, on the timeline: the first report says where
    /// everything stands, later ones what differs.
    private void announced(Instant at, Results.Announcements now) {
        var before = announcements.get();
        announcements.set(now);
        var changes = new ArrayList<String>();
        if (before == null || before.draining() != now.draining()) {
            if (now.draining()) {
                changes.add("out of service: every VIP withdrawn from " + now.daemon());
            } else if (before != null) {
                changes.add("back in service: VIPs announced through " + now.daemon() + " once healthy");
            }
        }
        for (var v : now.vips()) {
            var was = before == null ? null : before.vips().stream().filter(b -> b.vip().equals(v.vip())).findFirst()
                    .orElse(null);
            if (v.problem() != null && (was == null || !v.problem().equals(was.problem()))) {
                changes.add(v.vip() + ": " + v.problem());
            } else if (v.announced() != null && (was == null || !v.announced().equals(was.announced()))) {
                changes.add(v.vip() + (v.announced() ? " announced" : " withdrawn") + (v.healthy() ? "" : " (unhealthy)"));
            }
        }
        for (var s : now.sessions()) {
            var was = before == null ? null : before.sessions().stream().filter(b -> b.name().equals(s.name()))
                    .findFirst().orElse(null);
            if (was == null ? before != null || !s.established() : was.established() != s.established()) {
                changes.add("BGP session " + s.name() + ": " + s.state());
            }
        }
        if (!changes.isEmpty()) {
            timeline.accept(new TimelineEntry(at, name, "announce", name, String.join("; ", changes)));
        }
    }

    /// What this director announces through its routing daemon (one of several active directors
    /// behind ECMP), as last reported; null when it announces nothing.
    public ReadOnlyObjectProperty<Results.Announcements> announcementsProperty() {
        return announcements.getReadOnlyProperty();
    }

    /// The announcement of `vip` (an address) by this director, if it announces it.
    public Optional<Results.Announcement> announcement(String vip) {
        var a = announcements.get();
        return a == null || vip == null ? Optional.empty()
                : a.vips().stream().filter(v -> v.vip().equals(vip)).findFirst();
    }

    /// The VRRP instance whose virtual addresses hold `vip` (written as an address, or as
    /// address/prefix), if one does.
    public Optional<InstanceModel> instanceHolding(String vip) {
        if (vip == null) {
            return Optional.empty();
        }
        for (var i : instances) {
            for (var a : i.virtualAddressesProperty().get()) {
                if (a.equals(vip) || a.startsWith(vip + "/")) {
                    return Optional.of(i);
                }
            }
        }
        return Optional.empty();
    }

    public Optional<InstanceModel> instance(String instanceName) {
        return instances.stream().filter(i -> i.name().equals(instanceName)).findFirst();
    }

    public Optional<VirtualServerModel> virtualServer(String id) {
        return virtualServers.stream().filter(v -> v.id().equals(id)).findFirst();
    }

    public ObjectProperty<LinkState> linkProperty() {
        return link;
    }

    public ReadOnlyObjectProperty<Liveness> livenessProperty() {
        return liveness.getReadOnlyProperty();
    }

    public StringProperty revisionProperty() {
        return revision;
    }

    public StringProperty hostnameProperty() {
        return hostname;
    }

    public StringProperty balancerProperty() {
        return balancer;
    }

    public ObservableList<InstanceModel> instances() {
        return instances;
    }

    public ObservableList<VirtualServerModel> virtualServers() {
        return virtualServers;
    }
}
