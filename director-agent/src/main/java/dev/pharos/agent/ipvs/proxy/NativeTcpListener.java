package dev.pharos.agent.ipvs.proxy;

import dev.pharos.agent.linux.Epoll;
import dev.pharos.agent.linux.NativeException;
import dev.pharos.agent.linux.TcpSockets;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/// The native relay's listener of one port and address family: [TcpListener]'s design (the
/// wildcard address, one `SO_REUSEPORT` socket per loop after a probe without it, dispatch by the
/// accepted connection's local address, a pause when out of descriptors) on [TcpSockets].
///
/// The listening sockets carry `TCP_NODELAY`, which accepted sockets inherit: one `setsockopt`
/// per connection fewer. Each is registered level-triggered with its own loop, so a loop that
/// stops after [#ACCEPTS_PER_WAKEUP] accepts is woken again for the rest.
final class NativeTcpListener implements NativeLoopHandler, PortListener {

    private static final System.Logger LOG = System.getLogger(NativeTcpListener.class.getName());
    private static final int ACCEPTS_PER_WAKEUP = 32;

    private final int port;
    /// One listening descriptor per loop, in the order of [RelayContext#nativeLoops()].
    private final int[] fds;
    private final InetAddress wildcard;
    private final RelayContext context;
    private final AtomicInteger failures = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, LiveService> services = new ConcurrentHashMap<>();
    private volatile boolean paused;
    private volatile boolean closed;

    /// @throws IOException when the port cannot be bound (in use on some address of the host)
    NativeTcpListener(int port, boolean ipv6, RelayContext context) throws IOException {
        this.port = port;
        this.context = context;
        this.wildcard = InetAddress.getByName(ipv6 ? "::" : "0.0.0.0");
        var where = (ipv6 ? "[::]" : "0.0.0.0") + ":" + port;
        var bindTo = new InetSocketAddress(wildcard, port);
        var loops = context.nativeLoops();
        this.fds = new int[loops.size()];
        // This thread's own call memory: the loops' belongs to their threads.
        try (var sockets = TcpSockets.open()) {
            // The probe: fails when anything, with or without SO_REUSEPORT, holds the port.
            try {
                sockets.close(sockets.listen(bindTo, false, false, 1));
            } catch (NativeException e) {
                throw new IOException("cannot listen on " + where + " (" + e.getMessage()
                        + "): the user-space balancer needs the port free on every address; stop what uses it", e);
            }
            int opened = 0;
            try {
                for (; opened < fds.length; opened++) {
                    fds[opened] = sockets.listen(bindTo, true, false, 4096);
                }
            } catch (NativeException e) {
                for (int i = 0; i < opened; i++) {
                    sockets.close(fds[i]);
                }
                throw new IOException("cannot listen on " + where + " with SO_REUSEPORT (" + e.getMessage()
                        + "): another program took the port just now; stop what uses it", e);
            }
        }
        for (int i = 0; i < fds.length; i++) {
            var loop = loops.get(i);
            int fd = fds[i];
            loop.execute(() -> {
                if (closed) {
                    return;   // close() queued the close of fd behind this task
                }
                try {
                    loop.register(fd, Epoll.IN, this);
                } catch (NativeException e) {
                    LOG.log(System.Logger.Level.ERROR, () -> "port " + port + ": a relay thread cannot watch its"
                            + " listening socket (" + e.getMessage() + "); it takes no connections of this port");
                }
            });
        }
    }

    @Override
    public ConcurrentHashMap<InetAddress, LiveService> services() {
        return services;
    }

    @Override
    public void onEvent(int fd, int events, NativeRelayLoop loop) {
        var sockets = loop.sockets;
        for (int i = 0; i < ACCEPTS_PER_WAKEUP; i++) {
            int client;
            try {
                client = sockets.accept(fd);
            } catch (NativeException e) {
                // EMFILE/ENFILE: stop accepting on this loop until the next housekeeping tick.
                if (failures.getAndIncrement() % 100 == 0) {
                    LOG.log(System.Logger.Level.WARNING, () -> "accept on port " + port + " failed: " + e.getMessage()
                            + "; raise the file-descriptor limit (LimitNOFILE) or lower the connection limits");
                }
                try {
                    loop.modify(fd, 0);
                    paused = true;
                } catch (NativeException m) {
                    LOG.log(System.Logger.Level.WARNING, () -> "port " + port + ": cannot pause accepting: " + m.getMessage());
                }
                return;
            }
            if (client < 0) {
                return;   // nothing more is queued
            }
            loop.countAccepted();
            dispatch(client, loop);
        }
    }

    private void dispatch(int fd, NativeRelayLoop loop) {
        var sockets = loop.sockets;
        InetSocketAddress remote;
        InetSocketAddress local;
        try {
            remote = sockets.acceptedPeer();   // before localAddress(), which reuses the address memory
            local = sockets.localAddress(fd);
        } catch (NativeException e) {
            sockets.close(fd);   // the client left before we looked at it
            return;
        }
        var service = services.get(local.getAddress());
        if (service == null) {
            service = services.get(wildcard);
        }
        if (service == null || service.closed() || !context.admit(service)) {
            if (service == null) {
                context.globalRefused.increment();
            }
            sockets.setLingerZero(fd);
            sockets.close(fd);
            return;
        }
        var conn = new NativeTcpConnection(fd, remote, local, service, context, loop);
        context.tcpConnections.add(conn);
        conn.start();
    }

    @Override
    public void resumeIfPaused() {
        if (!paused) {
            return;
        }
        paused = false;
        var loops = context.nativeLoops();
        for (int i = 0; i < loops.size(); i++) {
            var loop = loops.get(i);
            int fd = fds[i];
            loop.execute(() -> {
                if (closed) {
                    return;
                }
                try {
                    loop.modify(fd, Epoll.IN);
                } catch (NativeException e) {
                    LOG.log(System.Logger.Level.WARNING, () -> "port " + port + ": cannot resume accepting: " + e.getMessage());
                }
            });
        }
    }

    @Override
    public void loopClosing(int fd, NativeRelayLoop loop) {
        loop.closeFd(fd);
    }

    /// Closes each loop's socket on that loop's thread (a descriptor is closed only where it is
    /// used, so its number cannot be reused under a running call) and returns once they are
    /// closed, as the NIO listener does: a service added again on this port right after finds it
    /// free. Waits 5 s at most (a loop that stopped closed its socket itself).
    @Override
    public void close() {
        closed = true;
        var loops = context.nativeLoops();
        var done = new CountDownLatch(loops.size());
        for (int i = 0; i < loops.size(); i++) {
            var loop = loops.get(i);
            int fd = fds[i];
            loop.execute(() -> {
                loop.closeFd(fd);
                done.countDown();
            });
        }
        try {
            if (!done.await(5, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, () -> "port " + port
                        + ": a relay thread did not close its listening socket within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
