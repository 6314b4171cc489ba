package dev.pharos.agent.ipvs.proxy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/// The TCP listener of one port and address family, shared by every TCP virtual service on that
/// port: it listens on the wildcard address and hands each accepted connection to the service
/// whose virtual address is the connection's local address (or to a service on the wildcard
/// address).
///
/// Why the wildcard: a director must be ready to serve a VIP the instant VRRP adds it, and Java
/// has no `IP_FREEBIND` to bind an address the host does not have yet. A global
/// `net.ipv4.ip_nonlocal_bind` would change every program on the host, and a retry-bind after the
/// address appears would refuse the first connections of a failover. A wildcard socket accepts
/// for the VIP from its first packet; connections to addresses no service claims are reset at
/// once. The cost: the port must be free on every address of the host. An IPv6 listener on `::`
/// takes IPv4 too (Java cannot set `IPV6_V6ONLY`), so IPv4 and IPv6 services cannot share a port;
/// adding the second fails with a message naming the port.
///
/// One listening socket per [RelayLoop], all bound to the port with `SO_REUSEPORT`: the kernel
/// spreads incoming connections over them by a hash of the connection's addresses, each socket is
/// registered with its own loop only, and the connection stays on that loop for its whole life,
/// so no thread hands it over. Why not one socket watched by every loop: epoll then wakes every
/// loop for each new connection and all but one find nothing to accept — `bench/balancer` showed
/// it as an `accept` → `EAGAIN` and a wasted wake-up on another core per connection.
/// `SO_REUSEPORT` would also let any other socket of the same user join the port silently, so
/// before binding, a probe socket without it checks that the port is free. When accepting fails
/// for want of file descriptors the loop's socket pauses until the next housekeeping tick instead
/// of spinning.
final class TcpListener implements LoopHandler, PortListener {

    private static final System.Logger LOG = System.getLogger(TcpListener.class.getName());
    private static final int ACCEPTS_PER_WAKEUP = 32;

    private final int port;
    /// One per relay loop, in the order of [RelayContext#loops()].
    private final List<ServerSocketChannel> sockets;
    private final InetAddress wildcard;
    private final RelayContext context;
    private final AtomicInteger failures = new AtomicInteger();
    private volatile boolean paused;
    private final ConcurrentHashMap<InetAddress, LiveService> services = new ConcurrentHashMap<>();

    /// @throws IOException when the port cannot be bound (in use on some address of the host)
    TcpListener(int port, boolean ipv6, RelayContext context) throws IOException {
        this.port = port;
        this.context = context;
        ProtocolFamily family = ipv6 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
        this.wildcard = InetAddress.getByName(ipv6 ? "::" : "0.0.0.0");
        var where = (ipv6 ? "[::]" : "0.0.0.0") + ":" + port;
        var bindTo = new InetSocketAddress(wildcard, port);
        // The probe: fails when anything, with or without SO_REUSEPORT, holds the port.
        try (var probe = ServerSocketChannel.open(family)) {
            probe.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            probe.bind(bindTo, 1);
        } catch (IOException e) {
            throw new IOException("cannot listen on " + where + " (" + e.getMessage()
                    + "): the user-space balancer needs the port free on every address; stop what uses it", e);
        }
        var loops = context.loops();
        var opened = new ArrayList<ServerSocketChannel>(loops.size());
        try {
            for (int i = 0; i < loops.size(); i++) {
                var ch = ServerSocketChannel.open(family);
                opened.add(ch);
                ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                ch.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                ch.bind(bindTo, 4096);
                ch.configureBlocking(false);
            }
        } catch (IOException | UnsupportedOperationException e) {
            for (var ch : opened) {
                ch.close();
            }
            throw new IOException("cannot listen on " + where + " with SO_REUSEPORT (" + e.getMessage()
                    + "): another program took the port just now; stop what uses it", e);
        }
        this.sockets = List.copyOf(opened);
        for (int i = 0; i < loops.size(); i++) {
            var loop = loops.get(i);
            var socket = sockets.get(i);
            loop.execute(() -> {
                try {
                    socket.register(loop.selector(), SelectionKey.OP_ACCEPT, this);
                } catch (ClosedChannelException e) {
                    // Closed before this loop got to it.
                }
            });
        }
    }

    @Override
    public ConcurrentHashMap<InetAddress, LiveService> services() {
        return services;
    }

    @Override
    public void onReady(SelectionKey key, RelayLoop loop) {
        var socket = (ServerSocketChannel) key.channel();
        for (int i = 0; i < ACCEPTS_PER_WAKEUP; i++) {
            SocketChannel ch;
            try {
                ch = socket.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                // EMFILE/ENFILE: stop accepting on this loop until the next housekeeping tick.
                if (failures.getAndIncrement() % 100 == 0) {
                    LOG.log(System.Logger.Level.WARNING, () -> "accept on port " + port + " failed: " + e.getMessage()
                            + "; raise the file-descriptor limit (LimitNOFILE) or lower the connection limits");
                }
                key.interestOps(0);
                paused = true;
                return;
            }
            if (ch == null) {
                return;   // nothing more is queued
            }
            loop.countAccepted();
            dispatch(ch, loop);
        }
    }

    @Override
    public void resumeIfPaused() {
        if (!paused) {
            return;
        }
        paused = false;
        var loops = context.loops();
        for (int i = 0; i < loops.size(); i++) {
            var loop = loops.get(i);
            var socket = sockets.get(i);
            loop.execute(() -> {
                var key = socket.keyFor(loop.selector());
                if (key != null && key.isValid()) {
                    key.interestOps(SelectionKey.OP_ACCEPT);
                }
            });
        }
    }

    private void dispatch(SocketChannel ch, RelayLoop loop) {
        try {
            var local = (InetSocketAddress) ch.getLocalAddress();
            var remote = (InetSocketAddress) ch.getRemoteAddress();
            var service = services.get(local.getAddress());
            if (service == null) {
                service = services.get(wildcard);
            }
            if (service == null || service.closed() || !context.admit(service)) {
                if (service == null) {
                    context.globalRefused.increment();
                }
                ch.setOption(StandardSocketOptions.SO_LINGER, 0);
                ch.close();
                return;
            }
            var conn = new TcpConnection(ch, remote, local, service, context, loop);
            context.tcpConnections.add(conn);
            conn.start();
        } catch (IOException e) {
            // The client left before we looked at it.
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing more to release
            }
        }
    }

    @Override
    public void loopClosing() {
        // The socket itself is closed by close(); nothing is held per loop.
    }

    @Override
    public void close() {
        for (var socket : sockets) {
            try {
                socket.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> "closing listener on port " + port + ": " + e.getMessage());
            }
        }
        // Wake every loop so it drops its cancelled key and the socket is released now.
        for (var loop : context.loops()) {
            loop.execute(() -> { });
        }
    }
}
