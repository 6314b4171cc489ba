package dev.pharos.agent.ipvs.proxy;

import dev.pharos.agent.linux.NativeBuffer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/// What every listener and relay of one [UserspaceBalancer] shares: the connection caps, the
/// registry of open connections the housekeeping thread sweeps, buffers and thread factories.
final class RelayContext {

    private static final System.Logger LOG = System.getLogger(RelayContext.class.getName());

    /// The smallest relay buffer [UserspaceBalancer.Settings] accepts.
    static final int MIN_BUFFER = 4096;

    /// Most connections over all services: the configured limit, else [ConnectionBudget#cap()].
    final int globalLimit;
    /// The cap of a service that sets none: the whole budget, so that one service may use every
    /// descriptor the balancer may (the operator knows better which service deserves less).
    final int defaultServiceCap;
    final AtomicInteger globalOpen = new AtomicInteger();
    final LongAdder globalRefused = new LongAdder();
    final CapLog globalCapLog = new CapLog("the user-space balancer (all virtual servers)", System::nanoTime);
    final Set<RelayedConnection> tcpConnections = ConcurrentHashMap.newKeySet();
    /// Buffers for bytes a destination could not take yet (shared by all relay loops).
    final BufferPool<ByteBuffer> buffers;
    final BufferPool<NativeBuffer> nativeBuffers;
    /// UDP flows' reply threads: one virtual thread each, blocked in a read most of the time.
    final ThreadFactory flowThreads = Thread.ofVirtual().name("pharos-lb-udp-flow-", 0).factory();
    /// Exactly one of the two is non-empty: the relay this balancer runs on.
    private final RelayLoop[] loops;
    private final NativeRelayLoop[] nativeLoops;
    private final AtomicInteger nextLoop = new AtomicInteger();

    /// A context on the NIO relay.
    RelayContext(int globalLimit, int bufferSize) {
        this(globalLimit, bufferSize, false);
    }

    /// A context on the native relay when `preferNative` and it can start (Linux, epoll), else on
    /// the NIO relay; the log says which and why.
    ///
    /// @param globalLimit most connections over all services; 0 = this process's [ConnectionBudget]
    RelayContext(int globalLimit, int bufferSize, boolean preferNative) {
        var budget = ConnectionBudget.ofThisProcess();
        this.globalLimit = globalLimit > 0 ? globalLimit : budget.cap();
        this.defaultServiceCap = this.globalLimit;
        LOG.log(System.Logger.Level.INFO, () -> globalLimit > 0
                ? "connection cap: " + globalLimit + " over all virtual servers (configured)"
                : "connection cap: " + budget.cap() + " per virtual server and over all of them (" + budget.explain() + ")");
        // At most 16 MiB kept for reuse; beyond that, buffers go back to the GC.
        int maxPooled = Math.max(16, (16 << 20) / bufferSize);
        this.buffers = new BufferPool<>(() -> ByteBuffer.allocateDirect(bufferSize), ByteBuffer::clear, maxPooled);
        this.nativeBuffers = new BufferPool<>(() -> NativeBuffer.allocate(bufferSize), NativeBuffer::clear, maxPooled);
        // One relay thread per core: each relays its connections without locks.
        int count = Runtime.getRuntime().availableProcessors();
        var natives = preferNative ? startNative(count, bufferSize) : null;
        if (natives != null) {
            this.nativeLoops = natives;
            this.loops = new RelayLoop[0];
            LOG.log(System.Logger.Level.INFO, "TCP relay: native (epoll, {0} threads)", count);
        } else {
            this.nativeLoops = new NativeRelayLoop[0];
            this.loops = new RelayLoop[count];
            for (int i = 0; i < loops.length; i++) {
                loops[i] = new RelayLoop(i, bufferSize, buffers);
            }
            LOG.log(System.Logger.Level.INFO, "TCP relay: NIO ({0} threads){1}", count,
                    preferNative ? ", the native relay could not start" : "");
        }
    }

    /// The native loops, or null (logged) when they cannot start here.
    private NativeRelayLoop[] startNative(int count, int bufferSize) {
        var started = new NativeRelayLoop[count];
        int i = 0;
        try {
            for (; i < count; i++) {
                started[i] = new NativeRelayLoop(i, bufferSize, nativeBuffers);
            }
            return started;
        } catch (IOException | RuntimeException | LinkageError e) {
            // Expected off Linux (the lab on a laptop); anywhere else it is worth a warning.
            var level = e instanceof UnsupportedOperationException ? System.Logger.Level.INFO : System.Logger.Level.WARNING;
            LOG.log(level, "the native TCP relay cannot start ({0}); using the JDK''s NIO relay",
                    e.getMessage() != null ? e.getMessage() : e.toString());
            for (int j = 0; j < i; j++) {
                started[j].close();
            }
            return null;
        }
    }

    /// Whether this context relays TCP on raw Linux calls ([NativeRelayLoop]) rather than NIO.
    boolean nativeRelay() {
        return nativeLoops.length > 0;
    }

    /// The cap of `service`: its own limit, else [#defaultServiceCap].
    int serviceCap(LiveService service) {
        var own = service.config().connectionLimit();
        return own > 0 ? own : defaultServiceCap;
    }

    /// Reserves one connection under the service's cap and the global one; false (counted and
    /// logged, [CapLog]) when either is full. The service's comes first so that a single flooded
    /// service is named in the log rather than the balancer as a whole.
    boolean admit(LiveService service) {
        int cap = serviceCap(service);
        if (service.open.incrementAndGet() > cap) {
            service.open.decrementAndGet();
            service.refused.increment();
            service.capLog.refused(cap);
            return false;
        }
        if (globalOpen.incrementAndGet() > globalLimit) {
            globalOpen.decrementAndGet();
            service.open.decrementAndGet();
            globalRefused.increment();
            service.refused.increment();
            globalCapLog.refused(globalLimit);
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

    List<NativeRelayLoop> nativeLoops() {
        return List.of(nativeLoops);
    }

    /// Stops the relay loops; call after every connection is finished.
    void closeLoops() {
        for (var l : loops) {
            l.close();
        }
        for (var l : nativeLoops) {
            l.close();
        }
    }

    void release(LiveService service) {
        service.open.decrementAndGet();
        globalOpen.decrementAndGet();
    }
}
