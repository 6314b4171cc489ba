package dev.pharos.agent.config;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/// The LVS side of the model: `virtual_server_group`, `virtual_server`, `real_server` and the
/// checker blocks (keepalived's `check_parser.c` and `check_*.c`).
final class VirtualServerParser {

    private static final Duration MAX = ConfigParser.MAX_SECONDS;

    /// keepalived's `read_timer` counts microseconds: its smallest positive time is 1 µs.
    private static final Duration MICROSECOND = Duration.ofNanos(1000);

    /// `connect_timeout`'s upper bound in keepalived 2.2.7: UINT_MAX microseconds.
    private static final Duration MAX_CONNECT_TIMEOUT = Duration.ofNanos(ConfigParser.UINT_MAX * 1000);

    /// keepalived's default `persistence_timeout` (`IPVS_SVC_PERSISTENT_TIMEOUT`, libipvs.h).
    static final Duration DEFAULT_PERSISTENCE = Duration.ofSeconds(360);

    /// The keywords of `install_checker_common_keywords(true)` that MISC_CHECK, installed with
    /// `false`, does not have (check_api.c).
    private static final List<String> CONNECTION_KEYWORDS = List.of("connect_ip", "connect_port", "bindto",
            "bind_port", "bind_if", "connect_timeout", "fwmark");

    private final Values values;
    private final Validator.Positions positions;
    private final References references;

    /// Checks a name a statement refers to against the definitions read so far (see
    /// [ConfigParser]); false when keepalived would not find it.
    interface References {
        boolean check(Token name, String kind, String where, String keyword);
    }

    VirtualServerParser(Values values, Validator.Positions positions, References references) {
        this.values = values;
        this.positions = positions;
        this.references = references;
    }

    VirtualServerGroupDef group(Node n) {
        var name = n.args().getFirst().text();
        var members = new ArrayList<VirtualServerGroupDef.Member>();
        for (var line : n.children()) {
            if (line.isBlock()) {
                values.error(line.position(), "unexpected block in virtual_server_group " + name);
                continue;
            }
            if (line.name().equals("fwmark")) {
                var t = values.single(line);
                var mark = t == null ? null : values.longValue(t, "fwmark", 1, 0xFFFFFFFFL);
                if (mark != null) {
                    members.add(new VirtualServerGroupDef.Member.Fwmark(mark));
                }
                continue;
            }
            if (line.args().size() != 1) {
                values.error(line.position(), "virtual_server_group " + name + ": expected 'ADDRESS PORT', "
                        + "'ADDRESS-LAST PORT' or 'fwmark N'");
                continue;
            }
            var port = values.port(line.args().getFirst(), "port");
            var text = line.name();
            int dash = text.lastIndexOf('-');
            if (dash > 0) {
                var first = values.address(new Token(Token.Kind.WORD, text.substring(0, dash), false, line.position()),
                        "range start");
                var endText = text.substring(dash + 1);
                boolean v6 = first instanceof Inet6Address;
                Integer last = null;
                if (first != null) {
                    if (endText.matches(v6 ? "[0-9a-fA-F]{1,4}" : "\\d{1,3}")) {
                        last = Integer.parseInt(endText, v6 ? 16 : 10);
                    }
                    if (last == null || last > (v6 ? 0xffff : 255)) {
                        values.error(line.position(), "range end '" + endText + "' must be "
                                + (v6 ? "a 16-bit hex group" : "an octet 0–255"));
                        last = null;
                    }
                }
                if (first != null && last != null && port != null) {
                    var b = first.getAddress();
                    int start = v6 ? ((b[14] & 0xff) << 8) | (b[15] & 0xff) : b[3] & 0xff;
                    if (last < start) {
                        values.error(line.position(), "range " + text + " ends before it starts");
                    } else {
                        members.add(new VirtualServerGroupDef.Member.Range(first, last, port));
                    }
                }
            } else {
                var a = values.address(line.keyword(), "virtual_server_group member");
                if (a != null && port != null) {
                    members.add(new VirtualServerGroupDef.Member.Address(a, port));
                }
            }
        }
        return new VirtualServerGroupDef(name, members);
    }

    VirtualServerDef virtualServer(Node n) {
        if (!n.isBlock()) {
            values.error(n.position(), "virtual_server must open a block: virtual_server ADDRESS PORT { … }");
            return null;
        }
        var key = key(n);
        var f = new VsFields();
        var where = "virtual_server " + String.join(" ", n.args().stream().map(Token::text).toList());
        var reader = new BlockReader(values, where, Keywords.VIRTUAL_SERVER)
                .words(Keywords.VIRTUAL_SERVER_FLAGS, Keywords.VIRTUAL_SERVER_ON_OFF);
        var extras = reader
                .on("delay_loop", c -> f.delayLoop = values.seconds(c, MICROSECOND, MAX))
                .on("lb_algo", c -> f.lbAlgo = scheduler(c), "lvs_sched")
                .on("lb_kind", c -> f.lbKind = lbKind(c), "lvs_method")
                .on("persistence_timeout", c -> f.persistence = persistenceTimeout(c))
                .on("persistence_granularity", c -> f.granularity = granularity(c, key))
                .on("nat_mask", c -> {
                    if (values.address(c) != null) {
                        values.warning(c.position(), "nat_mask is obsolete: IPVS services have no netmask and keepalived"
                                + " rejects the keyword; Pharos ignores it and does not write it back");
                    }
                })
                .on("protocol", c -> {
                    var p = values.string(c);
                    if (p != null) {
                        switch (p) {
                            case "TCP" -> f.protocol = VirtualServerDef.Protocol.TCP;
                            case "UDP" -> f.protocol = VirtualServerDef.Protocol.UDP;
                            case "SCTP" -> f.protocol = VirtualServerDef.Protocol.SCTP;
                            default -> values.error(c.args().getFirst().position(),
                                    "protocol must be TCP, UDP or SCTP, not '" + p + "'");
                        }
                    }
                })
                .on("quorum", c -> f.quorum = values.integer(c, 1, Integer.MAX_VALUE))
                .on("hysteresis", c -> f.hysteresis = values.integer(c, 0, Integer.MAX_VALUE))
                .first("quorum_up", c -> f.quorumUp = values.notifyLine(c))
                .first("quorum_down", c -> f.quorumDown = values.notifyLine(c))
                .on("sorry_server", c -> f.sorry = sorryServer(c))
                .on("sorry_server_inhibit", c -> f.sorryInhibit = values.flag(c))
                .on("alpha", c -> f.alpha = values.flag(c))
                .on("omega", c -> f.omega = values.flag(c))
                .on("inhibit_on_failure", c -> f.inhibit = values.flag(c))
                .on("virtualhost", c -> f.virtualhost = values.string(c))
                .on("ha_suspend", c -> f.haSuspend = values.flag(c))
                .on("ops", c -> f.ops = values.flag(c))
                .kept("hashed", c -> schedulerFlag(c, f.lbAlgo))
                .kept("sh-port", c -> schedulerFlag(c, f.lbAlgo))
                .kept("sh-fallback", c -> schedulerFlag(c, f.lbAlgo))
                .kept("mh-port", c -> schedulerFlag(c, f.lbAlgo))
                .kept("mh-fallback", c -> schedulerFlag(c, f.lbAlgo))
                .on("retry", c -> f.retry = values.integer(c, 1, Integer.MAX_VALUE))
                .on("delay_before_retry", c -> f.delayBeforeRetry = values.seconds(c, Duration.ZERO, MAX))
                .on("warmup", c -> f.warmup = values.seconds(c, Duration.ZERO, MAX))
                .on("connect_timeout", c -> f.connectTimeout = values.seconds(c, MICROSECOND, MAX_CONNECT_TIMEOUT))
                .each("real_server", c -> {
                    var rs = realServer(c);
                    if (rs != null) {
                        positions.put(rs, c.position());
                        f.realServers.add(rs);
                    }
                })
                .read(n);
        if (key == null) {
            return null;
        }
        if (f.protocol == null && !(key instanceof VirtualServerDef.Key.Fwmark)) {
            values.warning(n.position(), where + " has no protocol line: keepalived (and so Pharos) then serves UDP;"
                    + " write protocol TCP for a TCP service");
        }
        if (f.granularity != null && f.persistence == null) {
            // pgr_handler: a granularity turns persistence on, with the default timeout
            f.persistence = DEFAULT_PERSISTENCE;
        }
        var def = new VirtualServerDef(key, f.delayLoop, f.lbAlgo, f.lbKind, f.persistence, f.granularity,
                f.protocol, f.quorum, f.hysteresis, f.quorumUp, f.quorumDown, f.sorry, f.sorryInhibit, f.alpha,
                f.omega, f.inhibit, f.virtualhost, f.haSuspend, f.ops, f.retry, f.delayBeforeRetry, f.warmup,
                f.connectTimeout, f.realServers, extras);
        for (var keyword : List.of("hysteresis", "quorum", "persistence_timeout")) {
            positions.statement(def, keyword, reader.position(keyword));
        }
        if (key instanceof VirtualServerDef.Key.Group) {
            positions.statement(def, "group", n.args().getLast().position());
        }
        return def;
    }

    /// Mutable fields while one `virtual_server` is read.
    private static final class VsFields {
        Duration delayLoop;
        String lbAlgo;
        VirtualServerDef.LbKind lbKind;
        Duration persistence;
        InetAddress granularity;
        VirtualServerDef.Protocol protocol;
        Integer quorum;
        Integer hysteresis;
        String quorumUp;
        String quorumDown;
        VirtualServerDef.SorryServer sorry;
        boolean sorryInhibit;
        boolean alpha;
        boolean omega;
        boolean inhibit;
        String virtualhost;
        boolean haSuspend;
        boolean ops;
        Integer retry;
        Duration delayBeforeRetry;
        Duration warmup;
        Duration connectTimeout;
        final List<RealServerDef> realServers = new ArrayList<>();
    }

    private VirtualServerDef.Key key(Node n) {
        var args = n.args();
        if (args.size() == 2 && args.getFirst().isWord("fwmark")) {
            var mark = values.longValue(args.get(1), "fwmark", 1, 0xFFFFFFFFL);
            return mark == null ? null : new VirtualServerDef.Key.Fwmark(mark);
        }
        if (args.size() == 2 && args.getFirst().isWord("group")) {
            return new VirtualServerDef.Key.Group(args.get(1).text());
        }
        if (args.size() == 2 || args.size() == 1 && !args.getFirst().isWord("fwmark") && !args.getFirst().isWord("group")) {
            // alloc_vs: the port may be left out, meaning 0 (every port)
            var a = values.address(args.getFirst(), "virtual_server");
            var port = args.size() == 2 ? values.port(args.get(1), "virtual_server port") : Integer.valueOf(0);
            return a == null || port == null ? null : new VirtualServerDef.Key.Address(a, port);
        }
        values.error(n.position(), "virtual_server needs 'ADDRESS [PORT]', 'fwmark N' or 'group NAME' before '{'");
        return null;
    }

    /// `pto_handler`: whole seconds 1 to 31 days; left out, keepalived's default of 360 s.
    private Duration persistenceTimeout(Node c) {
        if (!c.isBlock() && c.args().isEmpty()) {
            return DEFAULT_PERSISTENCE;
        }
        return values.wholeSeconds(c, 1, Validator.MAX_PERSISTENCE_SECONDS);
    }

    /// `pgr_handler`: on an IPv6 service (or, for a fwmark or group service, a value without a
    /// dot) a prefix length 1–128, which the model holds as the netmask it stands for; otherwise
    /// an IPv4 netmask.
    private InetAddress granularity(Node c, VirtualServerDef.Key key) {
        var t = values.single(c);
        if (t == null) {
            return null;
        }
        boolean v6 = key instanceof VirtualServerDef.Key.Address a ? a.address() instanceof Inet6Address
                : t.text().indexOf('.') < 0;
        if (v6) {
            var prefix = values.integer(t, "persistence_granularity (an IPv6 prefix length)", 1, 128);
            return prefix == null ? null : Values.ipv6Netmask(prefix);
        }
        var mask = Values.parseAddress(t.text());
        if (!(mask instanceof Inet4Address)) {
            values.error(t.position(), "persistence_granularity of an IPv4 service must be a netmask such as"
                    + " 255.255.255.0, not '" + t.text() + "'");
            return null;
        }
        return mask;
    }

    /// lbflags_handler: `hashed`, `sh-*` and `mh-*` are read against the scheduler chosen so far;
    /// unless it is sh or mh, keepalived reports the line and ignores it.
    private void schedulerFlag(Node c, String schedulerSoFar) {
        if (!"sh".equals(schedulerSoFar) && !"mh".equals(schedulerSoFar)) {
            values.error(c.position(), c.name() + " applies to the sh and mh schedulers only: keepalived reports it "
                    + (schedulerSoFar == null ? "before any lb_algo (write lb_algo first)" : "with lb_algo " + schedulerSoFar)
                    + " and ignores it");
        }
    }

    private String scheduler(Node c) {
        var t = values.single(c);
        if (t == null) {
            return null;
        }
        if (!Keywords.SCHEDULERS.contains(t.text())) {
            values.error(t.position(), "unknown scheduler '" + t.text() + "' (expected one of "
                    + String.join(", ", Keywords.SCHEDULERS.stream().sorted().toList()) + ")");
            return null;
        }
        return t.text();
    }

    private VirtualServerDef.LbKind lbKind(Node c) {
        var t = values.single(c);
        if (t == null) {
            return null;
        }
        return switch (t.text()) {
            case "NAT" -> VirtualServerDef.LbKind.NAT;
            case "DR" -> VirtualServerDef.LbKind.DR;
            case "TUN" -> VirtualServerDef.LbKind.TUN;
            default -> {
                values.error(t.position(), c.name() + " must be NAT, DR or TUN, not '" + t.text() + "'");
                yield null;
            }
        };
    }

    private VirtualServerDef.SorryServer sorryServer(Node c) {
        if (c.args().isEmpty() || c.args().size() > 2) {
            values.error(c.position(), "sorry_server needs ADDRESS [PORT]");
            return null;
        }
        // alloc_ssvr: the port may be left out, meaning 0 (the service's port)
        var a = values.address(c.args().getFirst(), "sorry_server");
        var p = c.args().size() == 2 ? values.port(c.args().get(1), "sorry_server port") : Integer.valueOf(0);
        return a == null || p == null ? null : new VirtualServerDef.SorryServer(a, p);
    }

    private RealServerDef realServer(Node n) {
        if (!n.isBlock()) {
            values.error(n.position(), "real_server must open a block: real_server ADDRESS PORT { … }");
            return null;
        }
        if (n.args().isEmpty() || n.args().size() > 2) {
            values.error(n.position(), "real_server needs ADDRESS [PORT] before '{'");
            return null;
        }
        var address = values.address(n.args().getFirst(), "real_server");
        var port = n.args().size() == 2 ? values.port(n.args().get(1), "real_server port") : null;
        var where = "real_server " + String.join(" ", n.args().stream().map(Token::text).toList());
        var weight = new Integer[1];
        var kind = new VirtualServerDef.LbKind[1];
        var inhibit = new Boolean[1];
        var notify = new String[2];
        var thresholds = new Integer[2];
        var alpha = new Boolean[1];
        var retry = new Integer[1];
        var times = new Duration[4];
        var checkers = new ArrayList<CheckerDef>();
        var extras = new BlockReader(values, where, Keywords.REAL_SERVER)
                .words(Set.of(), Keywords.REAL_SERVER_ON_OFF)
                .on("weight", c -> weight[0] = values.integer(c, 0, Integer.MAX_VALUE))
                .on("lvs_method", c -> kind[0] = lbKind(c))
                .misplaced("lb_kind", "a real server's forwarding method is lvs_method (keepalived rejects lb_kind here)")
                .on("inhibit_on_failure", c -> inhibit[0] = values.trueFalse(c))
                .first("notify_up", c -> notify[0] = values.notifyLine(c))
                .first("notify_down", c -> notify[1] = values.notifyLine(c))
                .on("uthreshold", c -> thresholds[0] = values.integer(c, 0, Integer.MAX_VALUE))
                .on("lthreshold", c -> thresholds[1] = values.integer(c, 0, Integer.MAX_VALUE))
                .on("alpha", c -> alpha[0] = values.trueFalse(c))
                .on("retry", c -> retry[0] = values.integer(c, 1, Integer.MAX_VALUE))
                .on("delay_before_retry", c -> times[0] = values.seconds(c, Duration.ZERO, MAX))
                .on("warmup", c -> times[1] = values.seconds(c, Duration.ZERO, MAX))
                .on("connect_timeout", c -> times[2] = values.seconds(c, MICROSECOND, MAX_CONNECT_TIMEOUT))
                .on("delay_loop", c -> times[3] = values.seconds(c, MICROSECOND, MAX))
                .each("HTTP_GET", c -> add(checkers, http(c, false)))
                .each("SSL_GET", c -> add(checkers, http(c, true)))
                .each("TCP_CHECK", c -> add(checkers, tcp(c)))
                .each("MISC_CHECK", c -> add(checkers, misc(c)))
                .each("DNS_CHECK", c -> add(checkers, dns(c)))
                // check_file.c track_file_handler looks the track_file up while reading
                .kept("FILE_CHECK", c -> {
                    if (c.isBlock()) {
                        c.children().stream().filter(s -> s.name().equals("track_file") && !s.args().isEmpty())
                                .forEach(s -> references.check(s.args().getFirst(), "track_file", where + ": FILE_CHECK",
                                        "track_file"));
                    }
                })
                .read(n);
        if (address == null) {
            return null;
        }
        return new RealServerDef(address, port, weight[0], kind[0], inhibit[0], notify[0], notify[1], thresholds[0],
                thresholds[1], alpha[0], retry[0], times[0], times[1], times[2], times[3], checkers, extras);
    }

    private static void add(List<CheckerDef> checkers, CheckerDef c) {
        if (c != null) {
            checkers.add(c);
        }
    }

    /// Reads the options every checker has, registering them on `reader`.
    private static final class CommonFields {
        InetAddress connectIp;
        Integer connectPort;
        InetAddress bindTo;
        Integer bindPort;
        Duration connectTimeout;
        Integer retry;
        Duration delayBeforeRetry;
        Duration warmup;
        Duration delayLoop;
        Long fwmark;
        Boolean alpha;
        Boolean logAllFailures;

        CheckerDef.Common build() {
            return new CheckerDef.Common(connectIp, connectPort, bindTo, bindPort, connectTimeout, retry,
                    delayBeforeRetry, warmup, delayLoop, fwmark, alpha, logAllFailures);
        }
    }

    /// The options every checker has (`install_checker_common_keywords` in check_api.c); a MISC_CHECK
    /// has no connection, so keepalived does not install the connection keywords there.
    private BlockReader checkerReader(String where, Set<String> own, CommonFields f) {
        var known = new HashSet<>(own);
        known.addAll(Keywords.CHECKER_COMMON);
        var onOff = new HashSet<>(Keywords.CHECKER_ON_OFF);
        if (where.endsWith("_GET")) {
            onOff.addAll(Keywords.HTTP_CHECKER_ON_OFF);
        }
        var reader = new BlockReader(values, where, known)
                .words(where.equals("MISC_CHECK") ? Keywords.MISC_CHECKER_FLAGS : Set.of(), onOff)
                .on("retry", c -> f.retry = values.integer(c, 0, Integer.MAX_VALUE))
                .on("delay_before_retry", c -> f.delayBeforeRetry = values.seconds(c, Duration.ZERO, MAX))
                .on("warmup", c -> f.warmup = values.seconds(c, Duration.ZERO, MAX))
                .on("delay_loop", c -> f.delayLoop = values.seconds(c, MICROSECOND, MAX))
                .on("alpha", c -> f.alpha = values.trueFalse(c))
                .on("log_all_failures", c -> f.logAllFailures = values.trueFalse(c));
        if (!where.equals("HTTP_GET") && !where.equals("SSL_GET")) {
            reader.misplaced("nb_get_retry", "it belongs to HTTP_GET and SSL_GET only (and is deprecated there): write retry");
        }
        if (where.equals("MISC_CHECK")) {
            for (var k : CONNECTION_KEYWORDS) {
                reader.misplaced(k, "a MISC_CHECK runs a script and makes no connection of its own");
            }
            return reader;
        }
        return reader
                .on("connect_ip", c -> f.connectIp = values.address(c))
                .on("connect_port", c -> {
                    var t = values.single(c);
                    f.connectPort = t == null ? null : values.integer(t, "connect_port", 1, 65535);
                })
                .on("bindto", c -> f.bindTo = values.address(c))
                .on("bind_port", c -> {
                    var t = values.single(c);
                    f.bindPort = t == null ? null : values.integer(t, "bind_port", 1, 65535);
                })
                .on("connect_timeout", c -> f.connectTimeout = values.seconds(c, MICROSECOND, MAX_CONNECT_TIMEOUT))
                .on("fwmark", c -> {
                    var t = values.single(c);
                    f.fwmark = t == null ? null : values.longValue(t, "fwmark", 0, ConfigParser.UINT_MAX);
                });
    }

    private CheckerDef http(Node n, boolean ssl) {
        if (!Structure.block(values, n, 0)) {
            return null;
        }
        var f = new CommonFields();
        var urls = new ArrayList<CheckerDef.Url>();
        var vhost = new String[1];
        var protocol = new String[1];
        var sni = new Boolean[1];
        var sniName = new String[1];
        var extras = checkerReader(n.name(), Keywords.HTTP_CHECKER, f)
                .on("nb_get_retry", c -> {
                    // http_get_retry_handler reads it as retry but reports it (keepalived -t fails)
                    values.warning(c.position(), "nb_get_retry is deprecated: keepalived reads it as retry but"
                            + " reports it as a configuration error; write retry");
                    f.retry = values.integer(c, 0, Integer.MAX_VALUE);
                })
                .each("url", c -> {
                    var u = url(c);
                    if (u != null) {
                        urls.add(u);
                    }
                })
                .on("virtualhost", c -> vhost[0] = values.string(c))
                .on("http_protocol", c -> {
                    var p = values.string(c);
                    if (p != null && !p.equals("1.0") && !p.equals("1.1") && !p.equals("1.0C") && !p.equals("1.0K")) {
                        values.error(c.args().getFirst().position(), "http_protocol must be 1.0, 1.0C, 1.0K or 1.1, not '" + p + "'");
                    } else {
                        protocol[0] = p;
                    }
                })
                .on("enable_sni", c -> sni[0] = values.trueFalse(c))
                .on("sni_name", c -> sniName[0] = values.string(c))
                .read(n);
        if (urls.isEmpty()) {
            values.error(n.position(), n.name() + " needs at least one url { path … }");
        }
        return new CheckerDef.Http(ssl, urls, vhost[0], protocol[0], sni[0], sniName[0], f.build(), extras);
    }

    private CheckerDef.Url url(Node n) {
        if (!Structure.block(values, n, 0)) {
            return null;
        }
        var path = new String[1];
        var digest = new String[1];
        var codes = new ArrayList<CheckerDef.StatusRange>();
        var vhost = new String[1];
        new BlockReader(values, "url", Keywords.URL)
                .words(Keywords.URL_FLAGS, Set.of())
                .on("path", c -> path[0] = values.string(c))
                .first("digest", c -> {
                    var t = values.single(c);
                    if (t != null) {
                        if (!t.text().matches("[0-9a-fA-F]{32}")) {
                            values.error(t.position(), "digest must be 32 hexadecimal digits (an MD5), as genhash prints it");
                        } else {
                            digest[0] = t.text().toLowerCase(Locale.ROOT);
                        }
                    }
                })
                .each("status_code", c -> {
                    if (c.args().isEmpty()) {
                        values.error(c.position(), "status_code needs codes, e.g. 200 or 200-299");
                    }
                    for (var t : c.args()) {
                        var r = statusRange(t);
                        if (r != null) {
                            codes.add(r);
                        }
                    }
                })
                .on("virtualhost", c -> vhost[0] = values.string(c))
                .read(n);
        if (path[0] == null) {
            values.error(n.position(), "url needs a path");
            return null;
        }
        return new CheckerDef.Url(path[0], digest[0], codes, vhost[0]);
    }

    private CheckerDef.StatusRange statusRange(Token t) {
        var s = t.text();
        if (s.matches("\\d{3}")) {
            int v = Integer.parseInt(s);
            return checkCode(t, v, v);
        }
        if (s.matches("\\d{3}-\\d{3}")) {
            int a = Integer.parseInt(s.substring(0, 3));
            int b = Integer.parseInt(s.substring(4));
            if (b < a) {
                values.error(t.position(), "status_code range " + s + " ends before it starts");
                return null;
            }
            return checkCode(t, a, b);
        }
        values.error(t.position(), "status_code '" + s + "' must be a code (200) or a range (200-299)");
        return null;
    }

    private CheckerDef.StatusRange checkCode(Token t, int from, int to) {
        if (from < 100 || to > 599) {
            values.error(t.position(), "status_code " + t.text() + " is outside 100–599");
            return null;
        }
        return new CheckerDef.StatusRange(from, to);
    }

    private CheckerDef tcp(Node n) {
        if (!Structure.block(values, n, 0)) {
            return null;
        }
        var f = new CommonFields();
        var extras = checkerReader("TCP_CHECK", Set.of(), f).read(n);
        return new CheckerDef.Tcp(f.build(), extras);
    }

    private CheckerDef misc(Node n) {
        if (!Structure.block(values, n, 0)) {
            return null;
        }
        var f = new CommonFields();
        var path = new String[1];
        var timeout = new Duration[1];
        var dynamic = new boolean[1];
        var user = new String[1];
        var extras = checkerReader("MISC_CHECK", Keywords.MISC_CHECKER, f)
                .on("misc_path", c -> path[0] = values.commandLine(c))
                .on("misc_timeout", c -> {
                    // misc_timeout_handler: whole seconds; 0 means "the delay_loop", as when left out
                    var t = values.wholeSeconds(c, 0, ConfigParser.MAX_WHOLE_SECONDS);
                    timeout[0] = t == null || t.isZero() ? null : t;
                })
                .on("misc_dynamic", c -> dynamic[0] = values.flag(c))
                .on("user", c -> user[0] = values.userAndGroup(c))
                .read(n);
        if (path[0] == null) {
            values.error(n.position(), "MISC_CHECK needs a misc_path");
            return null;
        }
        return new CheckerDef.Misc(path[0], timeout[0], dynamic[0], user[0], f.build(), extras);
    }

    private CheckerDef dns(Node n) {
        if (!Structure.block(values, n, 0)) {
            return null;
        }
        var f = new CommonFields();
        var type = new String[1];
        var name = new String[1];
        var extras = checkerReader("DNS_CHECK", Keywords.DNS_CHECKER, f)
                .on("type", c -> {
                    var t = values.string(c);
                    if (t != null && !Set.of("A", "NS", "CNAME", "SOA", "MX", "TXT", "AAAA").contains(t)) {
                        values.error(c.args().getFirst().position(),
                                "DNS_CHECK type must be A, NS, CNAME, SOA, MX, TXT or AAAA, not '" + t + "'");
                    } else {
                        type[0] = t;
                    }
                })
                .first("name", c -> name[0] = values.string(c))
                .read(n);
        return new CheckerDef.Dns(type[0], name[0], f.build(), extras);
    }
}
