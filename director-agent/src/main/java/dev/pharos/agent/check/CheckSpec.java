package dev.pharos.agent.check;

import dev.pharos.agent.api.Addresses;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/// What one checker of a real server does, with every keepalived fallback already applied (see
/// [CheckPlan#from]). Specs are values: two equal specs check the same thing the same way.
public sealed interface CheckSpec permits CheckSpec.HttpGet, CheckSpec.TcpCheck, CheckSpec.MiscCheck, CheckSpec.DnsCheck {

    Timing timing();

    /// The same check with other timing; a reload that only changes timing keeps the check's state.
    CheckSpec withTiming(Timing timing);

    /// keepalived's name of the checker and what it reaches, e.g. `HTTP_GET 192.0.2.2:80`.
    String label();

    /// Whether `other` checks the same thing, timing aside.
    default boolean sameCheck(CheckSpec other) {
        return withTiming(Timing.NEUTRAL).equals(other.withTiming(Timing.NEUTRAL));
    }

    /// The runner's timing of one checker (keepalived's `check_api.c` fields).
    ///
    /// @param delayLoop        time between two checks while nothing fails
    /// @param retry            failed attempts retried before the checker goes down (`retry`,
    ///                         `nb_get_retry`): a checker that was up goes down after `retry + 1`
    ///                         failed attempts in a row
    /// @param delayBeforeRetry time between a failed attempt and its retry
    /// @param warmup           the first check starts after a random delay in `[0, warmup]`
    /// @param alpha            the checker starts down and needs one success to come up
    public record Timing(Duration delayLoop, int retry, Duration delayBeforeRetry, Duration warmup, boolean alpha) {

        static final Timing NEUTRAL = new Timing(Duration.ofSeconds(1), 0, Duration.ZERO, Duration.ZERO, false);

        public Timing {
            Objects.requireNonNull(delayLoop, "delayLoop");
            Objects.requireNonNull(delayBeforeRetry, "delayBeforeRetry");
            Objects.requireNonNull(warmup, "warmup");
            if (delayLoop.isNegative() || delayLoop.isZero()) {
                throw new IllegalArgumentException("delay_loop must be positive, not " + delayLoop);
            }
            if (retry < 0) {
                throw new IllegalArgumentException("retry must not be negative, not " + retry);
            }
            if (delayBeforeRetry.isNegative() || warmup.isNegative()) {
                throw new IllegalArgumentException("delay_before_retry and warmup must not be negative");
            }
        }
    }

    /// Where a network checker connects to, and from.
    ///
    /// @param bindTo         local address to bind, or `null` for the kernel's choice
    /// @param bindPort       local port to bind, 0 for any
    /// @param connectTimeout the whole attempt's deadline (connect, TLS, request and response)
    public record Endpoint(InetSocketAddress connectTo, InetAddress bindTo, int bindPort, Duration connectTimeout) {
        public Endpoint {
            Objects.requireNonNull(connectTo, "connectTo");
            Objects.requireNonNull(connectTimeout, "connectTimeout");
            if (connectTimeout.isNegative() || connectTimeout.isZero()) {
                throw new IllegalArgumentException("connect_timeout must be positive, not " + connectTimeout);
            }
        }

        /// `192.0.2.2:80`, `[2001:db8::2]:80`
        public String hostPort() {
            var a = Addresses.text(connectTo.getAddress());
            return (a.contains(":") ? "[" + a + "]" : a) + ":" + connectTo.getPort();
        }
    }

    /// `HTTP_GET` or, with `ssl`, `SSL_GET`: every URL must answer with an accepted status (and
    /// digest) for one attempt to succeed.
    ///
    /// @param virtualhost the `Host:` of URLs without their own (the checker's, else the virtual
    ///                    server's `virtualhost`), or `null` for `address:port`
    /// @param sni         send TLS SNI (`enable_sni`)
    /// @param sniName     the SNI name (`sni_name`), or `null` for the URL's or checker's virtualhost
    public record HttpGet(boolean ssl, List<Url> urls, Endpoint endpoint, String virtualhost, HttpVersion httpVersion,
            boolean sni, String sniName, Timing timing) implements CheckSpec {
        public HttpGet {
            urls = List.copyOf(urls);
            if (urls.isEmpty()) {
                throw new IllegalArgumentException((ssl ? "SSL_GET" : "HTTP_GET") + " needs at least one url");
            }
        }

        @Override
        public HttpGet withTiming(Timing t) {
            return new HttpGet(ssl, urls, endpoint, virtualhost, httpVersion, sni, sniName, t);
        }

        @Override
        public String label() {
            return (ssl ? "SSL_GET " : "HTTP_GET ") + endpoint.hostPort();
        }
    }

    /// One `url` block.
    ///
    /// @param statusCodes accepted codes; never empty (keepalived's default is 200–299)
    /// @param digest      MD5 of the body in lower-case hex, or `null` for no digest check
    /// @param virtualhost this URL's `Host:`, or `null` for the checker's
    public record Url(String path, List<StatusRange> statusCodes, String digest, String virtualhost) {
        public Url {
            statusCodes = List.copyOf(statusCodes);
            if (statusCodes.isEmpty()) {
                throw new IllegalArgumentException("url " + path + ": no accepted status code");
            }
        }

        public boolean accepts(int status) {
            return statusCodes.stream().anyMatch(r -> r.contains(status));
        }
    }

    /// `200` or `200-299`.
    public record StatusRange(int from, int to) {
        public static final StatusRange DEFAULT = new StatusRange(200, 299);

        public boolean contains(int status) {
            return status >= from && status <= to;
        }
    }

    /// `http_protocol`: the request line's version and whether `Connection: close` is sent.
    public enum HttpVersion {
        /// `1.0` (keepalived's default): `HTTP/1.0`, no `Connection` header
        HTTP_1_0("1.0", false),
        /// `1.0C`: `HTTP/1.0` with `Connection: close`
        HTTP_1_0C("1.0", true),
        /// `1.1`: `HTTP/1.1` with `Connection: close`
        HTTP_1_1("1.1", true);

        private final String requestVersion;
        private final boolean connectionClose;

        HttpVersion(String requestVersion, boolean connectionClose) {
            this.requestVersion = requestVersion;
            this.connectionClose = connectionClose;
        }

        public String requestVersion() {
            return requestVersion;
        }

        public boolean connectionClose() {
            return connectionClose;
        }

        /// From the configuration's `http_protocol` value (`null`: the default).
        public static HttpVersion fromConfig(String value) {
            if (value == null) {
                return HTTP_1_0;
            }
            return switch (value.toUpperCase(Locale.ROOT)) {
                case "1.0", "1.0K" -> HTTP_1_0;
                case "1.0C" -> HTTP_1_0C;
                case "1.1" -> HTTP_1_1;
                default -> throw new IllegalArgumentException("http_protocol must be 1.0, 1.0C or 1.1, not '" + value + "'");
            };
        }
    }

    /// `TCP_CHECK`: a TCP connection that opens counts as success.
    public record TcpCheck(Endpoint endpoint, Timing timing) implements CheckSpec {
        @Override
        public TcpCheck withTiming(Timing t) {
            return new TcpCheck(endpoint, t);
        }

        @Override
        public String label() {
            return "TCP_CHECK " + endpoint.hostPort();
        }
    }

    /// `MISC_CHECK`: a program run without a shell; exit 0 is success. With `dynamic`, exit
    /// 2–255 is success with weight `exit − 2`.
    ///
    /// @param command argv, `misc_path` split as keepalived splits it
    /// @param timeout `misc_timeout`, else the virtual server's delay_loop
    /// @param user    `user`: run as this user, or `null` for the agent's own
    /// @param group   the group with `user`, or `null` for the user's primary group
    public record MiscCheck(List<String> command, Duration timeout, boolean dynamic, String user, String group,
            Timing timing) implements CheckSpec {
        public MiscCheck {
            command = List.copyOf(command);
            if (command.isEmpty()) {
                throw new IllegalArgumentException("MISC_CHECK needs a misc_path");
            }
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("misc_timeout must be positive, not " + timeout);
            }
            if (user == null && group != null) {
                throw new IllegalArgumentException("MISC_CHECK group " + group + " given without a user");
            }
        }

        /// Run as the agent's user.
        public MiscCheck(List<String> command, Duration timeout, boolean dynamic, Timing timing) {
            this(command, timeout, dynamic, null, null, timing);
        }

        @Override
        public MiscCheck withTiming(Timing t) {
            return new MiscCheck(command, timeout, dynamic, user, group, t);
        }

        @Override
        public String label() {
            return "MISC_CHECK " + command.getFirst();
        }
    }

    /// `DNS_CHECK`: a UDP query (recursion desired) that must get a reply with rcode NOERROR.
    ///
    /// @param name the query name; empty for the root
    public record DnsCheck(DnsType type, String name, Endpoint endpoint, Timing timing) implements CheckSpec {
        @Override
        public DnsCheck withTiming(Timing t) {
            return new DnsCheck(type, name, endpoint, t);
        }

        @Override
        public String label() {
            return "DNS_CHECK " + endpoint.hostPort();
        }
    }

    /// The query types keepalived's `DNS_CHECK` accepts (RFC 1035 §3.2.2, RFC 3596, RFC 4034).
    public enum DnsType {
        A(1), NS(2), CNAME(5), SOA(6), MX(15), TXT(16), AAAA(28), RRSIG(46), DNSKEY(48);

        private final int wireValue;

        DnsType(int wireValue) {
            this.wireValue = wireValue;
        }

        public int wireValue() {
            return wireValue;
        }
    }
}
