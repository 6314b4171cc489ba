package dev.pharos.agent.ipvs;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/// What every listener and relay of one [UserspaceBalancer] shares: the global connection limit,
/// the registry of open connections the housekeeping thread sweeps, buffers and thread factories.
final class RelayContext {

    final int globalLimit;
    final AtomicInteger globalOpen = new AtomicInteger();
    final LongAdder globalRefused = new LongAdder();
    final Set<TcpConnection> tcpConnections = ConcurrentHashMap.newKeySet();
    final BufferPool buffers;
    /// One virtual thread per relay direction: the JDK parks it in its poller while the socket
    /// has nothing to read or no room to write, which gives backpressure for free.
    final ThreadFactory relayThreads = Thread.ofVirtual().name("pharos-lb-relay-", 0).factory();

    RelayContext(int globalLimit, int bufferSize) {
        this.globalLimit = globalLimit;
        this.buffers = new BufferPool(bufferSize, 4096);
    }

    /// Reserves one connection under the global and the service's limit; false when either is full.
    boolean admit(LiveService service) {
        if (globalLimit > 0 && globalOpen.incrementAndGet() > globalLimit) {
            globalOpen.decrementAndGet();
            globalRefused.increment();
            service.refused.increment();
            return false;
        } else if (globalLimit == 0) {
            globalOpen.incrementAndGet();
        }
        var limit = service.config().connectionLimit();
        if (service.open.incrementAndGet() > limit && limit > 0) {
            service.open.decrementAndGet();
            globalOpen.decrementAndGet();
            service.refused.increment();
            return false;
        }
        service.counters.connections.increment();
        return true;
    }

    void release(LiveService service) {
        service.open.decrementAndGet();
        globalOpen.decrementAndGet();
    }
}
