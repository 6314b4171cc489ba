package dev.pharos.agent.config;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/// The checker blocks of a `real_server` — HTTP_GET, SSL_GET, TCP_CHECK, MISC_CHECK, DNS_CHECK —
/// as keepalived 2.2.7 installs their keywords (`check_api.c`, `check_http.c`, `check_tcp.c`,
/// `check_misc.c`, `check_dns.c`).
final class CheckerParser {

    private static final Duration MAX = ConfigParser.MAX_SECONDS;
    private static final Duration MICROSECOND = VirtualServerParser.MICROSECOND;
    private static final Duration MAX_CONNECT_TIMEOUT = VirtualServerParser.MAX_CONNECT_TIMEOUT;

    /// The keywords of `install_checker_common_keywords(true)` that MISC_CHECK, installed with
    /// `false`, does not have (check_api.c).
    private static final List<String> CONNECTION_KEYWORDS = List.of("connect_ip", "connect_port", "bindto",
            "bind_port", "bind_if", "connect_timeout", "fwmark");

    private final Values values;

    CheckerParser(Values values) {
        this.values = values;
    }

    /// The options every checker has, while one checker block is read.
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

    CheckerDef http(Node n, boolean ssl) {
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

    CheckerDef tcp(Node n) {
        if (!Structure.block(values, n, 0)) {
            return null;
        }
        var f = new CommonFields();
        var extras = checkerReader("TCP_CHECK", Set.of(), f).read(n);
        return new CheckerDef.Tcp(f.build(), extras);
    }

    CheckerDef misc(Node n) {
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

    CheckerDef dns(Node n) {
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
