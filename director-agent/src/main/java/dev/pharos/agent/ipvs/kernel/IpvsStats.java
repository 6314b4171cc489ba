package dev.pharos.agent.ipvs.kernel;

/// IPVS's counters of a service or destination (`IPVS_STATS_ATTR_*`): totals since the entry was
/// created, and rates per second over the kernel's estimator window.
public record IpvsStats(long connections, long inPackets, long outPackets, long inBytes, long outBytes,
        long connectionsPerSecond, long inPacketsPerSecond, long outPacketsPerSecond, long inBytesPerSecond,
        long outBytesPerSecond) {

    public static final IpvsStats ZERO = new IpvsStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}
