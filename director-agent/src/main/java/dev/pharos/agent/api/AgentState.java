package dev.pharos.agent.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/// The result of `state.get`: everything an operator sees about one director, at one moment.
///
/// @param revision     the configuration revision; edits name it as their `baseRevision`
/// @param hostname     the director's host name
/// @param at           when this snapshot was taken
/// @param lastSequence the sequence number of the newest event so far: subscribing with
///                     `afterSequence` = this value delivers exactly the changes after the snapshot
/// @param balancer     the service-table backend (`kernel`, `userspace`, `none`) and why
/// @param vrrp         every VRRP instance, in configuration order
/// @param virtualServers every virtual server, in configuration order
public record AgentState(String revision, String hostname, Instant at, long lastSequence, Balancer balancer,
        List<VrrpInstance> vrrp, List<VirtualServer> virtualServers) {

    public AgentState {
        vrrp = List.copyOf(vrrp);
        virtualServers = List.copyOf(virtualServers);
    }

    /// @param backend `kernel`, `userspace` or `none`
    /// @param reason  why this backend (e.g. "the kernel has no IPVS")
    public record Balancer(String backend, String reason) {
    }

    /// One VRRP instance.
    ///
    /// @param state             `INIT`, `BACKUP`, `MASTER`, `FAULT` or `STOPPED`
    /// @param master            the current master's address as last seen (this director's own
    ///                          address when it is master), or null when unknown
    /// @param virtualAddresses  the VIPs, as `address/prefix`
    /// @param counters          keepalived-style statistics (`advertsSent`, `ttlMismatch`, …)
    public record VrrpInstance(String name, int vrid, String interfaceName, int version, String state,
            int basePriority, int effectivePriority, String master, List<String> virtualAddresses,
            long advertIntervalMillis, Instant lastChange, long transitions, List<String> faults,
            Map<String, Long> counters) {
        public VrrpInstance {
            virtualAddresses = List.copyOf(virtualAddresses);
            faults = List.copyOf(faults);
            counters = Map.copyOf(counters);
        }
    }

    /// One virtual server.
    ///
    /// @param id                  the name edits use: `tcp/192.0.2.10:80`, `fwmark/1`, `group/NAME`
    /// @param kind                `lb_kind`: `NAT`, `DR` or `TUN`
    /// @param servedAs            how the backend serves it: `kernel`, `proxied` (the user-space
    ///                            balancer proxies a DR/TUN service), `userspace`, or `none`
    /// @param servedReason        why, when it differs from what the configuration says
    /// @param persistenceSeconds  `persistence_timeout`, 0 for none
    /// @param quorumUp            whether the alive weight meets the quorum (sorry server out)
    /// @param connectionCap       most connections the user-space balancer takes for this virtual
    ///                            server at once (new ones beyond it are reset); null when the
    ///                            kernel's IPVS serves it (IPVS has no such cap) or it is not served
    /// @param refusedConnections  connections the user-space balancer refused since it started: at
    ///                            the cap, or when no real server could take them; null as above
    public record VirtualServer(String id, String protocol, String address, Integer port, Long fwmark,
            String group, String scheduler, String kind, String servedAs, String servedReason,
            long persistenceSeconds, int quorum, boolean quorumUp, String sorryServer,
            List<RealServer> realServers, Integer connectionCap, Long refusedConnections) {
        public VirtualServer {
            realServers = List.copyOf(realServers);
        }

        /// A virtual server whose backend reports no cap and no refusals (added with those two
        /// fields; a client of an older agent reads them as null).
        public VirtualServer(String id, String protocol, String address, Integer port, Long fwmark,
                String group, String scheduler, String kind, String servedAs, String servedReason,
                long persistenceSeconds, int quorum, boolean quorumUp, String sorryServer,
                List<RealServer> realServers) {
            this(id, protocol, address, port, fwmark, group, scheduler, kind, servedAs, servedReason,
                    persistenceSeconds, quorum, quorumUp, sorryServer, realServers, null, null);
        }
    }

    /// One real server of a virtual server.
    ///
    /// @param id               `address:port` (`address` for a fwmark service), unique within the
    ///                         virtual server
    /// @param weight           the configured weight
    /// @param effectiveWeight  the weight the backend has (0 when down with `inhibit_on_failure`,
    ///                         when draining, or by a MISC_CHECK dynamic weight), -1 when it is
    ///                         not in the backend at all
    /// @param health           `up`, `down` or `unchecked` (no checker configured)
    /// @param healthReason     why it is down: the failing checker and its reason
    ///                         (`HTTP_GET …: status 503`); null while it is up
    /// @param healthSince      when the health last changed, or null
    /// @param checkers         the checker types configured (`HTTP_GET`, `TCP_CHECK`, …)
    public record RealServer(String id, String address, Integer port, int weight, int effectiveWeight,
            String health, String healthReason, Instant healthSince, List<String> checkers, Traffic traffic) {
        public RealServer {
            checkers = List.copyOf(checkers);
        }
    }

    /// Traffic counters, as IPVS keeps them (zero where the backend does not count).
    public record Traffic(long activeConnections, long inactiveConnections, long connections, long bytesIn,
            long bytesOut, double connectionsPerSecond, double bytesInPerSecond, double bytesOutPerSecond) {
        public static final Traffic NONE = new Traffic(0, 0, 0, 0, 0, 0, 0, 0);
    }
}
