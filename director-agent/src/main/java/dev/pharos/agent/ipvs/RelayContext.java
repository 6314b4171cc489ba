package dev.pharos.agent.ipvs;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/// What every listener and relay of one [UserspaceBalancer] shares: the global connection limit,
/// the registry of open connections the housekeeping thread sweeps, buffers and thread factories.
final class RelayContext {

    static final int SMALL_BUFFER = 4096;

    final int globalLimit;
    final AtomicInteger globalOpen = new AtomicInteger();
    final LongAdder globalRefused = new LongAdder();
    final Set<TcpConnection> tcpConnections = ConcurrentHashMap.newKeySet();
    /// Large buffers for bulk transfers, and the small ones every relay direction starts with.
    final BufferPool buffers;
    final BufferPool smallBuffers;
    /// One virtual thread per relay direction: the JDK parks it in its poller while the socket
    /// has nothing to read or no room to write, which gives backpressure for free.
    final ThreadFactory relayThreads = Thread.ofVirtual().name("pharos-lb-relay-", 0).factory();

    RelayContext(int globalLimit, int bufferSize) {
        this.globalLimit = globalLimit;
        // At most 16 MiB of each kind kept for reuse; beyond that, buffers go back to the GC.
        this.buffers = new BufferPool(bufferSize, Math.max(16, (16 << 20) / bufferSize));
        this.smallBuffers = new BufferPool(SMALL_BUFFER, (16 << 20) / SMALL_BUFFER);
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
