package dev.pharos.agent.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/// keepalived's rules that span blocks or combine values: unique names, one VRID per interface and
/// family, references to scripts, instances and groups that exist, advert intervals the chosen
/// VRRP version can carry. Runs on any model (parsed, from JSON, or edited at run time).
final class Validator {

    private final List<Diagnostic> out;
    private final Map<Object, Position> positions;

    private Validator(List<Diagnostic> out, Map<Object, Position> positions) {
        this.out = out;
        this.positions = positions;
    }

    static void validate(KeepalivedConfig config, Map<Object, Position> positions, List<Diagnostic> out) {
        new Validator(out, positions).run(config);
    }

    /// [#validate] of `after`, made from `before` (a configuration that passed it) by an edit that
    /// changed only virtual servers: the rules that span the virtual servers, and each rule of the
    /// virtual servers the edit made or changed; what the edit kept passed before and passes still.
    /// The same errors as [#validate] finds (warnings only for the servers checked). An edit of one
    /// real server among tens of thousands checks one virtual server.
    static void validateEdit(KeepalivedConfig before, KeepalivedConfig after, List<Diagnostic> out) {
        if (!before.differsOnlyInVirtualServers(after)) {
            validate(after, new IdentityHashMap<>(), out);
            return;
        }
        Set<VirtualServerDef> kept = Collections.newSetFromMap(new IdentityHashMap<>());
        kept.addAll(before.virtualServers());
        var groups = new HashSet<String>();
        after.virtualServerGroups().forEach(g -> groups.add(g.name()));
        new Validator(out, new IdentityHashMap<>()).virtualServers(after.virtualServers(), groups, vs -> !kept.contains(vs));
    }

    /// Where each parsed model object stands, and where the statements that set some of its values
    /// stand, so that an error names the line at fault (the second `virtual_router_id`, not the
    /// second instance's first line).
    static final class Positions extends IdentityHashMap<Object, Position> {

        private final Map<Object, Map<String, Position>> statements = new IdentityHashMap<>();
        /// While not null, every position put here is also added to it ([ParseCache] keeps what
        /// one block's parse recorded).
        List<Recorded> journal;

        /// A position recorded: `keyword` null for where `model` stands, else its statement's.
        record Recorded(Object model, String keyword, Position at) {
        }

        @Override
        public Position put(Object model, Position at) {
            if (journal != null) {
                journal.add(new Recorded(model, null, at));
            }
            return super.put(model, at);
        }

        void statement(Object model, String keyword, Position at) {
            if (at != null) {
                if (journal != null) {
                    journal.add(new Recorded(model, keyword, at));
                }
                statements.computeIfAbsent(model, m -> new HashMap<>()).put(keyword, at);
            }
        }

        /// Blocks a parse reused ([ParseCache]), whose positions are put here when one is first
        /// looked up: a configuration without findings never needs them.
        private final List<Runnable> deferred = new ArrayList<>();

        /// Records `recorded` again when a position is first looked up, moved from a block at
        /// `from` to the same block at `to`.
        void replayLater(List<Recorded> recorded, Position from, Position to) {
            if (!recorded.isEmpty()) {
                deferred.add(() -> recorded.forEach(r -> replay(r, from, to)));
            }
        }

        private void settle() {
            if (!deferred.isEmpty()) {
                var pending = List.copyOf(deferred);
                deferred.clear();
                pending.forEach(Runnable::run);
            }
        }

        @Override
        public Position get(Object model) {
            settle();
            return super.get(model);
        }

        @Override
        public boolean containsKey(Object model) {
            settle();
            return super.containsKey(model);
        }

        @Override
        public Set<Map.Entry<Object, Position>> entrySet() {
            settle();
            return super.entrySet();
        }

        private void replay(Recorded r, Position from, Position to) {
            var at = ParseCache.moved(r.at(), from, to);
            if (r.keyword() == null) {
                put(r.model(), at);
            } else {
                statement(r.model(), r.keyword(), at);
            }
        }

        Position statement(Object model, String keyword) {
            settle();
            var map = statements.get(model);
            return map == null ? null : map.get(keyword);
        }
    }

    private void error(Object where, String message) {
        out.add(Diagnostic.error(positions.get(where), message));
    }

    /// An error at the statement that set `keyword` in `model`, or at `model` when unknown.
    private void error(Object model, String keyword, String message) {
        var at = positions instanceof Positions p ? p.statement(model, keyword) : null;
        out.add(Diagnostic.error(at != null ? at : positions.get(model), message));
    }

    /// An error at the first of `specific` that has a position, else at `model`.
    private void errorAt(Object specific, Object model, String message) {
        var at = positions.get(specific);
        out.add(Diagnostic.error(at != null ? at : positions.get(model), message));
    }

    private void warning(Object where, String message) {
        out.add(Diagnostic.warning(positions.get(where), message));
    }

    /// A warning at the statement that set `keyword` in `model`, or at `model` when unknown.
    private void warning(Object model, String keyword, String message) {
        var at = positions instanceof Positions p ? p.statement(model, keyword) : null;
        out.add(Diagnostic.warning(at != null ? at : positions.get(model), message));
    }

    private void run(KeepalivedConfig c) {
        var global = c.globalDefs();
        wholeSeconds(global, "global_defs", "smtp_connect_timeout", global.smtpConnectTimeout());
        wholeSeconds(global, "global_defs", "vrrp_garp_master_delay", global.vrrpGarpMasterDelay());
        wholeSeconds(global, "global_defs", "vrrp_garp_master_refresh", global.vrrpGarpMasterRefresh());
        var scripts = new HashSet<String>();
        for (var s : c.vrrpScripts()) {
            if (!scripts.add(s.name())) {
                error(s, "vrrp_script " + s.name() + " is defined twice");
            }
            wholeSeconds(s, "vrrp_script " + s.name(), "interval", s.interval());
            wholeSeconds(s, "vrrp_script " + s.name(), "timeout", s.timeout());
        }
        var names = new HashSet<String>();
        var vrids = new HashMap<String, VrrpInstanceDef>();
        var globalVersion = c.globalDefs().vrrpVersion();
        for (var i : c.vrrpInstances()) {
            if (!names.add(i.name())) {
                // vrrp_handler skips the whole block of a second instance of the same name
                error(i, "vrrp_instance " + i.name() + " is defined twice (keepalived ignores this one)");
                continue;
            }
            if (i.interfaceName() != null && i.virtualRouterId() != null) {
                var family = i.virtualIpAddresses().isEmpty() || i.virtualIpAddresses().getFirst().address() instanceof Inet4Address
                        ? "IPv4" : "IPv6";
                var key = i.interfaceName() + "/" + family + "/" + i.virtualRouterId();
                var other = vrids.putIfAbsent(key, i);
                if (other != null) {
                    error(i, "virtual_router_id", "vrrp_instance " + i.name() + ": virtual_router_id " + i.virtualRouterId()
                            + " is already used by " + other.name() + " on " + i.interfaceName()
                            + " (" + family + "); each VRID must be unique per interface");
                }
            }
            wholeSeconds(i, "vrrp_instance " + i.name(), "garp_master_delay", i.garpMasterDelay());
            wholeSeconds(i, "vrrp_instance " + i.name(), "garp_master_refresh", i.garpMasterRefresh());
            int version = i.version() != null ? i.version() : globalVersion != null ? globalVersion : 2;
            if (i.advertInterval() != null) {
                var ms = i.advertInterval().toMillis();
                if (version == 2 && (ms % 1000 != 0 || ms < 1000)) {
                    error(i, "advert_int", "vrrp_instance " + i.name() + ": advert_int " + Values.format(i.advertInterval())
                            + " s cannot be carried by VRRPv2, which counts whole seconds (1–255); use version 3 for"
                            + " sub-second intervals");
                } else if (version == 3 && (ms % 10 != 0 || ms > 40_950)) {
                    error(i, "advert_int", "vrrp_instance " + i.name() + ": advert_int " + Values.format(i.advertInterval())
                            + " s must be whole centiseconds up to 40.95 s in VRRPv3");
                }
            }
            if (version == 3 && i.authentication() != null) {
                error(i, "authentication", "vrrp_instance " + i.name() + ": VRRPv3 has no authentication; remove the authentication block");
            } else if (i.authentication() != null && StartingState.strict(global, i)) {
                // vrrp.c vrrp_complete_instance: "Strict mode does not support authentication. Ignoring."
                error(i, "authentication", "vrrp_instance " + i.name() + ": strict mode (vrrp_strict or strict_mode)"
                        + " allows no authentication; keepalived 2.2.7 would run the instance without it: remove the"
                        + " authentication block or the strict mode");
            }
            if (i.authHmac() != null && i.authentication() != null) {
                // vrrp.c vrrp_complete_instance: "auth_hmac cannot be combined with authentication, dropping legacy auth"
                error(i, "auth_hmac", "vrrp_instance " + i.name() + ": auth_hmac replaces the authentication block;"
                        + " keepalived 2.4.3 drops the authentication: remove it");
            } else if (i.authHmac() != null && StartingState.strict(global, i) && i.authHmac().mode() != null
                    && i.authHmac().mode() != VrrpInstanceDef.HmacMode.ENFORCE) {
                // vrrp.c vrrp_complete_instance: "strict mode requires auth_hmac mode enforce"
                error(i, "auth_hmac", "vrrp_instance " + i.name() + ": strict mode (vrrp_strict or strict_mode)"
                        + " requires auth_hmac mode enforce; keepalived 2.4.3 would enforce: change mode "
                        + i.authHmac().mode().keyword() + " to enforce or remove the strict mode");
            }
            var start = StartingState.decide(global, i);
            if (start.reason() != null) {
                warning(i, "state", "vrrp_instance " + i.name() + " starts as " + start.state() + ", not " + i.state()
                        + ": " + start.reason() + "; keepalived 2.2.7 starts it so (vrrp.c vrrp_complete_instance),"
                        + " and so does Pharos");
            }
            for (var keyword : AdvertAnswers.of(global, i).corrections()) {
                warning(i, keyword, "vrrp_instance " + i.name() + ": strict mode (vrrp_strict or strict_mode) "
                        + (keyword.equals("lower_prio_no_advert") ? "requires lower_prio_no_advert: it is on"
                                : "requires higher_prio_send_advert off: it is off")
                        + "; keepalived 2.2.7 resets it so (vrrp.c vrrp_complete_instance), and so does Pharos");
            }
            if (i.virtualIpAddresses().size() > 255) {
                error(i, "vrrp_instance " + i.name() + ": " + i.virtualIpAddresses().size()
                        + " virtual addresses, but one advert carries at most 255; move the rest to virtual_ipaddress_excluded");
            }
            for (var t : i.trackScripts()) {
                if (!scripts.contains(t.name())) {
                    errorAt(t, i, "vrrp_instance " + i.name() + " tracks script " + t.name()
                            + ", but no vrrp_script " + t.name() + " is defined");
                }
            }
        }
        var sync = global.lvsSyncDaemon();
        if (sync != null && sync.instance() != null && !names.contains(sync.instance())) {
            // keepalived logs "Unable to find vrrp instance" and runs without the daemon
            error(global, "lvs_sync_daemon", "lvs_sync_daemon names VRRP instance " + sync.instance()
                    + ", which is not defined");
        }
        var inGroup = new HashMap<String, String>();
        for (var g : c.syncGroups()) {
            for (var m : g.group()) {
                if (!names.contains(m)) {
                    error(g, "group " + m, "vrrp_sync_group " + g.name() + " names instance " + m + ", which is not defined");
                }
                var other = inGroup.put(m, g.name());
                if (other != null && !other.equals(g.name())) {
                    error(g, "vrrp_instance " + m + " is in two sync groups: " + other + " and " + g.name());
                }
            }
            for (var t : g.trackScripts()) {
                if (!scripts.contains(t.name())) {
                    errorAt(t, g, "vrrp_sync_group " + g.name() + " tracks script " + t.name() + ", which is not defined");
                }
            }
        }
        var groups = new HashSet<String>();
        for (var g : c.virtualServerGroups()) {
            if (!groups.add(g.name())) {
                error(g, "virtual_server_group " + g.name() + " is defined twice");
            }
        }
        virtualServers(c.virtualServers(), groups, vs -> true);
    }

    /// Each virtual server defined once, and the rules of each `checked` one.
    private void virtualServers(List<VirtualServerDef> servers, Set<String> groups, Predicate<VirtualServerDef> checked) {
        var keys = new HashSet<String>();
        for (var vs : servers) {
            var protocol = vs.effectiveProtocol();
            if (!keys.add(vs.key() + "/" + protocol)) {
                error(vs, "virtual_server " + describe(vs.key()) + " " + protocol + " is defined twice");
            }
            if (!checked.test(vs)) {
                continue;
            }
            if (vs.key() instanceof VirtualServerDef.Key.Group g && !groups.contains(g.name())) {
                error(vs, "group", "virtual_server group " + g.name() + ": no virtual_server_group " + g.name() + " is defined");
            }
            var real = new HashSet<String>();
            for (var rs : vs.realServers()) {
                if (!real.add(Values.format(rs.address()) + ":" + rs.port())) {
                    error(rs, "real_server " + Values.format(rs.address()) + " " + (rs.port() == null ? "" : rs.port())
                            + " appears twice in virtual_server " + describe(vs.key()));
                }
                // a service on port 0 takes every port, so its real servers name none
                if (rs.port() == null && vs.key() instanceof VirtualServerDef.Key.Address a && a.port() != 0) {
                    error(rs, "real_server " + Values.format(rs.address()) + " needs a port in virtual_server "
                            + describe(vs.key()));
                }
            }
            keepalivedWouldChange(vs);
            if (vs.hysteresis() != null && vs.quorum() != null && vs.hysteresis() >= vs.quorum()) {
                error(vs, "hysteresis", "virtual_server " + describe(vs.key()) + ": hysteresis " + vs.hysteresis()
                        + " must be smaller than quorum " + vs.quorum());
            }
        }
    }

    /// What keepalived 2.2.7 accepts only by changing it, saying so and failing `keepalived -t`
    /// (exit 5): it ignores or resets the value and runs something else than the file says. Pharos
    /// refuses these, so that a file it accepts — or an edit writes — runs as written under both;
    /// one, a DR or TUN real server's own port, only draws a warning (Pharos can run it as written).
    private void keepalivedWouldChange(VirtualServerDef vs) {
        var where = "virtual_server " + describe(vs.key());
        var persistence = vs.persistenceTimeout();
        wholeSeconds(vs, where, "persistence_timeout", persistence);
        for (var rs : vs.realServers()) {
            for (var checker : rs.checkers()) {
                if (checker instanceof CheckerDef.Misc m) {
                    wholeSeconds(rs, where + ": MISC_CHECK", "misc_timeout", m.miscTimeout());
                }
            }
        }
        if (persistence != null && (persistence.toSeconds() < 1 || persistence.toSeconds() > MAX_PERSISTENCE_SECONDS)) {
            error(vs, where + ": persistence_timeout " + persistence.toSeconds() + " is outside 1–" + MAX_PERSISTENCE_SECONDS
                    + " s (keepalived ignores it there)");
        }
        if (vs.quorum() != null && vs.quorum() < 1) {
            error(vs, where + ": quorum " + vs.quorum() + " is below 1 (keepalived resets it)");
        }
        if (vs.key() instanceof VirtualServerDef.Key.Address a && a.port() == 0 && persistence == null) {
            error(vs, where + ": port 0 (every port) needs persistence_timeout, as in keepalived");
        }
        Class<?> family = vs.key() instanceof VirtualServerDef.Key.Address a ? a.address().getClass() : null;
        var kind = vs.lbKind() == null ? VirtualServerDef.LbKind.NAT : vs.lbKind();
        for (var rs : vs.realServers()) {
            // the real server's name is written only for a finding: tens of thousands have none
            if (!(vs.key() instanceof VirtualServerDef.Key.Group)) {
                if (family == null) {
                    family = rs.address().getClass();
                } else if (family != rs.address().getClass()) {
                    error(rs, realServerWhere(where, rs) + " is " + family(rs.address()) + " but the service is "
                            + (family == Inet4Address.class ? "IPv4" : "IPv6") + " (keepalived skips it)");
                }
            }
            if (vs.key() instanceof VirtualServerDef.Key.Fwmark && rs.port() != null) {
                error(rs, realServerWhere(where, rs) + " has port " + rs.port() + ", but a fwmark service's real servers take none "
                        + "(keepalived clears it)");
            }
            if (vs.key() instanceof VirtualServerDef.Key.Address a && kind != VirtualServerDef.LbKind.NAT
                    && rs.port() != null && rs.port() != a.port()) {
                // A warning only: Pharos's user-space balancer proxies DR and TUN services, and there
                // the port does change. Edits do not make such a pair (ConfigEdits).
                warning(rs, realServerWhere(where, rs) + " has port " + rs.port() + ", but lb_kind " + kind + " cannot change the port: "
                        + "keepalived resets it to the service's " + a.port()
                        + " (only Pharos's user-space balancer uses " + rs.port() + ")");
            }
        }
    }

    private static String realServerWhere(String virtualServer, RealServerDef rs) {
        return virtualServer + ": real_server " + Values.format(rs.address());
    }

    /// Times keepalived 2.2.7 reads as whole seconds (`read_unsigned_strvec`): the parser refuses a
    /// fraction in text, this catches one in a model from JSON, which would be written as
    /// `interval 0.5` and refused by keepalived.
    private void wholeSeconds(Object model, String where, String keyword, Duration value) {
        if (value != null && value.toNanos() % 1_000_000_000L != 0) {
            error(model, keyword, where + ": " + keyword + " " + Values.format(value)
                    + " s must be whole seconds: keepalived reads no decimals there");
        }
    }

    /// keepalived's upper bound for persistence_timeout: 31 days.
    static final long MAX_PERSISTENCE_SECONDS = 2_678_400;

    private static String family(InetAddress a) {
        return a instanceof Inet4Address ? "IPv4" : "IPv6";
    }

    static String describe(VirtualServerDef.Key key) {
        return switch (key) {
            case VirtualServerDef.Key.Address a -> Values.format(a.address()) + " " + a.port();
            case VirtualServerDef.Key.Fwmark f -> "fwmark " + f.mark();
            case VirtualServerDef.Key.Group g -> "group " + g.name();
        };
    }
}
