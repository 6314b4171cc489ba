package dev.pharos.agent.ipvs;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/// What every listener and relay of one [UserspaceBalancer] shares: the global connection limit,
/// the registry of open connections the housekeeping thread sweeps, buffers and thread factories.
final class RelayContext {

    /// The smallest relay buffer [UserspaceBalancer.Settings] accepts.
    static final int MIN_BUFFER = 4096;

    final int globalLimit;
    final AtomicInteger globalOpen = new AtomicInteger();
    final LongAdder globalRefused = new LongAdder();
    final Set<TcpConnection> tcpConnections = ConcurrentHashMap.newKeySet();
    /// Buffers for bytes a destination could not take yet (shared by all relay loops).
    final BufferPool buffers;
    /// UDP flows' reply threads: one virtual thread each, blocked in a read most of the time.
    final ThreadFactory flowThreads = Thread.ofVirtual().name("pharos-lb-udp-flow-", 0).factory();
    private final RelayLoop[] loops;
    private final AtomicInteger nextLoop = new AtomicInteger();

    RelayContext(int globalLimit, int bufferSize) {
        this.globalLimit = globalLimit;
        // At most 16 MiB kept for reuse; beyond that, buffers go back to the GC.
        this.buffers = new BufferPool(bufferSize, Math.max(16, (16 << 20) / bufferSize));
        // One selector thread per core: each relays its connections without locks.
        this.loops = new RelayLoop[Runtime.getRuntime().availableProcessors()];
        for (int i = 0; i < loops.length; i++) {
            loops[i] = new RelayLoop(i, bufferSize, buffers);
        }
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

    /// A relay loop, round robin (for connections not accepted by a loop, e.g. in tests).
    RelayLoop nextLoop() {
        return loops[Math.floorMod(nextLoop.getAndIncrement(), loops.length)];
    }

    List<RelayLoop> loops() {
        return List.of(loops);
    }

    /// Stops the relay loops; call after every connection is finished.
    void closeLoops() {
        for (var l : loops) {
            l.close();
        }
    }

    void release(LiveService service) {
        service.open.decrementAndGet();
        globalOpen.decrementAndGet();
    }
}
