package dev.pharos.agent.ipvs.proxy;

import java.net.InetSocketAddress;

/// A snapshot of one real server's counters. "In" is client → real server, "out" the reverse,
/// as in `ipvsadm -L --stats`. Packets are counted for UDP only (TCP is a byte stream here).
public record BalancerRealServerStats(InetSocketAddress address, int weight, boolean overloaded,
        int activeConnections, int inactiveConnections, long totalConnections, long bytesIn, long bytesOut,
        long packetsIn, long packetsOut, TrafficRates rates) {
}
