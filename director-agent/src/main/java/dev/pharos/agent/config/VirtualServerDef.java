package dev.pharos.agent.config;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

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
