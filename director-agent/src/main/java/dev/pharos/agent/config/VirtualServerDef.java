package dev.pharos.agent.config;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/// `virtual_server IP PORT { … }`, `virtual_server fwmark N { … }` or `virtual_server group NAME { … }`.
/// Absent values are `null`; keepalived's defaults are applied by the service table and the checker.
///
/// @param lbAlgo `lb_algo` / `lvs_sched`: an IPVS scheduler name
/// @param lbKind `lb_kind` / `lvs_method`
public record VirtualServerDef(Key key, Duration delayLoop, String lbAlgo, LbKind lbKind, Duration persistenceTimeout,
        InetAddress persistenceGranularity, Protocol protocol, Integer quorum, Integer hysteresis, String quorumUp,
        String quorumDown, SorryServer sorryServer, boolean sorryServerInhibit, boolean alpha, boolean omega,
        boolean inhibitOnFailure, String virtualhost, boolean haSuspend, boolean ops, Integer retry,
        Duration delayBeforeRetry, Duration warmup, Duration connectTimeout, List<RealServerDef> realServers,
        List<Extra> extras) {

    public VirtualServerDef {
        realServers = List.copyOf(realServers);
        extras = List.copyOf(extras);
    }

    /// The protocol served: the `protocol` line, else UDP, as keepalived does (the kernel's
    /// default for protocol 0; keepalived warns "no protocol set - defaulting to UDP").
    /// Irrelevant for fwmark services, which match any protocol.
    public Protocol effectiveProtocol() {
        return protocol != null ? protocol : Protocol.UDP;
    }

    /// The name the control protocol uses: `tcp/192.0.2.10:80`, `fwmark/1`, `group/NAME`.
    public String id() {
        return switch (key) {
            case Key.Address a -> effectiveProtocol().name().toLowerCase(Locale.ROOT) + "/"
                    + RealServerDef.hostPort(a.address(), a.port());
            case Key.Fwmark f -> "fwmark/" + f.mark();
            case Key.Group g -> "group/" + g.name();
        };
    }

    public VirtualServerDef withKey(Key newKey) {
        return new VirtualServerDef(newKey, delayLoop, lbAlgo, lbKind, persistenceTimeout, persistenceGranularity,
                protocol, quorum, hysteresis, quorumUp, quorumDown, sorryServer, sorryServerInhibit, alpha, omega,
                inhibitOnFailure, virtualhost, haSuspend, ops, retry, delayBeforeRetry, warmup, connectTimeout,
                realServers, extras);
    }

    public VirtualServerDef withRealServers(List<RealServerDef> servers) {
        return new VirtualServerDef(key, delayLoop, lbAlgo, lbKind, persistenceTimeout, persistenceGranularity,
                protocol, quorum, hysteresis, quorumUp, quorumDown, sorryServer, sorryServerInhibit, alpha, omega,
                inhibitOnFailure, virtualhost, haSuspend, ops, retry, delayBeforeRetry, warmup, connectTimeout,
                servers, extras);
    }

    public VirtualServerDef withSorryServer(SorryServer server) {
        return new VirtualServerDef(key, delayLoop, lbAlgo, lbKind, persistenceTimeout, persistenceGranularity,
                protocol, quorum, hysteresis, quorumUp, quorumDown, server, sorryServerInhibit, alpha, omega,
                inhibitOnFailure, virtualhost, haSuspend, ops, retry, delayBeforeRetry, warmup, connectTimeout,
                realServers, extras);
    }

    /// A copy with the scheduling settings replaced (null arguments keep the current value).
    public VirtualServerDef withSettings(String lbAlgo, LbKind lbKind, Duration persistenceTimeout,
            Duration delayLoop, Integer quorum) {
        return new VirtualServerDef(key, delayLoop != null ? delayLoop : this.delayLoop,
                lbAlgo != null ? lbAlgo : this.lbAlgo, lbKind != null ? lbKind : this.lbKind,
                persistenceTimeout != null ? (persistenceTimeout.isZero() ? null : persistenceTimeout)
                        : this.persistenceTimeout,
                persistenceGranularity, protocol, quorum != null ? quorum : this.quorum, hysteresis, quorumUp,
                quorumDown, sorryServer, sorryServerInhibit, alpha, omega, inhibitOnFailure, virtualhost, haSuspend,
                ops, retry, delayBeforeRetry, warmup, connectTimeout, realServers, extras);
    }

    /// How the virtual server is addressed.
    public sealed interface Key permits Key.Address, Key.Fwmark, Key.Group {
        /// `virtual_server 192.0.2.10 80`
        record Address(InetAddress address, int port) implements Key {
        }

        /// `virtual_server fwmark 1`
        record Fwmark(long mark) implements Key {
        }

        /// `virtual_server group NAME`
        record Group(String name) implements Key {
        }
    }

    public enum LbKind {
        NAT, DR, TUN
    }

    public enum Protocol {
        TCP, UDP, SCTP
    }

    /// `sorry_server IP PORT`
    public record SorryServer(InetAddress address, int port) {
    }
}
