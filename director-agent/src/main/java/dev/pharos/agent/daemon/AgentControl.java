package dev.pharos.agent.daemon;

import dev.pharos.agent.api.Addresses;
import dev.pharos.agent.api.AgentState;
import dev.pharos.agent.api.Hello;
import dev.pharos.agent.api.JsonRpc;
import dev.pharos.agent.api.Methods;
import dev.pharos.agent.api.Params;
import dev.pharos.agent.api.Protocol;
import dev.pharos.agent.api.Results;
import dev.pharos.agent.api.RpcError;
import dev.pharos.agent.api.RpcException;
import dev.pharos.agent.api.RpcMethod;
import dev.pharos.agent.config.CheckerDef;
import dev.pharos.agent.config.ConfigEdits;
import dev.pharos.agent.config.ConfigException;
import dev.pharos.agent.config.ConfigLoader;
import dev.pharos.agent.config.Diagnostic;
import dev.pharos.agent.config.KeepalivedConfig;
import dev.pharos.agent.config.LoadedConfig;
import dev.pharos.agent.config.Privileged;
import dev.pharos.agent.config.SourceReader;
import dev.pharos.agent.config.Suggestions;
import dev.pharos.agent.config.VirtualServerDef;
import dev.pharos.agent.control.EncodedJson;
import dev.pharos.agent.control.Method;
import dev.pharos.agent.control.Role;
import dev.pharos.agent.control.SingleFlight;
import dev.pharos.agent.vrrp.ReceiveCheck;
import dev.pharos.agent.vrrp.VrrpInstanceStatus;
import dev.pharos.agent.vrrp.VrrpSettings;
import dev.pharos.agent.vrrp.VrrpState;
import dev.pharos.agent.vrrp.VrrpVersion;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/// The agent's JSON-RPC methods: each reads its params record, calls the daemon, and returns a
/// record of `agent.api`. Documented, with examples, in `docs/protocol.md`.
final class AgentControl {

    private final Daemon daemon;

    AgentControl(Daemon daemon) {
        this.daemon = daemon;
    }

    Map<String, Method> methods() {
        var m = new LinkedHashMap<String, Method>();
        put(m, Methods.HELLO, (a, s) -> hello());
        m.put(Methods.STATE_GET.name(), (params, s) -> stateJson(JsonRpc.params(params, Methods.STATE_GET.params())));
        put(m, Methods.EVENTS_SUBSCRIBE, (a, s) -> s.subscribe(a.afterSequence()));
        put(m, Methods.EVENTS_UNSUBSCRIBE, (a, s) -> {
            s.unsubscribe();
            return new Results.Unsubscribed();
        });
        put(m, Methods.REAL_SERVER_ADD, (a, s) -> {
            var vs = virtualServerId(a.virtualServer(), "virtualServer");
            var address = address(a.address(), "address");
            return daemon.edit(a.baseRevision(), c -> ConfigEdits.addRealServer(c, vs, address, a.port(),
                    a.weight(), a.copyChecks() == null || a.copyChecks()));
        });
        put(m, Methods.REAL_SERVER_REMOVE, (a, s) -> {
            var vs = virtualServerId(a.virtualServer(), "virtualServer");
            var rs = realServerId(a.realServer(), "realServer");
            return daemon.edit(a.baseRevision(), c -> ConfigEdits.removeRealServer(c, vs, rs));
        });
        put(m, Methods.REAL_SERVER_UPDATE, (a, s) -> {
            var vs = virtualServerId(a.virtualServer(), "virtualServer");
            var rs = realServerId(a.realServer(), "realServer");
            return daemon.edit(a.baseRevision(), c -> ConfigEdits.updateRealServer(c, vs, rs,
                    a.weight(), a.inhibitOnFailure()));
        });
        put(m, Methods.REAL_SERVER_MOVE, (a, s) -> {
            var from = virtualServerId(a.fromVirtualServer(), "fromVirtualServer");
            var rs = realServerId(a.realServer(), "realServer");
            var to = virtualServerId(a.toVirtualServer(), "toVirtualServer");
            return daemon.edit(a.baseRevision(), c -> ConfigEdits.moveRealServer(c, from, rs, to, a.port()));
        });
        put(m, Methods.VIRTUAL_SERVER_ADD, (a, s) -> {
            VirtualServerDef.Key key;
            if (a.fwmark() != null) {
                if (a.address() != null) {
                    throw invalid("give either fwmark or address and port, not both");
                }
                // IPVS marks are 32 bits, and 0 is no mark.
                EditFields.range(a.fwmark(), "fwmark", 1, 0xFFFF_FFFFL);
                key = new VirtualServerDef.Key.Fwmark(a.fwmark());
            } else {
                var address = address(a.address(), "address");
                if (a.port() == null || a.port() < 0 || a.port() > 65535) {
                    throw invalid("port is required (0–65535) with address");
                }
                key = new VirtualServerDef.Key.Address(address, a.port());
            }
            var protocol = a.protocol() == null ? null : enumValue(VirtualServerDef.Protocol.class, a.protocol(), "protocol");
            var scheduler = EditFields.scheduler(a.scheduler());
            var kind = a.kind() == null ? null : enumValue(VirtualServerDef.LbKind.class, a.kind(), "kind");
            // 0 is no persistence; keepalived ignores a persistence_timeout above 31 days.
            var persistence = seconds(EditFields.range(a.persistenceSeconds(), "persistenceSeconds", 0,
                    ConfigEdits.MAX_PERSISTENCE_SECONDS), "persistenceSeconds");
            var delayLoop = seconds(a.delayLoopSeconds(), "delayLoopSeconds");
            return daemon.edit(a.baseRevision(), c -> ConfigEdits.addVirtualServer(c, key, protocol, scheduler, kind,
                    persistence, delayLoop));
        });
        put(m, Methods.VIRTUAL_SERVER_REMOVE, (a, s) -> {
            var vs = virtualServerId(a.virtualServer(), "virtualServer");
            return daemon.edit(a.baseRevision(), c -> ConfigEdits.removeVirtualServer(c, vs));
        });
        put(m, Methods.VIRTUAL_SERVER_UPDATE, (a, s) -> {
            var vs = virtualServerId(a.virtualServer(), "virtualServer");
            var scheduler = EditFields.scheduler(a.scheduler());
            var kind = a.kind() == null ? null : enumValue(VirtualServerDef.LbKind.class, a.kind(), "kind");
            // 0 is no persistence; keepalived ignores a persistence_timeout above 31 days.
            var persistence = seconds(EditFields.range(a.persistenceSeconds(), "persistenceSeconds", 0,
                    ConfigEdits.MAX_PERSISTENCE_SECONDS), "persistenceSeconds");
            var delayLoop = seconds(a.delayLoopSeconds(), "delayLoopSeconds");
            var quorum = EditFields.range(a.quorum(), "quorum", 1, Integer.MAX_VALUE);
            return daemon.edit(a.baseRevision(), c -> ConfigEdits.updateVirtualServer(c, vs, scheduler,
                    kind, persistence, delayLoop, quorum));
        });
        put(m, Methods.VRRP_SET_PRIORITY, (a, s) -> {
            instance(EditFields.word(a.instance(), "instance", "a VRRP instance name"));
            if (a.priority() < 1 || a.priority() > 254) {
                throw invalid("priority " + a.priority() + " is outside 1–254 (255 belongs to the address owner "
                        + "and comes only from the configuration)");
            }
            daemon.engine().setPriority(a.instance(), a.priority());
            return new Results.PrioritySet(a.instance(), a.priority());
        });
        put(m, Methods.VRRP_RESIGN, (a, s) -> {
            var st = instance(a.instance());
            if (st.state() != VrrpState.MASTER) {
                throw new RpcException(Protocol.Errors.INVALID_PARAMS, "(" + a.instance() + ") is " + st.state()
                        + ", not MASTER: only a master can resign");
            }
            daemon.engine().resign(a.instance());
            return new Results.Resigned(a.instance());
        });
        put(m, Methods.CONFIG_GET, (a, s) -> daemon.configFile());
        put(m, Methods.CONFIG_VALIDATE, (a, s) -> {
            if (a.text() == null) {
                throw invalid("text is required");
            }
            try {
                var loaded = parseFromClient(a.text(), s, false, null);
                return validation(withVrrpChecks(loaded.config(), loaded.warnings()));
            } catch (ConfigException e) {
                return validation(e.diagnostics());
            }
        });
        put(m, Methods.CONFIG_APPLY, (a, s) -> {
            if (a.text() == null) {
                throw invalid("text is required");
            }
            try {
                var loaded = parseFromClient(a.text(), s, true, a.baseRevision());
                var all = withVrrpChecks(loaded.config(), loaded.warnings());
                if (all.stream().anyMatch(Diagnostic::isError)) {
                    throw invalidConfig(all);
                }
                return daemon.applyText(a.baseRevision(), a.baseTextRevision(), loaded.config(), a.text());
            } catch (ConfigException e) {
                throw invalidConfig(e.diagnostics());
            }
        });
        put(m, Methods.ANNOUNCE_GET, (a, s) -> daemon.announcements());
        put(m, Methods.ANNOUNCE_DRAIN, (a, s) -> daemon.drain(a.drain()));
        return m;
    }

    /// Registers `body` under the declared method's name, reading its params through the declaration.
    private static <P, R> void put(Map<String, Method> m, RpcMethod<P, R> declared, Method.Typed<P, R> body) {
        m.put(declared.name(), Method.of(declared, body));
    }

    /// How long a `config.validate` or `config.apply` waits for the one that is parsing.
    static final Duration PARSE_WAIT = Duration.ofSeconds(5);

    /// One parse of a client's text at a time: a parse holds about 20 times its text at its peak
    /// (measured: 3 MB of configuration needed more than 64 MB of heap), and sixteen at once would
    /// starve the VRRP engine of heap.
    private final Semaphore parsing = new Semaphore(1);

    /// Parses text a client sent, as if it were the agent's configuration file: includes only
    /// inside that file's directory tree, one parse at a time. For `config.apply` (`applying`) by
    /// an operator the text may have only include lines the running file already has (an editor
    /// sends back the file's own text, includes and all: those read nothing new) and change
    /// nothing [Privileged] compared with the running configuration at `applyBase`.
    private LoadedConfig parseFromClient(String text, Method.Session session, boolean applying,
            String applyBase) throws ConfigException, RpcException {
        var file = daemon.store().file();
        var configId = daemon.options().configId();
        boolean operatorApply = applying && session.role() != Role.ADMIN;
        if (operatorApply && applyBase == null) {
            throw invalid("baseRevision is required: the revision from state.get or config.get the edit is based on");
        }
        try {
            if (!parsing.tryAcquire(PARSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new RpcException(Protocol.Errors.BUSY, "another configuration is being checked; try again in a "
                        + "moment");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RpcException(Protocol.Errors.BUSY, "interrupted while waiting to check the configuration");
        }
        try {
            if (operatorApply) {
                var running = SourceReader.includes(file, daemon.store().text(), configId).stream()
                        .map(SourceReader.Include::directive).collect(Collectors.toSet());
                for (var include : SourceReader.includes(file, text, configId)) {
                    if (!running.contains(include.directive())) {
                        throw notPermitted("an include the configuration file does not already have ("
                                + include.directive() + " at " + include.at() + ")");
                    }
                }
            }
            var loaded = ConfigLoader.parseConfined(file, text, configId, parseBudget());
            if (operatorApply) {
                KeepalivedConfig current;
                String revision;
                synchronized (daemon) { // the model and its revision as one pair
                    current = daemon.config();
                    revision = daemon.revision();
                }
                if (!revision.equals(applyBase)) {
                    // Compared with anything else, the check would judge a change the apply does not make.
                    throw new RpcException(new RpcError(Protocol.Errors.STALE_REVISION, "the configuration changed "
                            + "since revision " + applyBase + " (now " + revision + "); read it again and redo the edit",
                            JsonRpc.tree(new Results.Stale(revision))));
                }
                var change = Privileged.firstChange(current, loaded.config());
                if (change.isPresent()) {
                    throw notPermitted("changing " + change.get());
                }
            }
            return loaded;
        } finally {
            parsing.release();
        }
    }

    /// The most text (request and includes together) one client parse may read: a parse holds
    /// about 20 times its text at its peak, so 1/64 of the heap keeps it to a third of a heap the
    /// VRRP engine shares (96 MB, the unit's -Xmx: 1.5 MB, about 25,000 real servers).
    static long parseBudget() {
        return Runtime.getRuntime().maxMemory() / 64;
    }

    private static RpcException notPermitted(String what) {
        return new RpcException(Protocol.Errors.NOT_PERMITTED, what + " needs root: ask an administrator, or use "
                + "sudo director-agent ctl");
    }

    /// The model may parse and still be unrunnable here (IPv6 VRRP, a VIP on another interface):
    /// the same mapping `run` uses decides, so `config.validate` never approves what `apply` refuses.
    private static List<Diagnostic> withVrrpChecks(KeepalivedConfig c, List<Diagnostic> found) {
        var all = new ArrayList<>(found);
        try {
            VrrpMapping.map(c);
        } catch (ConfigException e) {
            all.addAll(e.diagnostics());
        } catch (RuntimeException e) {
            all.add(Diagnostic.error(null, e.getMessage()));
        }
        return all;
    }

    private static RpcException invalidConfig(List<Diagnostic> diagnostics) {
        var errors = diagnostics.stream().filter(Diagnostic::isError).toList();
        var first = errors.isEmpty() ? "invalid" : errors.getFirst().toString();
        return new RpcException(new RpcError(Protocol.Errors.INVALID_CONFIG,
                "the configuration is invalid (" + errors.size() + " error(s)); first: " + first,
                JsonRpc.tree(validation(diagnostics))));
    }

    static Results.Validation validation(List<Diagnostic> diagnostics) {
        var out = diagnostics.stream().map(d -> new Results.Diagnostic(d.isError() ? "error" : "warning",
                d.position() == null ? null : String.valueOf(d.position().file()),
                d.position() == null ? 0 : d.position().line(), d.position() == null ? 0 : d.position().column(),
                d.message(), d.toString())).toList();
        return new Results.Validation(diagnostics.stream().noneMatch(Diagnostic::isError), out);
    }

    Hello hello() {
        var interfaces = new ArrayList<String>();
        try {
            for (var ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                interfaces.add(ni.getName());
            }
        } catch (SocketException e) {
            // an empty list says it
        }
        Collections.sort(interfaces);
        return new Hello(Protocol.VERSION, agentVersion(), hostname(),
                new Hello.Capabilities(daemon.services() == null ? "none" : daemon.services().backendName(), List.of(2, 3),
                        interfaces, Protocol.METHODS));
    }

    /// Snapshots for `state.get`, shared by the calls that arrive together and never older than a call.
    private final SingleFlight<StateEncoder.Snapshot> snapshots = new SingleFlight<>(this::snapshot);
    private final StateEncoder encoder = new StateEncoder();

    /// `state.get`: a snapshot made after the call arrived, encoded once for every caller that
    /// asked with it, cut to the virtual servers asked for.
    EncodedJson stateJson(Params.StateGet params) throws RpcException {
        StateEncoder.Snapshot snapshot;
        try {
            snapshot = snapshots.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RpcException(Protocol.Errors.BUSY, "interrupted while taking the snapshot; try again");
        }
        var wanted = params.virtualServers();
        if (wanted == null) {
            return snapshot.all();
        }
        for (var id : wanted) {
            if (!snapshot.servers().containsKey(id)) {
                snapshot.release();
                var known = snapshot.servers().keySet();
                throw new RpcException(Protocol.Errors.NOT_FOUND, "virtualServers: no virtual server "
                        + EditFields.quote(id) + Suggestions.closest(id, known).map(c -> "; did you mean \"" + c + "\"?")
                                .orElse(known.isEmpty() ? " (there are none)" : " (state.get without params lists all "
                                        + known.size() + ")"));
            }
        }
        return snapshot.only(wanted);
    }

    /// One snapshot for `sharers` calls (each takes it once: see [StateEncoder.Snapshot]).
    private StateEncoder.Snapshot snapshot(int sharers) {
        // lastSequence before the rest: an event between the two is then replayed to a client
        // that subscribes after the snapshot, never missed.
        var top = top();
        var services = daemon.services();
        var config = daemon.config();
        var views = services == null ? new Services.StateViews(Map.of(), Map.of()) : services.stateViews();
        return encoder.encode(top, config, views.virtualServers(), views.realServers(), sharers);
    }

    /// The snapshot as records (the metrics page, tests); `state.get` writes the same JSON without them.
    AgentState state() {
        var top = top();
        var config = daemon.config();
        var services = daemon.services();
        var vsViews = services == null ? Map.<String, Services.VirtualServerView>of() : services.virtualServers();
        var rsViews = services == null ? Map.<String, Map<String, Services.RealServerView>>of() : services.realServers();
        var servers = new ArrayList<AgentState.VirtualServer>();
        for (var vs : config.virtualServers()) {
            servers.add(virtualServerView(vs, vsViews.get(vs.id()), rsViews.getOrDefault(vs.id(), Map.of())));
        }
        return new AgentState(top.revision(), top.hostname(), top.at(), top.lastSequence(), top.balancer(),
                top.vrrp(), servers);
    }

    /// Everything but the virtual servers (an empty list).
    private AgentState top() {
        var engine = daemon.engine();
        // The engine's clock, the one its `lastChange` times are on (in the lab it stands still
        // during a pause): consoles compare the two to tell a split brain from a takeover.
        var at = engine != null ? engine.now() : Instant.now();
        long last = daemon.journal().lastSequence();
        var revision = daemon.revision();
        var statuses = new LinkedHashMap<String, VrrpInstanceStatus>();
        if (engine != null) {
            for (var st : engine.status()) {
                statuses.put(st.name(), st);
            }
        }
        var instances = new ArrayList<AgentState.VrrpInstance>();
        for (var s : daemon.vrrp().instances()) {
            instances.add(instanceView(s, statuses.get(s.name())));
        }
        var services = daemon.services();
        return new AgentState(revision, hostname(), at, last,
                services == null ? new AgentState.Balancer("none", "the service table is not running")
                        : new AgentState.Balancer(services.backendName(), services.backendReason()),
                instances, List.of());
    }

    /// One instance as `state.get` shows it; addresses in [Addresses#text]'s form (IPv6 compressed).
    static AgentState.VrrpInstance instanceView(VrrpSettings s, VrrpInstanceStatus st) {
        var vips = s.virtualAddresses().stream()
                .map(v -> Addresses.text(v.address()) + "/" + v.prefixLength()).toList();
        var counters = new LinkedHashMap<String, Long>();
        String state = "STOPPED";
        int effective = s.priority();
        String master = null;
        Instant lastChange = null;
        long transitions = 0;
        List<String> faults = List.of();
        if (st != null) {
            state = st.state() == VrrpState.INITIALIZE ? "INIT" : st.state().name();
            effective = st.effectivePriority();
            master = st.master().map(Addresses::text).orElse(null);
            lastChange = st.lastChange();
            transitions = st.transitions();
            faults = List.copyOf(st.faults());
            var c = st.counters();
            counters.put("advertsSent", c.advertsSent());
            counters.put("advertsReceived", c.advertsReceived());
            counters.put("priorityZeroSent", c.priorityZeroSent());
            counters.put("priorityZeroReceived", c.priorityZeroReceived());
            counters.put("becameMaster", c.becameMaster());
            counters.put("releasedMaster", c.releasedMaster());
            counters.put("sendErrors", c.sendErrors());
            for (var check : ReceiveCheck.values()) {
                counters.put(camel(check.name()), c.checkFailures().getOrDefault(check, 0L));
            }
        }
        return new AgentState.VrrpInstance(s.name(), s.vrid(), s.interfaceName(),
                s.version() == VrrpVersion.V3 ? 3 : 2, state, s.priority(), effective, master, vips,
                s.advertInterval().toMillis(), lastChange, transitions, faults, counters);
    }

    static AgentState.VirtualServer virtualServerView(VirtualServerDef vs, Services.VirtualServerView view,
            Map<String, Services.RealServerView> rsViews) {
        String address = null;
        Integer port = null;
        Long fwmark = null;
        String group = null;
        switch (vs.key()) {
            case VirtualServerDef.Key.Address a -> {
                address = Addresses.text(a.address());
                port = a.port();
            }
            case VirtualServerDef.Key.Fwmark f -> fwmark = f.mark();
            case VirtualServerDef.Key.Group g -> group = g.name();
        }
        var real = new ArrayList<AgentState.RealServer>();
        for (var rs : vs.realServers()) {
            var checkers = rs.checkers().stream().map(AgentControl::checkerName).toList();
            int weight = rs.weight() == null ? 1 : rs.weight();
            var v = rsViews.get(rs.id());
            if (v == null) {
                real.add(new AgentState.RealServer(rs.id(), Addresses.text(rs.address()), rs.port(), weight, -1,
                        checkers.isEmpty() ? "unchecked" : "unknown", null, null, checkers, AgentState.Traffic.NONE));
            } else {
                real.add(new AgentState.RealServer(rs.id(), Addresses.text(rs.address()), rs.port(), weight,
                        v.effectiveWeight(), checkers.isEmpty() ? "unchecked" : v.health(), v.reason(), v.since(),
                        checkers, v.traffic()));
            }
        }
        var sorry = vs.sorryServer() == null ? null
                : Addresses.text(vs.sorryServer().address()) + ":" + vs.sorryServer().port();
        return new AgentState.VirtualServer(vs.id(), vs.key() instanceof VirtualServerDef.Key.Fwmark ? null
                : vs.effectiveProtocol().name(), address, port, fwmark, group,
                vs.lbAlgo() == null ? "wlc" : vs.lbAlgo(), (vs.lbKind() == null ? VirtualServerDef.LbKind.NAT : vs.lbKind()).name(),
                view == null ? "none" : view.servedAs(), view == null ? "the service table is not running" : view.servedReason(),
                vs.persistenceTimeout() == null ? 0 : vs.persistenceTimeout().toSeconds(),
                vs.quorum() == null ? 1 : vs.quorum(), view == null || view.quorumUp(), sorry, real,
                view == null ? null : view.connectionCap(), view == null ? null : view.refusedConnections());
    }

    static String checkerName(CheckerDef c) {
        return switch (c) {
            case CheckerDef.Http h -> h.ssl() ? "SSL_GET" : "HTTP_GET";
            case CheckerDef.Tcp t -> "TCP_CHECK";
            case CheckerDef.Misc m -> "MISC_CHECK";
            case CheckerDef.Dns d -> "DNS_CHECK";
        };
    }

    private VrrpInstanceStatus instance(String name) throws RpcException {
        if (name == null) {
            throw invalid("instance is required");
        }
        var engine = daemon.engine();
        var names = daemon.vrrp().instances().stream().map(VrrpSettings::name).toList();
        if (engine == null || !names.contains(name)) {
            throw new RpcException(Protocol.Errors.NOT_FOUND, "no VRRP instance \"" + name + "\""
                    + (names.isEmpty() ? " (there are none)" : "; there are: " + String.join(", ", names)));
        }
        return engine.status(name);
    }

    private static String camel(String enumName) {
        var parts = enumName.toLowerCase(Locale.ROOT).split("_");
        var b = new StringBuilder(parts[0]);
        for (int i = 1; i < parts.length; i++) {
            b.append(Character.toUpperCase(parts[i].charAt(0))).append(parts[i].substring(1));
        }
        return b.toString();
    }

    private static String virtualServerId(String text, String field) throws RpcException {
        return EditFields.word(text, field, "a virtual server id");
    }

    private static String realServerId(String text, String field) throws RpcException {
        return EditFields.word(text, field, "a real server id");
    }

    private static InetAddress address(String text, String field) throws RpcException {
        if (text == null || text.isBlank()) {
            throw invalid(field + " is required");
        }
        EditFields.word(text, field, "an IP address");
        // Only literals: a host name here would make the agent do DNS inside a request.
        if (!text.matches("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
            throw invalid(field + " " + EditFields.quote(text) + " is not an IP address");
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw invalid(field + " " + EditFields.quote(text) + " is not an IP address");
        }
    }

    private static Duration seconds(Long value, String field) throws RpcException {
        if (value == null) {
            return null;
        }
        if (value < 0 || value > 31_536_000) {
            throw invalid(field + " " + value + " is outside 0–31536000");
        }
        return Duration.ofSeconds(value);
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, String text, String field) throws RpcException {
        try {
            return Enum.valueOf(type, text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw invalid(field + " " + EditFields.quote(text) + " is not one of "
                    + Arrays.toString(type.getEnumConstants()));
        }
    }

    private static RpcException invalid(String message) {
        return new RpcException(Protocol.Errors.INVALID_PARAMS, message);
    }

    static String hostname() {
        var id = ConfigLoader.defaultConfigId();
        return id.isEmpty() ? "localhost" : id;
    }

    static String agentVersion() {
        var v = AgentControl.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
