package dev.pharos.agent.config;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/// A checker block inside `real_server`. Options every checker shares are in [Common]; absent
/// values are `null` and fall back to the real server's, then the virtual server's, then
/// keepalived's defaults.
public sealed interface CheckerDef permits CheckerDef.Http, CheckerDef.Tcp, CheckerDef.Misc, CheckerDef.Dns {

    Common common();

    /// Options of every checker (keepalived's `check_api.c`).
    ///
    /// @param retry `retry` / `nb_get_retry`
    public record Common(InetAddress connectIp, Integer connectPort, InetAddress bindTo, Integer bindPort,
            Duration connectTimeout, Integer retry, Duration delayBeforeRetry, Duration warmup, Duration delayLoop,
            Long fwmark, Boolean alpha, Boolean logAllFailures) {

        public static final Common EMPTY = new Common(null, null, null, null, null, null, null, null, null, null,
                null, null);
    }

    /// `HTTP_GET` or (`ssl`) `SSL_GET`.
    public record Http(boolean ssl, List<Url> urls, String virtualhost, String httpProtocol, Boolean enableSni,
            String sniName, Common common, List<Extra> extras) implements CheckerDef {
        public Http {
            urls = List.copyOf(urls);
            extras = List.copyOf(extras);
        }
    }

    /// `url { path; digest; status_code; virtualhost }`.
    ///
    /// @param statusCodes empty: keepalived's default, any 2xx
    public record Url(String path, String digest, List<StatusRange> statusCodes, String virtualhost) {
        public Url {
            statusCodes = List.copyOf(statusCodes);
        }
    }

    /// `200` or `200-299` on a `status_code` line.
    public record StatusRange(int from, int to) {
        @Override
        public String toString() {
            return from == to ? Integer.toString(from) : from + "-" + to;
        }
    }

    /// `TCP_CHECK`.
    public record Tcp(Common common, List<Extra> extras) implements CheckerDef {
        public Tcp {
            extras = List.copyOf(extras);
        }
    }

    /// `MISC_CHECK { misc_path; misc_timeout; misc_dynamic; user }`.
    public record Misc(String miscPath, Duration miscTimeout, boolean miscDynamic, String user, Common common,
            List<Extra> extras) implements CheckerDef {
        public Misc {
            extras = List.copyOf(extras);
        }
    }

    /// `DNS_CHECK { type; name }`.
    public record Dns(String type, String name, Common common, List<Extra> extras) implements CheckerDef {
        public Dns {
            extras = List.copyOf(extras);
        }
    }
}
