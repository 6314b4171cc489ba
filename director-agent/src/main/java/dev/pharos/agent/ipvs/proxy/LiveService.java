package dev.pharos.agent.ipvs.proxy;

import dev.pharos.agent.ipvs.proxy.schedulers.Flow;
import dev.pharos.agent.ipvs.proxy.schedulers.Scheduler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/// A virtual service while the balancer runs: its real servers in the order they were added, the
/// scheduler over them, persistence, the sorry server, and counters.
///
/// One lock per service serialises scheduling and table changes, as the kernel's
/// `svc->sched_lock` does; connection counts are atomics read without it.
final class LiveService {

    /// The real server chosen for one connection, and the persistence key it holds (or `null`).
    record Selection(LiveRealServer server, InetAddress persistenceKey, boolean sorry) {
    }

    private final Object lock = new Object();
    private final LongSupplier nanoClock;
    private volatile BalancerService config;
    private final List<LiveRealServer> servers = new ArrayList<>();
    private volatile List<LiveRealServer> serversView = List.of();
    private Scheduler scheduler;
    private final PersistenceTable persistence = new PersistenceTable();
    private volatile LiveRealServer sorry;
    final TrafficCounters counters = new TrafficCounters();
    final AtomicInteger open = new AtomicInteger();
    final LongAdder refused = new LongAdder();
    final CapLog capLog;
    private volatile boolean closed;

    LiveService(BalancerService config, LongSupplier nanoClock) {
        this.config = config;
        this.nanoClock = nanoClock;
        this.capLog = new CapLog("virtual server " + config.key(), nanoClock);
        this.scheduler = Scheduler.create(config.scheduler(), config.schedulerFlags(), servers);
        this.sorry = config.sorryServer() == null ? null : new LiveRealServer(BalancerRealServer.of(config.sorryServer(), 1));
    }

    BalancerService config() {
        return config;
    }

    boolean closed() {
        return closed;
    }

    void markClosed() {
        closed = true;
    }

    /// Applies new settings (same key) without touching open connections.
    void update(BalancerService next) {
        synchronized (lock) {
            var prev = config;
            config = next;
            if (!prev.scheduler().equals(next.scheduler()) || !prev.schedulerFlags().equals(next.schedulerFlags())) {
                scheduler = Scheduler.create(next.scheduler(), next.schedulerFlags(), servers);
            }
            if (!prev.persistence().equals(next.persistence())) {
                persistence.clear();
            }
            if (!Objects.equals(prev.sorryServer(), next.sorryServer())) {
                sorry = next.sorryServer() == null ? null : new LiveRealServer(BalancerRealServer.of(next.sorryServer(), 1));
            }
        }
    }

    /// @throws IllegalArgumentException when a real server with that address is already there
    void addRealServer(BalancerRealServer rs) {
        synchronized (lock) {
            if (find(rs.address()) != null) {
                throw new IllegalArgumentException("virtual server " + config.key() + ": real server "
                        + rs.address() + " is already there: update it instead");
            }
            servers.add(new LiveRealServer(rs));
            changed();
        }
    }

    /// @throws IllegalArgumentException when there is no such real server
    void updateRealServer(BalancerRealServer rs) {
        synchronized (lock) {
            var live = require(rs.address());
            // Weight 0 keeps the persistence entries: IPVS lets persistent clients reach a quiescent
            // server (its expire_quiescent_template is 0 by default), so a drain keeps them.
            live.update(rs);
            changed();
        }
    }

    /// Takes the real server out of scheduling; its open connections go on until they end.
    ///
    /// @throws IllegalArgumentException when there is no such real server
    LiveRealServer removeRealServer(InetSocketAddress address) {
        synchronized (lock) {
            var live = require(address);
            servers.remove(live);
            live.markRemoved();
            persistence.forget(live);
            changed();
            return live;
        }
    }

    /// Chooses the real server for a new connection: the client's persistent one if it has one,
    /// else the scheduler's pick, else the sorry server; `null` when none can take it. There is
    /// one choice per connection, as in IPVS: if the chosen server does not accept, the
    /// connection fails rather than trying another (the checker, not the data path, takes a
    /// failed server out).
    Selection choose(Flow flow) {
        var cfg = config;
        synchronized (lock) {
            var now = nanoClock.getAsLong();
            InetAddress key = null;
            if (cfg.persistence().enabled()) {
                key = cfg.persistence().mask(flow.client());
                var bound = persistence.lookup(key, now, cfg.persistence().timeout().toNanos());
                if (bound != null) {   // even overloaded, as the kernel's ip_vs_sched_persist
                    persistence.bind(key, bound, now);
                    return new Selection(bound, key, false);
                }
            }
            var pick = scheduler.schedule(servers, flow);
            if (pick >= 0) {
                var chosen = servers.get(pick);
                if (key != null) {
                    persistence.bind(key, chosen, now);
                }
                return new Selection(chosen, key, false);
            }
            var sorryServer = sorry;
            if (sorryServer != null) {
                return new Selection(sorryServer, null, true);
            }
            return null;
        }
    }

    /// The connection chosen with `selection` ended, whether the real server accepted it or not: a
    /// refusal leaves the client's persistence entry in place, as IPVS's template stays.
    void release(Selection selection) {
        if (selection.persistenceKey() == null) {
            return;
        }
        synchronized (lock) {
            persistence.release(selection.persistenceKey(), selection.server(), nanoClock.getAsLong());
        }
    }

    /// Housekeeping: drops persistence entries past their timeout.
    void expire() {
        var cfg = config;
        if (!cfg.persistence().enabled()) {
            return;
        }
        synchronized (lock) {
            persistence.expire(nanoClock.getAsLong(), cfg.persistence().timeout().toNanos());
        }
    }

    int persistenceEntries() {
        synchronized (lock) {
            return persistence.size();
        }
    }

    List<LiveRealServer> realServers() {
        return serversView;
    }

    void estimate(double seconds) {
        counters.estimate(seconds);
        for (var s : serversView) {
            s.counters.estimate(seconds);
        }
        var sorryServer = sorry;
        if (sorryServer != null) {
            sorryServer.counters.estimate(seconds);
        }
    }

    BalancerServiceStats stats(boolean listening, int connectionCap) {
        var list = new ArrayList<BalancerRealServerStats>();
        int active = 0;
        int inactive = 0;
        for (var s : serversView) {
            var st = s.stats();
            list.add(st);
            active += st.activeConnections();
            inactive += st.inactiveConnections();
        }
        var sorryServer = sorry;
        var sorryStats = sorryServer == null ? null : sorryServer.stats();
        if (sorryStats != null) {
            active += sorryStats.activeConnections();
            inactive += sorryStats.inactiveConnections();
        }
        return new BalancerServiceStats(config, listening, active, inactive, counters.connections.sum(),
                counters.bytesIn.sum(), counters.bytesOut.sum(), counters.packetsIn.sum(), counters.packetsOut.sum(),
                refused.sum(), counters.rates(), list, sorryStats, connectionCap);
    }

    private void changed() {
        serversView = List.copyOf(servers);
        scheduler.destinationsChanged(servers);
    }

    private LiveRealServer find(InetSocketAddress address) {
        for (var s : servers) {
            if (s.config().address().equals(address)) {
                return s;
            }
        }
        return null;
    }

    private LiveRealServer require(InetSocketAddress address) {
        var live = find(address);
        if (live == null) {
            throw new IllegalArgumentException("virtual server " + config.key() + " has no real server " + address
                    + ": add it first");
        }
        return live;
    }
}
