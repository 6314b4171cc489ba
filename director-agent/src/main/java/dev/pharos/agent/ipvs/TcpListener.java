package dev.pharos.agent.ipvs;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/// The TCP listener of one port and address family, shared by every TCP virtual service on that
/// port: it listens on the wildcard address and hands each accepted connection to the service
/// whose virtual address is the connection's local address (or to a service on the wildcard
/// address).
///
/// Why the wildcard: a director must be ready to serve a VIP the instant VRRP adds it, and Java
/// has no `IP_FREEBIND` to bind an address the host does not have yet. A global
/// `net.ipv4.ip_nonlocal_bind` would change every program on the host, and a retry-bind after the
/// address appears would refuse the first connections of a failover. A wildcard socket accepts
/// for the VIP from its first packet; connections to addresses no service claims are closed at
/// once. The cost: the port must be free on every address of the host.
final class TcpListener implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(TcpListener.class.getName());

    private final int port;
    private final ServerSocketChannel socket;
    private final InetAddress wildcard;
    private final RelayContext context;
    private final Thread acceptor;
    final ConcurrentHashMap<InetAddress, LiveService> services = new ConcurrentHashMap<>();

    /// @throws IOException when the port cannot be bound (in use on some address of the host)
    TcpListener(int port, boolean ipv6, RelayContext context) throws IOException {
        this.port = port;
        this.context = context;
        ProtocolFamily family = ipv6 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
        this.wildcard = InetAddress.getByName(ipv6 ? "::" : "0.0.0.0");
        var ch = ServerSocketChannel.open(family);
        try {
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            ch.bind(new InetSocketAddress(wildcard, port), 4096);
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot listen on " + (ipv6 ? "[::]" : "0.0.0.0") + ":" + port + " (" + e.getMessage()
                    + "): the user-space balancer needs the port free on every address; stop what uses it", e);
        }
        this.socket = ch;
        this.acceptor = Thread.ofPlatform().name("pharos-lb-accept-tcp-" + port).daemon().start(this::acceptLoop);
    }

    /// The bound port (useful when a test asked for an ephemeral one).
    int port() {
        return port;
    }

    private void acceptLoop() {
        var failures = 0;
        while (socket.isOpen()) {
            SocketChannel ch;
            try {
                ch = socket.accept();
                failures = 0;
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                // EMFILE/ENFILE: back off a little so the loop does not spin while descriptors are short.
                if (failures++ % 100 == 0) {
                    LOG.log(System.Logger.Level.WARNING, () -> "accept on port " + port + " failed: " + e.getMessage()
                            + "; raise the file-descriptor limit (LimitNOFILE) or lower the connection limits");
                }
                parkBriefly();
                continue;
            }
            dispatch(ch);
        }
    }

    private void dispatch(SocketChannel ch) {
        try {
            var local = (InetSocketAddress) ch.getLocalAddress();
            var remote = (InetSocketAddress) ch.getRemoteAddress();
            var localAddress = local.getAddress();
            var service = services.get(localAddress);
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
            var loop = context.nextLoop();
            var conn = new TcpConnection(ch, remote, local, service, context, loop);
            context.tcpConnections.add(conn);
            loop.execute(conn::start);
        } catch (IOException e) {
            // The client left before we looked at it.
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing more to release
            }
        }
    }

    private static void parkBriefly() {
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }

    boolean isIpv6() {
        return wildcard instanceof Inet6Address;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "closing listener on port " + port + ": " + e.getMessage());
        }
        try {
            acceptor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
