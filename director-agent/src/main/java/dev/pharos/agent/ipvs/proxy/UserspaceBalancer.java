package dev.pharos.agent.ipvs.proxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/// Pharos's user-space L4 balancer: IPVS's virtual services for hosts without kernel IPVS.
///
/// Virtual services (TCP or UDP, VIP:port) and their real servers are added, changed and removed
/// live; a change never drops an open connection. Each new connection (UDP: flow) gets its real
/// server from the service's IPVS scheduler ([dev.pharos.agent.ipvs.proxy.schedulers]), with
/// persistence, a sorry server when no real server can take it, per-service and global
/// connection caps, and `uthreshold`/`lthreshold` per real server.
///
/// **Connection caps.** Every service has one, and so has the balancer as a whole: by default as
/// many connections as the process's descriptor limit allows after a reserve for the rest of the
/// agent ([ConnectionBudget]), so that a flood of idle clients cannot take the descriptors that
/// health checks, the control socket and netlink need. At the cap a new connection is accepted and
/// reset at once (closed with `SO_LINGER` 0), not left unaccepted: an unaccepted connection is
/// already established in the kernel's queue, so its client would wait for an answer that never
/// comes, and the queue, shared by every service of the port, would fill and hold back the others'
/// connections too. The descriptor it takes for a moment comes from the reserve. Refusals are
/// counted per service ([BalancerServiceStats#refusedConnections()]) and logged once per cap and
/// 10 s ([CapLog]). Weight 0 drains a real
/// server; removing one lets its connections finish, or closes them after a grace period.
///
/// **Threads and performance.** TCP runs on relay threads, one per core: on Linux
/// [NativeRelayLoop]s on raw system calls (epoll, `accept4`, `MSG_MORE`), elsewhere — or with
/// [Relay#NIO] — [RelayLoop] selector threads; the log says which. Each
/// loop has its own `SO_REUSEPORT` listening socket per port ([TcpListener], [NativeTcpListener]), and the loop that
/// accepts a connection also connects it to the real server (without blocking) and relays it to
/// the end, so a connection never changes threads. Bytes pass through one shared direct buffer per loop: an idle connection
/// holds no buffer, backpressure is "stop reading this side while the other has pending bytes",
/// half-close is `shutdownOutput` once the pending bytes are out. The first version accepted on a
/// platform thread and connected and relayed on virtual threads, a blocking loop per direction;
/// `bench/balancer` showed it spending clearly more CPU per request than HAProxy (a poller round
/// trip each time a socket had nothing to read), and this design replaced it
/// (`bench/results/balancer.md`). UDP receive loops are named platform threads, each flow's reply
/// path a virtual thread. One housekeeping thread checks connect timeouts (100 ms granularity),
/// sweeps idle connections and UDP flows, expires persistence, retries UDP binds and updates the
/// rate estimators.
///
/// **Ready before the VIP.** TCP listens on the wildcard address and dispatches by the accepted
/// connection's local address ([TcpListener] says why); UDP binds the VIP itself and retries until
/// the address appears ([UdpRelay]).
///
/// Thread-safe: configuration calls may come from any thread.
public final class UserspaceBalancer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(UserspaceBalancer.class.getName());
    /// Housekeeping runs every 100 ms while something needs that granularity (a connection
    /// waiting for its real server's answer, a UDP service waiting for its VIP), every second
    /// otherwise: ten wake-ups a second were most of an idle agent's CPU (bench/rest).
    private static final long FAST_TICK_MILLIS = 100;
    private static final long SLOW_TICK_MILLIS = 1000;
    private static final long ESTIMATE_NANOS = TimeUnit.SECONDS.toNanos(2);

    /// Which TCP relay a balancer runs on.
    public enum Relay {
        /// Raw Linux calls through `java.lang.foreign` ([NativeRelayLoop]): epoll, `accept4`,
        /// `MSG_MORE`; falls back to [#NIO] (logged) where it cannot start, e.g. not on Linux.
        NATIVE,
        /// The JDK's NIO selectors ([RelayLoop]): any platform.
        NIO;

        /// The system property that chooses the default relay: `native` (the default) or `nio`.
        public static final String PROPERTY = "pharos.balancer.relay";

        /// The relay named by [#PROPERTY], [#NATIVE] when unset.
        ///
        /// @throws IllegalArgumentException when the property names neither
        public static Relay fromSystemProperty() {
            var v = System.getProperty(PROPERTY, "native").trim();
            return switch (v) {
                case "native" -> NATIVE;
                case "nio" -> NIO;
                default -> throw new IllegalArgumentException("-D" + PROPERTY + "=" + v
                        + " is not a TCP relay: use native or nio");
            };
        }
    }

    /// Settings of the whole balancer.
    ///
    /// @param connectionLimit most concurrent connections and flows over all services, and the cap
    ///                        of a service that sets none; 0 = derived from the descriptor limit
    ///                        ([ConnectionBudget])
    /// @param bufferSize      bytes read at once per relay direction; also the size of the buffer a
    ///                        direction holds while its destination cannot take more
    /// @param relay           the TCP relay to run on
    public record Settings(int connectionLimit, int bufferSize, Relay relay) {

        public static final Settings DEFAULT = new Settings(0, 32 * 1024);

        public Settings {
            if (connectionLimit < 0) {
                throw new IllegalArgumentException("global connection limit " + connectionLimit + " is negative (0 = from the descriptor limit)");
            }
            if (bufferSize < RelayContext.MIN_BUFFER) {
                throw new IllegalArgumentException("relay buffer size " + bufferSize + " is below "
                        + RelayContext.MIN_BUFFER + " bytes");
            }
            Objects.requireNonNull(relay, "relay");
        }

        /// Settings on the relay [Relay#fromSystemProperty()] names.
        public Settings(int connectionLimit, int bufferSize) {
            this(connectionLimit, bufferSize, Relay.fromSystemProperty());
        }

        /// These settings on relay `r`.
        public Settings withRelay(Relay r) {
            return new Settings(connectionLimit, bufferSize, r);
        }
    }

    private final Object configLock = new Object();
    private final RelayContext context;
    private final Map<ListenKey, LiveService> services = new HashMap<>();
    private final Map<ListenKey, UdpRelay> udpRelays = new HashMap<>();
    private final Map<String, PortListener> tcpListeners = new HashMap<>();
    private final ScheduledExecutorService housekeeping;
    private long lastEstimate = System.nanoTime();
    private boolean closed;

    public UserspaceBalancer() {
        this(Settings.DEFAULT);
    }

    public UserspaceBalancer(Settings settings) {
        this.context = new RelayContext(settings.connectionLimit(), settings.bufferSize(),
                settings.relay() == Relay.NATIVE);
        this.housekeeping = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("pharos-lb-housekeeping").daemon().factory());
        housekeeping.schedule(this::tick, FAST_TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /// Adds a virtual service and starts listening for it (a UDP service whose VIP is not on the
    /// host yet starts when it appears).
    ///
    /// @throws IllegalArgumentException when a service with the same protocol and VIP:port exists
    /// @throws UncheckedIOException when the TCP port cannot be listened on
    void addService(BalancerService service) {
        synchronized (configLock) {
            requireOpen();
            var key = service.key();
            if (services.containsKey(key)) {
                throw new IllegalArgumentException("virtual server " + key + " already exists: update it instead");
            }
            var live = new LiveService(service, System::nanoTime);
            switch (service.protocol()) {
                case TCP -> {
                    var listener = tcpListener(service.listen());
                    listener.services().put(service.listen().getAddress(), live);
                }
                case UDP -> {
                    var relay = new UdpRelay(live, context);
                    relay.tryBind();
                    udpRelays.put(key, relay);
                }
            }
            services.put(key, live);
            LOG.log(System.Logger.Level.INFO, () -> "virtual server " + key + " added, scheduler " + service.scheduler());
        }
    }

    /// Changes a service's settings (scheduler, persistence, sorry server, limits, timeouts) live.
    ///
    /// @throws IllegalArgumentException when there is no service with that protocol and VIP:port
    void updateService(BalancerService service) {
        synchronized (configLock) {
            require(service.key()).update(service);
        }
    }

    /// Stops accepting for a service. Its open TCP connections finish on their own; its UDP flows
    /// end now (their socket is the VIP's).
    ///
    /// @throws IllegalArgumentException when there is no such service
    void removeService(ListenKey key) {
        synchronized (configLock) {
            var live = require(key);
            live.markClosed();
            services.remove(key);
            switch (key.protocol()) {
                case TCP -> {
                    var listenerKey = listenerKey(key.address());
                    var listener = tcpListeners.get(listenerKey);
                    listener.services().remove(key.address().getAddress(), live);
                    if (listener.services().isEmpty()) {
                        tcpListeners.remove(listenerKey);
                        listener.close();
                    }
                }
                case UDP -> udpRelays.remove(key).close();
            }
            LOG.log(System.Logger.Level.INFO, () -> "virtual server " + key + " removed");
        }
    }

    /// @throws IllegalArgumentException when the service is unknown or already has that real server
    void addRealServer(ListenKey key, BalancerRealServer realServer) {
        synchronized (configLock) {
            require(key).addRealServer(realServer);
        }
    }

    /// Changes weight or thresholds live; weight 0 drains (open connections stay, no new ones).
    ///
    /// @throws IllegalArgumentException when the service or the real server is unknown
    void updateRealServer(ListenKey key, BalancerRealServer realServer) {
        synchronized (configLock) {
            require(key).updateRealServer(realServer);
        }
    }

    /// Takes a real server out: new connections go elsewhere, open ones finish on their own.
    void removeRealServer(ListenKey key, InetSocketAddress realServer) {
        synchronized (configLock) {
            require(key).removeRealServer(realServer);
        }
    }

    /// As [#removeRealServer(ListenKey, InetSocketAddress)], closing whatever is still open after
    /// `grace`.
    void removeRealServer(ListenKey key, InetSocketAddress realServer, Duration grace) {
        LiveRealServer removed;
        synchronized (configLock) {
            removed = require(key).removeRealServer(realServer);
        }
        housekeeping.schedule(() -> {
            for (var c : List.copyOf(removed.connections)) {
                c.abort("real server removed, grace of " + grace + " over");
            }
        }, grace.toMillis(), TimeUnit.MILLISECONDS);
    }

    /// Retries binding UDP services whose VIP was missing; call it when an address was added.
    public void addressesChanged() {
        synchronized (configLock) {
            for (var relay : udpRelays.values()) {
                relay.tryBind();
            }
        }
    }

    /// Counters of every service.
    public List<BalancerServiceStats> stats() {
        synchronized (configLock) {
            var out = new ArrayList<BalancerServiceStats>();
            for (var e : services.entrySet()) {
                out.add(e.getValue().stats(listening(e.getKey()), context.serviceCap(e.getValue())));
            }
            return out;
        }
    }

    /// Counters of one service.
    Optional<BalancerServiceStats> stats(ListenKey key) {
        synchronized (configLock) {
            var live = services.get(key);
            return live == null ? Optional.empty() : Optional.of(live.stats(listening(key), context.serviceCap(live)));
        }
    }

    /// Open connections and UDP flows over all services.
    public int openConnections() {
        return context.globalOpen.get();
    }

    /// Connections refused by the global limit or because no service claimed their address.
    public long refusedConnections() {
        return context.globalRefused.sum();
    }

    /// Most connections and flows over all services at once, and the cap of a service that sets
    /// none: the configured limit, else the one derived from the descriptor limit.
    public int connectionCap() {
        return context.globalLimit;
    }

    /// The TCP relay this balancer runs on: [Relay#NIO] when [Relay#NATIVE] was asked for and
    /// could not start.
    public Relay relay() {
        return context.nativeRelay() ? Relay.NATIVE : Relay.NIO;
    }

    /// TCP connections each relay loop has accepted, one entry per loop (for tests and status).
    List<Long> acceptedPerLoop() {
        return context.nativeRelay()
                ? context.nativeLoops().stream().map(NativeRelayLoop::accepted).toList()
                : context.loops().stream().map(RelayLoop::accepted).toList();
    }

    /// Clients bound to a real server by persistence in this service (for tests and status).
    int persistenceEntries(ListenKey key) {
        synchronized (configLock) {
            return require(key).persistenceEntries();
        }
    }

    /// Stops listening, closes every connection, and waits (5 s at most) for them to be released.
    @Override
    public void close() {
        synchronized (configLock) {
            if (closed) {
                return;
            }
            closed = true;
            for (var live : services.values()) {
                live.markClosed();
            }
            for (var l : tcpListeners.values()) {
                l.close();
            }
            for (var r : udpRelays.values()) {
                r.close();
            }
            for (var c : List.copyOf(context.tcpConnections)) {
                c.abort("balancer closing");
            }
        }
        housekeeping.shutdownNow();
        var deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (context.globalOpen.get() > 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        context.closeLoops();
    }

    private void tick() {
        boolean fast = false;
        try {
            var now = System.nanoTime();
            for (var c : context.tcpConnections) {
                fast |= c.connecting();
                c.checkConnectTimeout(now);
                if (now - c.lastActivity() > c.service().config().idleTimeout().toNanos()) {
                    c.abort("idle");
                }
            }
            List<LiveService> live;
            List<UdpRelay> relays;
            List<PortListener> listeners;
            synchronized (configLock) {
                live = List.copyOf(services.values());
                relays = List.copyOf(udpRelays.values());
                listeners = List.copyOf(tcpListeners.values());
            }
            for (var r : relays) {
                r.expire(now);
                fast |= !r.tryBind();
            }
            for (var l : listeners) {
                l.resumeIfPaused();
            }
            for (var s : live) {
                s.expire();
                s.capLog.flush(context.serviceCap(s));
            }
            context.globalCapLog.flush(context.globalLimit);
            if (now - lastEstimate >= ESTIMATE_NANOS) {
                var seconds = (now - lastEstimate) / 1e9;
                lastEstimate = now;
                for (var s : live) {
                    s.estimate(seconds);
                }
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "balancer housekeeping failed; retrying next tick", e);
            fast = true;
        } finally {
            try {
                housekeeping.schedule(this::tick, fast ? FAST_TICK_MILLIS : SLOW_TICK_MILLIS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // closed
            }
        }
    }

    private boolean listening(ListenKey key) {
        return switch (key.protocol()) {
            case TCP -> tcpListeners.containsKey(listenerKey(key.address()));
            case UDP -> udpRelays.get(key).listening();
        };
    }

    private PortListener tcpListener(InetSocketAddress listen) {
        var k = listenerKey(listen);
        var existing = tcpListeners.get(k);
        if (existing != null) {
            return existing;
        }
        try {
            var ipv6 = listen.getAddress() instanceof Inet6Address;
            PortListener l = context.nativeRelay()
                    ? new NativeTcpListener(listen.getPort(), ipv6, context)
                    : new TcpListener(listen.getPort(), ipv6, context);
            tcpListeners.put(k, l);
            return l;
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    private static String listenerKey(InetSocketAddress listen) {
        return (listen.getAddress() instanceof Inet6Address ? "6:" : "4:") + listen.getPort();
    }

    private LiveService require(ListenKey key) {
        var live = services.get(key);
        if (live == null) {
            throw new IllegalArgumentException("no virtual server " + key + ": add it first");
        }
        return live;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the user-space balancer is closed");
        }
    }
}
