package dev.pharos.agent.config;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/// `virtual_server IP PORT { … }`, `virtual_server fwmark N { … }` or `virtual_server group NAME { … }`.
/// Absent values are `null`; keepalived's defaults are applied by the service table and the checker.
///
/// @param lbAlgo `lb_algo` / `lvs_sched`: an IPVS scheduler name
/// @param lbKind `lb_kind` / `lvs_method`
/// @param schedulerFlags the scheduler's flags as keepalived's `lbflags_handler` sets them:
///        `flag-1`…`flag-3`, and `sh-fallback`/`mh-fallback` ([SchedulerFlag#FLAG_1]) or
///        `sh-port`/`mh-port` ([SchedulerFlag#FLAG_2]) when read under the matching `lb_algo`
public record VirtualServerDef(Key key, Duration delayLoop, String lbAlgo, LbKind lbKind, Duration persistenceTimeout,
        InetAddress persistenceGranularity, Protocol protocol, Integer quorum, Integer hysteresis, String quorumUp,
        String quorumDown, SorryServer sorryServer, boolean sorryServerInhibit, boolean alpha, boolean omega,
        boolean inhibitOnFailure, String virtualhost, boolean haSuspend, boolean ops,
        Set<SchedulerFlag> schedulerFlags, Integer retry, Duration delayBeforeRetry, Duration warmup,
        Duration connectTimeout, List<RealServerDef> realServers, List<Extra> extras) {

    public VirtualServerDef {
        // null: a JSON configuration written before the flags were modelled
        schedulerFlags = schedulerFlags == null || schedulerFlags.isEmpty() ? Set.of()
                : Collections.unmodifiableSet(EnumSet.copyOf(schedulerFlags));
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
                inhibitOnFailure, virtualhost, haSuspend, ops, schedulerFlags, retry, delayBeforeRetry, warmup,
                connectTimeout, realServers, extras);
    }

    public VirtualServerDef withRealServers(List<RealServerDef> servers) {
        return new VirtualServerDef(key, delayLoop, lbAlgo, lbKind, persistenceTimeout, persistenceGranularity,
                protocol, quorum, hysteresis, quorumUp, quorumDown, sorryServer, sorryServerInhibit, alpha, omega,
                inhibitOnFailure, virtualhost, haSuspend, ops, schedulerFlags, retry, delayBeforeRetry, warmup,
                connectTimeout, servers, extras);
    }

    public VirtualServerDef withSorryServer(SorryServer server) {
        return new VirtualServerDef(key, delayLoop, lbAlgo, lbKind, persistenceTimeout, persistenceGranularity,
                protocol, quorum, hysteresis, quorumUp, quorumDown, server, sorryServerInhibit, alpha, omega,
                inhibitOnFailure, virtualhost, haSuspend, ops, schedulerFlags, retry, delayBeforeRetry, warmup,
                connectTimeout, realServers, extras);
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
                ops, schedulerFlags, retry, delayBeforeRetry, warmup, connectTimeout, realServers, extras);
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

    /// IPVS's scheduler flags `IP_VS_SVC_F_SCHED1`…`SCHED3`; what each means is up to the scheduler.
    public enum SchedulerFlag {
        /// `flag-1`; for sh and mh, `sh-fallback` / `mh-fallback`: an unavailable destination's
        /// flows go to the next one instead of being refused.
        FLAG_1,
        /// `flag-2`; for sh and mh, `sh-port` / `mh-port`: the client's port is hashed as well as
        /// its address.
        FLAG_2,
        /// `flag-3`: no scheduler of Linux reads it so far.
        FLAG_3;

        /// The keyword that sets this flag under scheduler `lbAlgo` (`mh-port` under mh, `flag-2` under rr).
        public String keyword(String lbAlgo) {
            var named = "sh".equals(lbAlgo) || "mh".equals(lbAlgo);
            return switch (this) {
                case FLAG_1 -> named ? lbAlgo + "-fallback" : "flag-1";
                case FLAG_2 -> named ? lbAlgo + "-port" : "flag-2";
                case FLAG_3 -> "flag-3";
            };
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
