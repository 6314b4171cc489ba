package dev.pharos.agent.check;

import dev.pharos.agent.api.Addresses;
import dev.pharos.agent.config.Argv;
import dev.pharos.agent.config.CheckerDef;
import dev.pharos.agent.config.KeepalivedConfig;
import dev.pharos.agent.config.RealServerDef;
import dev.pharos.agent.config.VirtualServerDef;
import dev.pharos.agent.script.ScriptPolicy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/// Every real server the checker watches and its checks, resolved from a configuration with
/// keepalived's fallbacks: a value on the checker, else on the real server, else on the virtual
/// server, else keepalived's default (`check_data.c`, `check_api.c` and each checker's file).
///
/// @param warnings checkers left out or settings not honoured, each saying where and why
public record CheckPlan(List<RealServerPlan> realServers, List<String> warnings) {

    /// keepalived's `KEEPALIVED_DEFAULT_DELAY`.
    public static final Duration DEFAULT_DELAY_LOOP = Duration.ofSeconds(60);
    /// keepalived's default `connect_timeout` of a virtual server.
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

    public CheckPlan {
        realServers = List.copyOf(realServers);
        warnings = List.copyOf(warnings);
    }

    /// One real server and its checks; it is up when every check is up (none: always up).
    ///
    /// @param weight the configured weight (`weight`, default 1)
    /// @param omega  report it down when the checker stops (the virtual server's `omega`)
    public record RealServerPlan(RealServerId id, int weight, List<CheckSpec> checks, boolean omega) {
        public RealServerPlan {
            checks = List.copyOf(checks);
        }
    }

    /// This plan with each `MISC_CHECK` run as `scripts` decides: its command resolved and wrapped
    /// to run as its user, or the checker taken off its real server when keepalived would disable
    /// it (`check_misc.c`, `check_misc_script_security`); a real server left without checkers is up.
    public CheckPlan secured(ScriptPolicy scripts) {
        var servers = new ArrayList<RealServerPlan>();
        for (var rs : realServers) {
            if (rs.checks().stream().noneMatch(CheckSpec.MiscCheck.class::isInstance)) {
                servers.add(rs); // nothing to secure: the same object, which CheckScheduler.apply compares at once
                continue;
            }
            var checks = new ArrayList<CheckSpec>();
            for (var c : rs.checks()) {
                if (c instanceof CheckSpec.MiscCheck m) {
                    if (scripts.miscCheck(m.command(), m.user(), m.group()) instanceof ScriptPolicy.Run run) {
                        checks.add(new CheckSpec.MiscCheck(run.argv(), m.timeout(), m.dynamic(), m.timing()));
                    }
                } else {
                    checks.add(c);
                }
            }
            servers.add(new RealServerPlan(rs.id(), rs.weight(), checks, rs.omega()));
        }
        return new CheckPlan(servers, warnings);
    }

    /// The plan of `config`'s virtual servers.
    public static CheckPlan from(KeepalivedConfig config) {
        return from(config, Map.of(), new IdentityHashMap<>());
    }

    /// One virtual server's share of a plan: its real servers' plans and the warnings they gave.
    public record Part(List<RealServerPlan> realServers, List<String> warnings) {
    }

    /// [#from(KeepalivedConfig)], taking a virtual server's part from `previous` when its model is
    /// the same object there (an edit or reload reuses the models of unchanged blocks), and
    /// putting each part in `made` for the next time: [CheckScheduler#apply] then finds the same
    /// plan objects for unchanged real servers and leaves them as they are, tens of thousands at once.
    public static CheckPlan from(KeepalivedConfig config, Map<VirtualServerDef, Part> previous,
            Map<VirtualServerDef, Part> made) {
        var servers = new ArrayList<RealServerPlan>();
        var warnings = new ArrayList<String>();
        for (var vs : config.virtualServers()) {
            var part = previous.get(vs);
            if (part == null) {
                part = part(vs);
            }
            made.put(vs, part);
            servers.addAll(part.realServers());
            warnings.addAll(part.warnings());
        }
        return new CheckPlan(servers, warnings);
    }

    private static Part part(VirtualServerDef vs) {
        var servers = new ArrayList<RealServerPlan>();
        var warnings = new ArrayList<String>();
        var vsName = virtualServerName(vs.key());
        for (var rs : vs.realServers()) {
            var id = new RealServerId(vsName, rs.address(), rs.port() == null ? 0 : rs.port());
            var checks = new ArrayList<CheckSpec>();
            for (var checker : rs.checkers()) {
                if (checker.common().fwmark() != null) {
                    warnings.add("real server " + id + ": " + kind(checker) + " fwmark " + checker.common().fwmark()
                            + " is kept but not applied: marking check packets needs SO_MARK, which Pharos does not set");
                }
                if (Boolean.TRUE.equals(checker.common().logAllFailures())) {
                    warnings.add("real server " + id + ": " + kind(checker) + " log_all_failures: every failure is "
                            + "logged at debug level (run --debug); state changes are always logged");
                }
                try {
                    checks.add(spec(vs, rs, checker, warnings, id));
                } catch (IllegalArgumentException e) {
                    warnings.add("real server " + id + ": " + kind(checker) + " left out: " + e.getMessage());
                }
            }
            servers.add(new RealServerPlan(id, rs.weight() == null ? 1 : rs.weight(), checks, vs.omega()));
        }
        return new Part(List.copyOf(servers), List.copyOf(warnings));
    }

    /// How [RealServerId#virtualServer()] names a virtual server: `192.0.2.10:80`, `fwmark 1`,
    /// `group NAME`; the service table can use it to find a real server an event is about.
    public static String virtualServerName(VirtualServerDef.Key key) {
        return switch (key) {
            case VirtualServerDef.Key.Address a -> hostPort(a.address(), a.port());
            case VirtualServerDef.Key.Fwmark f -> "fwmark " + f.mark();
            case VirtualServerDef.Key.Group g -> "group " + g.name();
        };
    }

    private static String hostPort(InetAddress address, int port) {
        var a = Addresses.text(address);
        return (a.contains(":") ? "[" + a + "]" : a) + ":" + port;
    }

    private static String kind(CheckerDef checker) {
        return switch (checker) {
            case CheckerDef.Http h -> h.ssl() ? "SSL_GET" : "HTTP_GET";
            case CheckerDef.Tcp t -> "TCP_CHECK";
            case CheckerDef.Misc m -> "MISC_CHECK";
            case CheckerDef.Dns d -> "DNS_CHECK";
        };
    }

    private static CheckSpec spec(VirtualServerDef vs, RealServerDef rs, CheckerDef checker, List<String> warnings,
            RealServerId id) {
        return switch (checker) {
            case CheckerDef.Http h -> {
                var urls = h.urls().stream().map(u -> new CheckSpec.Url(u.path(),
                        u.statusCodes().isEmpty() ? List.of(CheckSpec.StatusRange.DEFAULT)
                                : u.statusCodes().stream().map(r -> new CheckSpec.StatusRange(r.from(), r.to())).toList(),
                        u.digest() == null ? null : u.digest().toLowerCase(Locale.ROOT), u.virtualhost())).toList();
                var vhost = h.virtualhost() != null ? h.virtualhost() : vs.virtualhost();
                // keepalived: HTTP_GET's delay_before_retry defaults to 3 s, its retry to 1.
                yield new CheckSpec.HttpGet(h.ssl(), urls, endpoint(vs, rs, h.common(), kind(h)), vhost,
                        CheckSpec.HttpVersion.fromConfig(h.httpProtocol()),
                        Boolean.TRUE.equals(h.enableSni()) || h.sniName() != null, h.sniName(),
                        timing(vs, rs, h.common(), 1, Duration.ofSeconds(3)));
            }
            case CheckerDef.Tcp t -> new CheckSpec.TcpCheck(endpoint(vs, rs, t.common(), "TCP_CHECK"),
                    timing(vs, rs, t.common(), 1, Duration.ofSeconds(1)));
            case CheckerDef.Misc m -> {
                String user = null;
                String group = null;
                if (m.user() != null) {
                    var words = Argv.split(m.user());
                    if (words.size() > 2 || words.isEmpty()) {
                        throw new IllegalArgumentException("user takes USER [GROUP], not '" + m.user() + "'");
                    }
                    user = words.getFirst();
                    group = words.size() == 2 ? words.get(1) : null;
                }
                // keepalived: misc_timeout defaults to the virtual server's delay_loop, retry to 0.
                var timeout = m.miscTimeout() != null ? m.miscTimeout()
                        : vs.delayLoop() != null ? vs.delayLoop() : DEFAULT_DELAY_LOOP;
                yield new CheckSpec.MiscCheck(Argv.split(m.miscPath()), timeout, m.miscDynamic(), user, group,
                        timing(vs, rs, m.common(), 0, Duration.ofSeconds(1)));
            }
            case CheckerDef.Dns d -> {
                var name = d.name() == null ? "" : d.name();
                DnsPacket.query(0, name, CheckSpec.DnsType.SOA.wireValue()); // rejects a name that cannot be encoded
                var type = d.type() == null ? CheckSpec.DnsType.SOA
                        : CheckSpec.DnsType.valueOf(d.type().toUpperCase(Locale.ROOT));
                // keepalived: DNS_CHECK retries 3 times, delay_before_retry defaults to delay_loop.
                yield new CheckSpec.DnsCheck(type, name, endpoint(vs, rs, d.common(), "DNS_CHECK"),
                        timing(vs, rs, d.common(), 3, null));
            }
        };
    }

    private static CheckSpec.Endpoint endpoint(VirtualServerDef vs, RealServerDef rs, CheckerDef.Common c, String kind) {
        var address = c.connectIp() != null ? c.connectIp() : rs.address();
        Integer port = c.connectPort() != null ? c.connectPort() : rs.port();
        if (port == null || port == 0) {
            throw new IllegalArgumentException("the real server has no port; give " + kind + " a connect_port");
        }
        var timeout = first(c.connectTimeout(), rs.connectTimeout(), vs.connectTimeout(), DEFAULT_CONNECT_TIMEOUT);
        return new CheckSpec.Endpoint(new InetSocketAddress(address, port), c.bindTo(),
                c.bindPort() == null ? 0 : c.bindPort(), timeout);
    }

    /// keepalived's `check_data.c`: checker, else real server (which took the virtual server's),
    /// else the checker type's default; warmup defaults to delay_loop.
    private static CheckSpec.Timing timing(VirtualServerDef vs, RealServerDef rs, CheckerDef.Common c,
            int defaultRetry, Duration defaultDelayBeforeRetry) {
        var delayLoop = first(c.delayLoop(), rs.delayLoop(), vs.delayLoop(), DEFAULT_DELAY_LOOP);
        int retry = first(c.retry(), rs.retry(), vs.retry(), defaultRetry);
        var dbr = first(c.delayBeforeRetry(), rs.delayBeforeRetry(), vs.delayBeforeRetry(),
                defaultDelayBeforeRetry == null ? delayLoop : defaultDelayBeforeRetry);
        var warmup = first(c.warmup(), rs.warmup(), vs.warmup(), delayLoop);
        boolean alpha = c.alpha() != null ? c.alpha() : rs.alpha() != null ? rs.alpha() : vs.alpha();
        return new CheckSpec.Timing(delayLoop, retry, dbr, warmup, alpha);
    }

    @SafeVarargs
    private static <T> T first(T... values) {
        for (var v : values) {
            if (v != null) {
                return v;
            }
        }
        throw new IllegalStateException("no default given");
    }
}
