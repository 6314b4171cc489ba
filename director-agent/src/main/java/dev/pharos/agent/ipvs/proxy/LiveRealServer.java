package dev.pharos.agent.ipvs.proxy;

import dev.pharos.agent.ipvs.proxy.schedulers.MaglevHash;
import java.net.InetAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/// A real server while the balancer runs: its settings, connection counts and counters. It is the
/// [dev.pharos.agent.ipvs.proxy.schedulers.Candidate] its service's scheduler reads, so scheduling
/// copies nothing.
final class LiveRealServer implements MaglevHash.Addressed {

    private volatile BalancerRealServer config;
    private volatile int lastWeight;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger inactive = new AtomicInteger();
    private volatile boolean overloadFlag;
    private volatile boolean removed;
    final TrafficCounters counters = new TrafficCounters();
    final Set<BalancedConnection> connections = ConcurrentHashMap.newKeySet();

    LiveRealServer(BalancerRealServer config) {
        this.config = config;
        this.lastWeight = config.weight();
    }

    BalancerRealServer config() {
        return config;
    }

    void update(BalancerRealServer newConfig) {
        config = newConfig;
        if (newConfig.weight() > 0) {
            lastWeight = newConfig.weight();
        }
        updateOverload();
    }

    @Override
    public int weight() {
        return config.weight();
    }

    @Override
    public int lastWeight() {
        return lastWeight;
    }

    @Override
    public int activeConnections() {
        return active.get();
    }

    @Override
    public int inactiveConnections() {
        return inactive.get();
    }

    @Override
    public boolean overloaded() {
        return overloadFlag;
    }

    @Override
    public InetAddress address() {
        return config.address().getAddress();
    }

    @Override
    public int port() {
        return config.address().getPort();
    }

    boolean removed() {
        return removed;
    }

    void markRemoved() {
        removed = true;
    }

    /// A new connection, counted inactive until established (IPVS counts SYN_RECV as inactive).
    void opened(BalancedConnection c) {
        inactive.incrementAndGet();
        counters.connections.increment();
        connections.add(c);
        updateOverload();
    }

    void established() {
        inactive.decrementAndGet();
        active.incrementAndGet();
    }

    /// One direction finished: the connection leaves the established state.
    void halfClosed() {
        active.decrementAndGet();
        inactive.incrementAndGet();
    }

    void closed(BalancedConnection c, boolean wasActive) {
        (wasActive ? active : inactive).decrementAndGet();
        connections.remove(c);
        updateOverload();
    }

    /// The kernel's `IP_VS_DEST_F_OVERLOAD` hysteresis (`ip_vs_bind_dest`/`ip_vs_unbind_dest`):
    /// set at `u_threshold` connections, cleared below `l_threshold`, or below three quarters of
    /// `u_threshold` when no `l_threshold` is given.
    private void updateOverload() {
        var c = config;
        var total = active.get() + inactive.get();
        if (c.upperThreshold() == 0) {
            overloadFlag = false;
        } else if (total >= c.upperThreshold()) {
            overloadFlag = true;
        } else if (overloadFlag) {
            var below = c.lowerThreshold() > 0 ? total < c.lowerThreshold() : total * 4 < c.upperThreshold() * 3;
            if (below) {
                overloadFlag = false;
            }
        }
    }

    BalancerRealServerStats stats() {
        var c = config;
        return new BalancerRealServerStats(c.address(), c.weight(), overloadFlag, active.get(), inactive.get(),
                counters.connections.sum(), counters.bytesIn.sum(), counters.bytesOut.sum(),
                counters.packetsIn.sum(), counters.packetsOut.sum(), counters.rates());
    }
}
