package dev.pharos.agent.config;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/// The LVS side of the model: `virtual_server_group`, `virtual_server` and `real_server`
/// (keepalived's `check_parser.c`); [CheckerParser] reads the checker blocks.
final class VirtualServerParser {

    private static final Duration MAX = ConfigParser.MAX_SECONDS;

    /// keepalived's `read_timer` counts microseconds: its smallest positive time is 1 µs.
    static final Duration MICROSECOND = Duration.ofNanos(1000);

    /// `connect_timeout`'s upper bound in keepalived 2.2.7: UINT_MAX microseconds.
    static final Duration MAX_CONNECT_TIMEOUT = Duration.ofNanos(ConfigParser.UINT_MAX * 1000);

    /// keepalived's default `persistence_timeout` (`IPVS_SVC_PERSISTENT_TIMEOUT`, libipvs.h).
    static final Duration DEFAULT_PERSISTENCE = Duration.ofSeconds(360);

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
                if (line.args().size() > 1) {
                    // alloc_vsg_entry reads an address family (inet, inet6) after the mark
                    values.error(line.args().get(1).position(), "virtual_server_group " + name + ": the address"
                            + " family after fwmark ('" + line.args().get(1).text() + "') is not read by Pharos yet");
                    continue;
                }
                var t = values.single(line);
                var mark = t == null ? null : values.longValue(t, "fwmark", 1, 0xFFFFFFFFL);
                if (mark != null) {
                    members.add(new VirtualServerGroupDef.Member.Fwmark(mark));
                }
                continue;
            }
            if (line.args().size() > 1) {
                values.error(line.position(), "virtual_server_group " + name + ": expected 'ADDRESS [PORT]', "
                        + "'ADDRESS-LAST [PORT]' or 'fwmark N'");
                continue;
            }
            // alloc_vsg_entry: the port may be left out, meaning 0 (every port)
            var port = line.args().isEmpty() ? Integer.valueOf(0) : values.port(line.args().getFirst(), "port");
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
                        // proto_handler compares with strcasecmp: tcp is TCP
                        switch (p.toUpperCase(Locale.ROOT)) {
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
                .kept("hashed", c -> checkHashScheduler(c, f.lbAlgo))
                .each("flag-1", c -> schedulerFlag(c, VirtualServerDef.SchedulerFlag.FLAG_1, f))
                .each("flag-2", c -> schedulerFlag(c, VirtualServerDef.SchedulerFlag.FLAG_2, f))
                .each("flag-3", c -> schedulerFlag(c, VirtualServerDef.SchedulerFlag.FLAG_3, f))
                .each("sh-fallback", c -> hashFlag(c, "sh", VirtualServerDef.SchedulerFlag.FLAG_1, f))
                .each("sh-port", c -> hashFlag(c, "sh", VirtualServerDef.SchedulerFlag.FLAG_2, f))
                .each("mh-fallback", c -> hashFlag(c, "mh", VirtualServerDef.SchedulerFlag.FLAG_1, f))
                .each("mh-port", c -> hashFlag(c, "mh", VirtualServerDef.SchedulerFlag.FLAG_2, f))
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
                f.omega, f.inhibit, f.virtualhost, f.haSuspend, f.ops, f.schedulerFlags, f.retry, f.delayBeforeRetry,
                f.warmup, f.connectTimeout, f.realServers, extras);
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
        final Set<VirtualServerDef.SchedulerFlag> schedulerFlags =
                EnumSet.noneOf(VirtualServerDef.SchedulerFlag.class);
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

    /// lbflags_handler: `flag-N` sets IPVS's scheduler flag N whatever the scheduler.
    private void schedulerFlag(Node c, VirtualServerDef.SchedulerFlag flag, VsFields f) {
        if (values.flag(c)) {
            f.schedulerFlags.add(flag);
        }
    }

    /// lbflags_handler: `sh-*` and `mh-*` are read against the scheduler chosen so far, so a later
    /// `lb_algo` does not undo them. Under the other hashing scheduler (`sh-port` under mh) keepalived
    /// ignores the line without a word, and so does Pharos: it reports what keepalived reports.
    private void hashFlag(Node c, String scheduler, VirtualServerDef.SchedulerFlag flag, VsFields f) {
        checkHashScheduler(c, f.lbAlgo);
        if (scheduler.equals(f.lbAlgo) && values.flag(c)) {
            f.schedulerFlags.add(flag);
        }
    }

    /// lbflags_handler: `hashed`, `sh-*` and `mh-*` are read against the scheduler chosen so far;
    /// unless it is sh or mh, keepalived reports the line and ignores it.
    private void checkHashScheduler(Node c, String schedulerSoFar) {
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
        if (c.args().size() > 1) {
            // svr_forwarding_handler reads every word after the method as a tunnel option (type,
            // port, csum…), whatever the method
            values.error(c.args().get(1).position(), c.name() + " " + c.args().getFirst().text()
                    + ": keepalived reads '" + c.args().get(1).text() + "' … as tunnel options, which Pharos does not"
                    + " support (it runs IPIP tunnels only)");
            return null;
        }
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
                .each("HTTP_GET", c -> add(checkers, checkers().http(c, false)))
                .each("SSL_GET", c -> add(checkers, checkers().http(c, true)))
                .each("TCP_CHECK", c -> add(checkers, checkers().tcp(c)))
                .each("MISC_CHECK", c -> add(checkers, checkers().misc(c)))
                .each("DNS_CHECK", c -> add(checkers, checkers().dns(c)))
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

    private CheckerParser checkers() {
        return new CheckerParser(values);
    }

    private static void add(List<CheckerDef> checkers, CheckerDef c) {
        if (c != null) {
            checkers.add(c);
        }
    }
}
