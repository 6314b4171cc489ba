package dev.pharos.agent.ipvs.proxy;

import java.util.List;

/// A snapshot of one virtual service: its settings, whether it is listening yet (a UDP service
/// waits for its VIP), its totals, and every real server's counters.
///
/// @param sorryServer the sorry server's counters, `null` when the service has none
/// @param refusedConnections connections closed at once: over a cap, or no server could take them
/// @param connectionCap      most connections this service takes at once: its own limit, else the
///                           balancer's default cap
public record BalancerServiceStats(BalancerService service, boolean listening, int activeConnections,
        int inactiveConnections, long totalConnections, long bytesIn, long bytesOut, long packetsIn, long packetsOut,
        long refusedConnections, TrafficRates rates, List<BalancerRealServerStats> realServers,
        BalancerRealServerStats sorryServer, int connectionCap) {

    public BalancerServiceStats {
        realServers = List.copyOf(realServers);
    }
}
