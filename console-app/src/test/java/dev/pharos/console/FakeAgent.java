package dev.pharos.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pharos.agent.api.AgentEvent;
import dev.pharos.agent.api.AgentState;
import dev.pharos.agent.api.Hello;
import dev.pharos.agent.api.JsonRpc;
import dev.pharos.agent.api.Params;
import dev.pharos.agent.api.Protocol;
import dev.pharos.agent.api.Results;
import dev.pharos.agent.api.RpcException;
import dev.pharos.agent.config.ConfigEdits;
import dev.pharos.agent.config.ConfigLoader;
import dev.pharos.agent.config.KeepalivedConfig;
import dev.pharos.agent.config.VirtualServerDef;
import dev.pharos.agent.control.Dispatcher;
import dev.pharos.agent.control.EventJournal;
import dev.pharos.agent.control.InMemoryChannel;
import dev.pharos.agent.control.Method;
import dev.pharos.console.connect.AgentLink;
import dev.pharos.console.connect.DirectorConnection;
import dev.pharos.console.connect.DirectorEndpoint;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiPredicate;

/// An agent inside the test JVM that speaks the real protocol over an in-memory channel: its
/// table is a real parsed keepalived.conf, edited with the agent's own edit code; it records
/// every call and can be told to refuse some.
public final class FakeAgent {

    public record Call(String method, JsonNode params) {
    }

    /// lvs-master's side of a dual-master pair (documentation addresses), as the GUI tests use it.
    public static final String DUAL_MASTER = """
            vrrp_instance VI_1 {
                state MASTER
                interface eth0
                virtual_router_id 90
                priority 100
                advert_int 1
                authentication {
                    auth_type PASS
                    auth_pass 1015
                }
                virtual_ipaddress {
                    192.0.2.100
                }
            }
            virtual_server 192.0.2.100 80 {
                delay_loop 6
                lb_algo wrr
                lb_kind DR
                persistence_timeout 120
                protocol TCP
                real_server 198.51.100.11 80 {
                    weight 1
                    HTTP_GET {
                        url {
                            path /
                        }
                        connect_timeout 3
                    }
                }
                real_server 198.51.100.12 80 {
                    weight 1
                    HTTP_GET {
                        url {
                            path /
                        }
                        connect_timeout 3
                    }
                }
            }
            virtual_server 192.0.2.100 443 {
                delay_loop 6
                lb_algo wrr
                lb_kind DR
                protocol TCP
                real_server 198.51.100.11 443 {
                    weight 1
                }
            }
            """;


    private final String name;
    /// What `config.get` says the configuration includes.
    private volatile List<String> included = List.of();
    private final String vrrpState;
    private final EventJournal journal = new EventJournal(Clock.systemUTC(), 1000);
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final List<dev.pharos.agent.control.ControlClient> clients = new CopyOnWriteArrayList<>();
    private volatile KeepalivedConfig config;
    private volatile BiPredicate<String, JsonNode> refuse = (m, p) -> false;
    private volatile boolean down;
    private volatile boolean failHeartbeats;
    private volatile java.util.function.Function<String, AgentState.Traffic> traffic = id -> AgentState.Traffic.NONE;

    /// What `announce.get` answers; null: this agent announces nothing (no `run --announce`).
    private volatile Results.Announcements announcements;

    /// Makes this agent announce `vips` through a routing daemon called `daemon`, with one BGP
    /// session `upstream` established: `announce.get` and `announce.drain` answer from now on, and
    /// a drain withdraws every VIP at once, said by an `announce.changed` event.
    public void announcing(String daemon, List<String> vips) {
        announcements = announcements(daemon, false, vips);
        publishAnnouncements();
    }

    private static Results.Announcements announcements(String daemon, boolean draining, List<String> vips) {
        return new Results.Announcements(daemon, draining, vips.stream()
                .map(v -> new Results.Announcement(v, true, !draining, !draining, null)).toList(),
                List.of(new Results.BgpSession("upstream", true, "Established")));
    }

    private void publishAnnouncements() {
        var now = announcements;
        journal.publish((seq, at) -> new AgentEvent.AnnounceChanged(seq, at, now));
    }

    private Results.Announcements announcementsOrRefuse() throws RpcException {
        var a = announcements;
        if (a == null) {
            throw new RpcException(Protocol.Errors.INVALID_PARAMS, "this agent announces no VIP");
        }
        return a;
    }

    /// What `state.get` reports as traffic, by real server id.
    public void traffic(java.util.function.Function<String, AgentState.Traffic> byRealServer) {
        this.traffic = byRealServer;
    }

    public FakeAgent(String name, String vrrpState, String configText) throws Exception {
        this.name = name;
        this.vrrpState = vrrpState;
        this.config = ConfigLoader.parse(Path.of(name + ".conf"), configText, "").config();
    }

    /// Makes `config.get` name these files as included by the configuration.
    public void included(List<String> files) {
        included = List.copyOf(files);
    }

    public List<Call> calls() {
        return calls;
    }

    public List<Call> edits() {
        return calls.stream().filter(c -> c.method().startsWith("realServer.") || c.method().startsWith("virtualServer."))
                .toList();
    }

    public void refuseWhen(BiPredicate<String, JsonNode> rule) {
        this.refuse = rule;
    }

    /// Stops answering: open links close, new ones are refused (a dead director).
    public void goDown() {
        down = true;
        clients.forEach(dev.pharos.agent.control.ControlClient::close);
    }

    /// Answers again after [#goDown].
    public void comeUp() {
        down = false;
    }

    /// Heartbeats (`agent.hello` on an open link) fail with an error while on: a session that
    /// worked ends with an exception, as when an agent stops answering in time.
    public void failHeartbeats(boolean on) {
        failHeartbeats = on;
    }

    /// A started connection to this agent in memory, as the console holds one: it checks the agent
    /// answers every 300 ms and gives a connect or call `timeout`.
    public DirectorConnection connection(DirectorConnection.Listener listener, Duration timeout) {
        return new DirectorConnection(new DirectorEndpoint(name, "in-memory", 0, null, null, null, null), this::connect,
                listener, Duration.ofMillis(300), timeout).start();
    }

    public AgentLink connect(DirectorEndpoint endpoint, Duration timeout) throws IOException {
        if (down) {
            throw new IOException(name + " does not answer");
        }
        var client = InMemoryChannel.open(name, new Dispatcher(methods()), journal);
        clients.add(client);
        return new AgentLink(endpoint, client, hello());
    }

    private Hello hello() {
        return new Hello(Protocol.VERSION, "test", name, new Hello.Capabilities("userspace", List.of(2, 3),
                List.of("eth0"), Protocol.METHODS));
    }

    private Map<String, Method> methods() {
        var m = new LinkedHashMap<String, Method>();
        m.put(Protocol.HELLO, (p, s) -> {
            if (failHeartbeats) {
                throw new RpcException(Protocol.Errors.INTERNAL_ERROR, name + " does not answer in time");
            }
            return hello();
        });
        m.put(Protocol.STATE_GET, (p, s) -> state());
        m.put(Protocol.EVENTS_SUBSCRIBE, (p, s) -> s.subscribe(JsonRpc.params(p, Params.Subscribe.class).afterSequence()));
        m.put(Protocol.REAL_SERVER_MOVE, (p, s) -> edit(Protocol.REAL_SERVER_MOVE, p, c -> {
            var a = JsonRpc.params(p, Params.RealServerMove.class);
            return ConfigEdits.moveRealServer(c, a.fromVirtualServer(), a.realServer(), a.toVirtualServer(), a.port());
        }));
        m.put(Protocol.REAL_SERVER_ADD, (p, s) -> edit(Protocol.REAL_SERVER_ADD, p, c -> {
            var a = JsonRpc.params(p, Params.RealServerAdd.class);
            return ConfigEdits.addRealServer(c, a.virtualServer(), InetAddress.getByName(a.address()), a.port(),
                    a.weight(), true);
        }));
        m.put(Protocol.REAL_SERVER_REMOVE, (p, s) -> edit(Protocol.REAL_SERVER_REMOVE, p, c -> {
            var a = JsonRpc.params(p, Params.RealServerRemove.class);
            return ConfigEdits.removeRealServer(c, a.virtualServer(), a.realServer());
        }));
        m.put(Protocol.REAL_SERVER_UPDATE, (p, s) -> edit(Protocol.REAL_SERVER_UPDATE, p, c -> {
            var a = JsonRpc.params(p, Params.RealServerUpdate.class);
            return ConfigEdits.updateRealServer(c, a.virtualServer(), a.realServer(), a.weight(), a.inhibitOnFailure());
        }));
        m.put(Protocol.VIRTUAL_SERVER_UPDATE, (p, s) -> edit(Protocol.VIRTUAL_SERVER_UPDATE, p, c -> {
            var a = JsonRpc.params(p, Params.VirtualServerUpdate.class);
            return ConfigEdits.updateVirtualServer(c, a.virtualServer(), a.scheduler(),
                    a.kind() == null ? null : VirtualServerDef.LbKind.valueOf(a.kind()),
                    a.persistenceSeconds() == null ? null : Duration.ofSeconds(a.persistenceSeconds()),
                    a.delayLoopSeconds() == null ? null : Duration.ofSeconds(a.delayLoopSeconds()), a.quorum());
        }));
        m.put(Protocol.ANNOUNCE_GET, (p, s) -> announcementsOrRefuse());
        m.put(Protocol.ANNOUNCE_DRAIN, (p, s) -> {
            calls.add(new Call(Protocol.ANNOUNCE_DRAIN, p));
            var a = announcementsOrRefuse();
            announcements = announcements(a.daemon(), JsonRpc.params(p, Params.Drain.class).drain(),
                    a.vips().stream().map(Results.Announcement::vip).toList());
            publishAnnouncements();
            return announcements;
        });
        m.put(Protocol.CONFIG_GET, (p, s) -> new Results.Config(revision(), name + ".conf",
                dev.pharos.agent.config.ConfigWriter.write(config), included));
        m.put(Protocol.CONFIG_VALIDATE, (p, s) -> {
            calls.add(new Call(Protocol.CONFIG_VALIDATE, p));
            return validation(p.path("text").asText());
        });
        m.put(Protocol.CONFIG_APPLY, (p, s) -> {
            calls.add(new Call(Protocol.CONFIG_APPLY, p));
            synchronized (this) {
                if (!revision().equals(p.path("baseRevision").asText(null))) {
                    throw new RpcException(Protocol.Errors.STALE_REVISION, "stale revision");
                }
                var v = validation(p.path("text").asText());
                if (!v.valid()) {
                    throw new RpcException(new dev.pharos.agent.api.RpcError(Protocol.Errors.INVALID_CONFIG, "invalid",
                            JsonRpc.tree(v)));
                }
                try {
                    var before = config;
                    config = ConfigLoader.parse(Path.of(name + ".conf"), p.path("text").asText(), "").config();
                    var changes = dev.pharos.agent.config.ConfigDiff.describe(before, config);
                    var rev = revision();
                    journal.publish((seq, at) -> new AgentEvent.ConfigChanged(seq, at, rev, "apply", changes));
                    return new Results.Applied(rev, changes);
                } catch (dev.pharos.agent.config.ConfigException e) {
                    throw new RpcException(Protocol.Errors.INVALID_CONFIG, e.getMessage());
                }
            }
        });
        return m;
    }

    private Results.Validation validation(String text) {
        java.util.List<dev.pharos.agent.config.Diagnostic> found;
        try {
            found = ConfigLoader.parse(Path.of(name + ".conf"), text, "").warnings();
        } catch (dev.pharos.agent.config.ConfigException e) {
            found = e.diagnostics();
        }
        var out = found.stream().map(d -> new Results.Diagnostic(d.isError() ? "error" : "warning", name + ".conf",
                d.position() == null ? 0 : d.position().line(), d.position() == null ? 0 : d.position().column(),
                d.message(), d.toString())).toList();
        return new Results.Validation(found.stream().noneMatch(dev.pharos.agent.config.Diagnostic::isError), out);
    }

    @FunctionalInterface
    private interface EditBody {
        ConfigEdits.Edit apply(KeepalivedConfig c) throws Exception;
    }

    private synchronized Results.Applied edit(String method, JsonNode params, EditBody body) throws RpcException {
        calls.add(new Call(method, params));
        var base = params.path("baseRevision").asText(null);
        if (!revision().equals(base)) {
            throw new RpcException(Protocol.Errors.STALE_REVISION, "stale revision " + base);
        }
        if (refuse.test(method, params)) {
            throw new RpcException(Protocol.Errors.INVALID_CONFIG, "refused by the test agent: " + method);
        }
        try {
            var e = body.apply(config);
            config = e.config();
            var rev = revision();
            journal.publish((seq, at) -> new AgentEvent.ConfigChanged(seq, at, rev, "edit", e.changes()));
            return new Results.Applied(rev, e.changes());
        } catch (ConfigEdits.EditException e) {
            throw new RpcException(e.notFound() ? Protocol.Errors.NOT_FOUND : Protocol.Errors.INVALID_PARAMS, e.getMessage());
        } catch (Exception e) {
            throw new RpcException(Protocol.Errors.INVALID_PARAMS, e.getMessage());
        }
    }

    private String revision() {
        return dev.pharos.agent.daemon.ConfigStore.revision(config);
    }

    AgentState state() {
        var instances = new ArrayList<AgentState.VrrpInstance>();
        for (var i : config.vrrpInstances()) {
            var vips = i.virtualIpAddresses().stream().map(v -> v.address().getHostAddress() + "/" + (v.prefixLength() == null ? 32 : v.prefixLength()))
                    .toList();
            instances.add(new AgentState.VrrpInstance(i.name(), i.virtualRouterId(), "eth0", 2,
                    i.name().equals("VI_1") ? vrrpState : (vrrpState.equals("MASTER") ? "BACKUP" : "MASTER"),
                    i.priority() == null ? 100 : i.priority(), i.priority() == null ? 100 : i.priority(), null, vips, 1000, Instant.now(), 1, List.of(), Map.of()));
        }
        var servers = new ArrayList<AgentState.VirtualServer>();
        for (var vs : config.virtualServers()) {
            var a = (VirtualServerDef.Key.Address) vs.key();
            var real = vs.realServers().stream().map(r -> new AgentState.RealServer(r.id(), r.address().getHostAddress(),
                    r.port(), r.weight() == null ? 1 : r.weight(), r.weight() == null ? 1 : r.weight(), "up",
                    "status 200", Instant.now(), List.of("HTTP_GET"), traffic.apply(r.id()))).toList();
            servers.add(new AgentState.VirtualServer(vs.id(), "TCP", a.address().getHostAddress(), a.port(), null, null,
                    vs.lbAlgo(), vs.lbKind().name(), "userspace", null, 120, 1, true, null, real));
        }
        return new AgentState(revision(), name, Instant.now(), journal.lastSequence(),
                new AgentState.Balancer("userspace", "test"), instances, servers);
    }
}
