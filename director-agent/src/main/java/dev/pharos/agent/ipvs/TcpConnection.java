package dev.pharos.agent.ipvs;

import dev.pharos.agent.ipvs.schedulers.Flow;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/// One client connection relayed to a real server.
///
/// Its life: choose a real server and connect (trying another one on refusal or connect timeout),
/// then relay each direction on its own virtual thread with a blocking loop — read into a pooled
/// direct buffer, write all of it to the other side. A blocked write is backpressure: that
/// direction stops reading until the slow side drains. End of stream on one side becomes
/// `shutdownOutput` on the other (half-close); the connection is done when both directions are.
/// A reset or error on either side closes both, the other with a reset (`SO_LINGER 0`), so a
/// client that resets mid-stream resets the real server's side too.
///
/// IPVS's states map as: connecting and half-closed count as inactive, relaying both ways as
/// active.
final class TcpConnection implements BalancedConnection {

    private static final System.Logger LOG = System.getLogger(TcpConnection.class.getName());

    private enum State { CONNECTING, ESTABLISHED, HALF_CLOSED, CLOSED }

    private final SocketChannel client;
    private final InetSocketAddress clientAddress;
    private final InetSocketAddress vip;
    private final LiveService service;
    private final RelayContext context;
    private final AtomicInteger pumpsLeft = new AtomicInteger(2);
    private volatile SocketChannel server;
    private volatile LiveService.Selection selection;
    private volatile long lastActivity = System.nanoTime();
    private State state = State.CONNECTING;
    private boolean aborted;
    private boolean finished;

    TcpConnection(SocketChannel client, InetSocketAddress clientAddress, InetSocketAddress vip, LiveService service,
            RelayContext context) {
        this.client = client;
        this.clientAddress = clientAddress;
        this.vip = vip;
        this.service = service;
        this.context = context;
    }

    @Override
    public long lastActivity() {
        return lastActivity;
    }

    LiveService service() {
        return service;
    }

    /// Runs on the connection's first virtual thread until the client → server direction ends.
    void run() {
        try {
            if (!connect()) {
                finish();
                return;
            }
            context.relayThreads.newThread(() -> pump(server, client, false)).start();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, () -> "relay of " + clientAddress + " to " + service.config().key()
                    + " failed to start: " + e);
            abort("internal error", true);
            finish();
            return;
        }
        pump(client, server, true);
    }

    private boolean connect() {
        var cfg = service.config();
        var flow = new Flow(clientAddress.getAddress(), clientAddress.getPort(), vip.getAddress(), vip.getPort());
        Set<LiveRealServer> exclude = Set.of();
        var attempts = service.realServers().size() + 2;
        for (int attempt = 0; attempt < attempts; attempt++) {
            var sel = service.choose(flow, exclude);
            if (sel == null) {
                service.refused.increment();
                LOG.log(System.Logger.Level.DEBUG, () -> service.config().key() + ": no real server for "
                        + clientAddress + " (all quiescent, overloaded or refusing, and no sorry server)");
                return false;
            }
            SocketChannel ch;
            synchronized (this) {
                if (aborted) {
                    service.release(sel, false);
                    return false;
                }
                selection = sel;
                sel.server().opened(this);
                try {
                    ch = SocketChannel.open();
                } catch (IOException e) {
                    sel.server().closed(this, false);
                    service.release(sel, false);
                    selection = null;
                    LOG.log(System.Logger.Level.WARNING, () -> "cannot open a socket toward " + sel.server().config().address()
                            + ": " + e.getMessage() + " (out of file descriptors?)");
                    return false;
                }
                server = ch;
            }
            var target = sel.server().config().address();
            try {
                ch.socket().connect(target, (int) Math.min(Integer.MAX_VALUE, cfg.connectTimeout().toMillis()));
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                client.setOption(StandardSocketOptions.TCP_NODELAY, true);
                synchronized (this) {
                    if (aborted) {
                        return false;
                    }
                    state = State.ESTABLISHED;
                    sel.server().established();
                }
                lastActivity = System.nanoTime();
                return true;
            } catch (IOException e) {
                closeQuietly(ch);
                synchronized (this) {
                    sel.server().closed(this, false);
                    service.release(sel, true);
                    selection = null;
                    server = null;
                    if (aborted) {
                        return false;
                    }
                }
                LOG.log(System.Logger.Level.DEBUG, () -> service.config().key() + ": real server " + target
                        + " did not accept " + clientAddress + " (" + e.getMessage() + "), trying another");
                if (exclude.isEmpty()) {
                    exclude = new HashSet<>();
                }
                exclude.add(sel.server());
            }
        }
        return false;
    }

    /// Relays one direction until end of stream or error. It reads into a small buffer and moves
    /// to a large one only while reads fill the small one (a bulk transfer), going back once a
    /// read takes under a quarter of the large one: an idle connection — most of them, behind a
    /// keep-alive client — holds two small buffers, not two large ones, while it waits.
    private void pump(SocketChannel from, SocketChannel to, boolean inbound) {
        var small = context.smallBuffers.take();
        ByteBuffer large = null;
        var buf = small;
        var sel = selection;
        var rsCounters = sel.server().counters;
        var svcCounters = service.counters;
        try {
            while (true) {
                buf.clear();
                var n = from.read(buf);
                if (n < 0) {
                    halfClose(to);
                    return;
                }
                lastActivity = System.nanoTime();
                buf.flip();
                while (buf.hasRemaining()) {
                    to.write(buf);
                }
                lastActivity = System.nanoTime();
                (inbound ? rsCounters.bytesIn : rsCounters.bytesOut).add(n);
                (inbound ? svcCounters.bytesIn : svcCounters.bytesOut).add(n);
                if (buf == small && n == small.capacity()) {
                    large = context.buffers.take();
                    buf = large;
                } else if (buf == large && n < large.capacity() / 4) {
                    context.buffers.give(large);
                    large = null;
                    buf = small;
                }
            }
        } catch (ClosedChannelException e) {
            // Closed by the other direction, the idle sweep or a removal: nothing more to say.
            abort("closed", false);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> service.config().key() + ": " + clientAddress + " via "
                    + sel.server().config().address() + ": " + e.getMessage());
            abort(e.getMessage(), true);
        } finally {
            context.smallBuffers.give(small);
            if (large != null) {
                context.buffers.give(large);
            }
            if (pumpsLeft.decrementAndGet() == 0) {
                finish();
            }
        }
    }

    private void halfClose(SocketChannel to) throws IOException {
        to.shutdownOutput();
        synchronized (this) {
            if (state == State.ESTABLISHED) {
                state = State.HALF_CLOSED;
                selection.server().halfClosed();
            }
        }
    }

    @Override
    public void abort(String reason) {
        abort(reason, false);
    }

    /// Closes both sockets, which wakes both relay threads; `reset` closes with a TCP reset.
    void abort(String reason, boolean reset) {
        SocketChannel s;
        synchronized (this) {
            if (aborted) {
                return;
            }
            aborted = true;
            s = server;
        }
        if (reset) {
            setLingerZero(client);
            if (s != null) {
                setLingerZero(s);
            }
        }
        closeQuietly(client);
        if (s != null) {
            closeQuietly(s);
        }
    }

    /// Releases everything once: sockets, counts, persistence, registry.
    private void finish() {
        LiveService.Selection sel;
        boolean wasActive;
        SocketChannel s;
        synchronized (this) {
            if (finished) {
                return;
            }
            finished = true;
            wasActive = state == State.ESTABLISHED;
            state = State.CLOSED;
            sel = selection;
            s = server;
        }
        closeQuietly(client);
        if (s != null) {
            closeQuietly(s);
        }
        if (sel != null) {
            sel.server().closed(this, wasActive);
            service.release(sel, false);
        }
        context.release(service);
        context.tcpConnections.remove(this);
    }

    private static void setLingerZero(SocketChannel ch) {
        try {
            if (ch.isOpen()) {
                ch.setOption(StandardSocketOptions.SO_LINGER, 0);
            }
        } catch (IOException | UnsupportedOperationException e) {
            // Already closed or never connected: a plain close will do.
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // Closing is best effort; the descriptor is released either way.
        }
    }
}
