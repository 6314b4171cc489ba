package dev.pharos.agent.ipvs.proxy;

import dev.pharos.agent.api.Addresses;
import dev.pharos.agent.ipvs.proxy.schedulers.Flow;
import java.io.IOException;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.ConcurrentHashMap;

/// The UDP side of one virtual service: datagrams to VIP:port are relayed by flow, a flow being
/// one client address:port. A flow's first datagram chooses its real server (scheduler,
/// persistence, sorry server); later ones follow it. Each flow has its own socket connected to
/// the real server, so the real server's replies arrive on it and are sent back to the client
/// from the VIP:port socket. A flow with no datagram either way for the service's idle timeout
/// ends, as an IPVS UDP entry does. Flows count as inactive connections, as in IPVS.
///
/// Unlike TCP ([TcpListener]) a UDP service binds its exact VIP, because replies must leave from
/// the VIP and Java cannot choose a datagram's source address on a wildcard socket (no
/// `IP_PKTINFO`). Until the VIP is on the host the bind fails; the balancer retries it on every
/// housekeeping tick and at once on [UserspaceBalancer#addressesChanged].
final class UdpRelay implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(UdpRelay.class.getName());
    private static final int MAX_DATAGRAM = 65_535;

    private final LiveService service;
    private final RelayContext context;
    private final InetSocketAddress listen;
    private final ConcurrentHashMap<SocketAddress, UdpFlow> flows = new ConcurrentHashMap<>();
    private volatile DatagramChannel vip;
    private Thread receiver;
    private boolean warned;
    private volatile boolean closed;

    UdpRelay(LiveService service, RelayContext context) {
        this.service = service;
        this.context = context;
        this.listen = service.config().listen();
    }

    boolean listening() {
        return vip != null;
    }

    /// Binds VIP:port if not yet bound; false while the address is not on the host.
    synchronized boolean tryBind() {
        if (vip != null || closed) {
            return vip != null;
        }
        DatagramChannel ch = null;
        try {
            ch = DatagramChannel.open(listen.getAddress() instanceof Inet6Address
                    ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
            ch.bind(listen);
        } catch (BindException e) {
            closeQuietly(ch);
            if (!warned) {
                warned = true;
                LOG.log(System.Logger.Level.INFO, () -> service.config().key() + ": cannot bind yet (" + e.getMessage()
                        + "); waiting for the address to appear on the host");
            }
            return false;
        } catch (IOException e) {
            closeQuietly(ch);
            throw new IllegalStateException(service.config().key() + ": cannot open a UDP socket: " + e.getMessage(), e);
        }
        vip = ch;
        var bound = ch;
        receiver = Thread.ofPlatform().name("pharos-lb-udp-" + Addresses.text(listen.getAddress()) + ":" + listen.getPort())
                .daemon().start(() -> receiveLoop(bound));
        LOG.log(System.Logger.Level.INFO, () -> service.config().key() + ": listening");
        return true;
    }

    private void receiveLoop(DatagramChannel ch) {
        var buf = ByteBuffer.allocateDirect(MAX_DATAGRAM);
        while (ch.isOpen()) {
            SocketAddress from;
            try {
                buf.clear();
                from = ch.receive(buf);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> service.config().key() + ": receive: " + e.getMessage());
                continue;
            }
            if (from == null) {
                continue;
            }
            buf.flip();
            var flow = flows.get(from);
            if (flow != null && !flow.forward(buf)) {
                flow = null;   // it expired just now: this datagram starts a new flow
            }
            if (flow == null) {
                flow = open((InetSocketAddress) from);
                if (flow != null) {
                    flow.forward(buf);
                }
            }
        }
    }

    private UdpFlow open(InetSocketAddress client) {
        if (service.closed() || !context.admit(service)) {
            return null;
        }
        var flowKey = new Flow(client.getAddress(), client.getPort(), listen.getAddress(), listen.getPort());
        var sel = service.choose(flowKey);
        if (sel == null) {
            service.refused.increment();
            context.release(service);
            return null;
        }
        DatagramChannel up;
        try {
            up = DatagramChannel.open(sel.server().address() instanceof Inet6Address
                    ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
            up.connect(sel.server().config().address());
        } catch (IOException e) {
            service.release(sel);
            context.release(service);
            LOG.log(System.Logger.Level.WARNING, () -> service.config().key() + ": cannot open a socket toward "
                    + sel.server().config().address() + ": " + e.getMessage());
            return null;
        }
        var flow = new UdpFlow(client, up, sel);
        sel.server().opened(flow);
        flows.put(client, flow);
        context.flowThreads.newThread(flow::replyLoop).start();
        return flow;
    }

    /// Ends flows idle longer than the service's idle timeout.
    void expire(long now) {
        var idle = service.config().idleTimeout().toNanos();
        for (var flow : flows.values()) {
            if (now - flow.lastActivity > idle) {
                flow.abort("idle");
            }
        }
    }

    @Override
    public void close() {
        DatagramChannel ch;
        synchronized (this) {
            closed = true;
            ch = vip;
        }
        if (ch != null) {
            closeQuietly(ch);
            try {
                receiver.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (var flow : flows.values()) {
            flow.abort("service removed");
        }
    }

    private static void closeQuietly(DatagramChannel ch) {
        if (ch == null) {
            return;
        }
        try {
            ch.close();
        } catch (IOException e) {
            // best effort
        }
    }

    /// One client address:port and its socket toward the chosen real server.
    final class UdpFlow implements BalancedConnection {

        private final InetSocketAddress client;
        private final DatagramChannel upstream;
        private final LiveService.Selection selection;
        private volatile long lastActivity = System.nanoTime();
        private boolean finished;

        UdpFlow(InetSocketAddress client, DatagramChannel upstream, LiveService.Selection selection) {
            this.client = client;
            this.upstream = upstream;
            this.selection = selection;
        }

        @Override
        public long lastActivity() {
            return lastActivity;
        }

        /// Sends one datagram to the real server; false when the flow has closed meanwhile.
        boolean forward(ByteBuffer datagram) {
            var n = datagram.remaining();
            try {
                upstream.write(datagram);
            } catch (PortUnreachableException e) {
                // An earlier datagram drew ICMP port unreachable; UDP has no failover, keep the flow.
                return true;
            } catch (ClosedChannelException e) {
                return false;
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> service.config().key() + ": to " + selection.server().config().address()
                        + ": " + e.getMessage());
                return true;
            }
            lastActivity = System.nanoTime();
            var rs = selection.server().counters;
            rs.packetsIn.increment();
            rs.bytesIn.add(n);
            service.counters.packetsIn.increment();
            service.counters.bytesIn.add(n);
            return true;
        }

        void replyLoop() {
            // Heap memory: one buffer per live flow, held while the flow waits for a reply.
            var buf = ByteBuffer.allocate(MAX_DATAGRAM);
            try {
                while (upstream.isOpen()) {
                    buf.clear();
                    int n;
                    try {
                        n = upstream.read(buf);
                    } catch (PortUnreachableException e) {
                        continue;
                    }
                    if (n < 0) {
                        return;
                    }
                    buf.flip();
                    var ch = vip;
                    if (ch == null) {
                        return;
                    }
                    ch.send(buf, client);
                    lastActivity = System.nanoTime();
                    var rs = selection.server().counters;
                    rs.packetsOut.increment();
                    rs.bytesOut.add(n);
                    service.counters.packetsOut.increment();
                    service.counters.bytesOut.add(n);
                }
            } catch (IOException e) {
                // Closed by expiry or removal, or the VIP socket went away.
            } finally {
                finish();
            }
        }

        @Override
        public void abort(String reason) {
            try {
                upstream.close();
            } catch (IOException e) {
                // best effort
            }
        }

        private void finish() {
            synchronized (this) {
                if (finished) {
                    return;
                }
                finished = true;
            }
            abort("finished");
            flows.remove(client, this);
            selection.server().closed(this, false);
            service.release(selection);
            context.release(service);
        }
    }
}
