package dev.pharos.agent.ipvs;

import dev.pharos.agent.ipvs.schedulers.Flow;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.HashSet;
import java.util.Set;

/// One client connection relayed to a real server.
///
/// Its life: on a virtual thread, choose a real server and connect (trying another one on refusal
/// or connect timeout) — straight-line blocking code for the part with timeouts and failover;
/// then both sockets turn non-blocking and move to a [RelayLoop], whose thread relays both
/// directions. A direction whose destination cannot take more keeps the rest in a pending buffer
/// and stops reading its source until it drains (backpressure). End of stream on one side becomes
/// `shutdownOutput` on the other once its pending bytes are out (half-close); the connection is
/// done when both directions are. A reset or error on either side closes both, the other with a
/// reset (`SO_LINGER 0`), so a client that resets mid-stream resets the real server's side too.
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
    private volatile SocketChannel server;
    private volatile LiveService.Selection selection;
    private volatile long lastActivity = System.nanoTime();
    private State state = State.CONNECTING;
    private boolean aborted;
    private volatile boolean finished;
    private volatile RelayLoop loop;
    // Confined to the relay loop's thread once registered: "in" is client → server.
    private SelectionKey clientKey;
    private SelectionKey serverKey;
    private ByteBuffer inPending;
    private ByteBuffer outPending;
    private boolean inEof;
    private boolean outEof;
    private boolean inShut;
    private boolean outShut;

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

    /// Runs on a virtual thread: connects, then hands the pair to a relay loop.
    void run() {
        try {
            if (!connect()) {
                finish(false);
                return;
            }
            var relay = context.nextLoop();
            synchronized (this) {
                if (aborted) {
                    finish(false);
                    return;
                }
                loop = relay;
            }
            relay.execute(() -> register(relay));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, () -> "relay of " + clientAddress + " to " + service.config().key()
                    + " failed to start: " + e);
            abort("internal error", true);
            finish(false);
        }
    }

    private void register(RelayLoop relay) {
        try {
            client.configureBlocking(false);
            server.configureBlocking(false);
            clientKey = client.register(relay.selector(), SelectionKey.OP_READ, this);
            serverKey = server.register(relay.selector(), SelectionKey.OP_READ, this);
        } catch (IOException e) {
            // Closed meanwhile (idle sweep, removal) or the client left: done.
            finish(false);
        }
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

    /// The loop's callback: `key` (the client's or the server's) is readable or writable.
    void onReady(SelectionKey key, RelayLoop relay) {
        if (finished) {
            return;
        }
        var fromClient = key == clientKey;
        try {
            if (key.isValid() && key.isWritable()) {
                // Writable: this socket is the destination of the other direction.
                flush(!fromClient, relay);
            }
            if (!finished && key.isValid() && key.isReadable()) {
                read(fromClient, relay);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> service.config().key() + ": " + clientAddress + " via "
                    + selection.server().config().address() + ": " + e.getMessage());
            finish(true);
        }
    }

    /// Reads what the source of one direction has and writes it on at once; keeps what the
    /// destination cannot take yet and stops reading until it is out.
    private void read(boolean inbound, RelayLoop relay) throws IOException {
        var from = inbound ? client : server;
        var to = inbound ? server : client;
        var buf = relay.shared;
        buf.clear();
        var n = from.read(buf);
        if (n < 0) {
            interest(inbound ? clientKey : serverKey, SelectionKey.OP_READ, false);
            if (inbound) {
                inEof = true;
            } else {
                outEof = true;
            }
            if ((inbound ? inPending : outPending) == null) {
                shutdown(inbound);
            }
            return;
        }
        if (n == 0) {
            return;
        }
        lastActivity = System.nanoTime();
        var counters = selection.server().counters;
        (inbound ? counters.bytesIn : counters.bytesOut).add(n);
        (inbound ? service.counters.bytesIn : service.counters.bytesOut).add(n);
        buf.flip();
        to.write(buf);
        if (buf.hasRemaining()) {
            var rest = relay.pending.take();
            rest.put(buf).flip();
            if (inbound) {
                inPending = rest;
            } else {
                outPending = rest;
            }
            interest(inbound ? clientKey : serverKey, SelectionKey.OP_READ, false);
            interest(inbound ? serverKey : clientKey, SelectionKey.OP_WRITE, true);
        }
    }

    /// The destination of one direction can take more: write the pending bytes, and when they are
    /// out, read the source again (or pass on its end of stream).
    private void flush(boolean inbound, RelayLoop relay) throws IOException {
        var rest = inbound ? inPending : outPending;
        var to = inbound ? server : client;
        if (rest == null) {
            interest(inbound ? serverKey : clientKey, SelectionKey.OP_WRITE, false);
            return;
        }
        to.write(rest);
        if (rest.hasRemaining()) {
            return;
        }
        relay.pending.give(rest);
        if (inbound) {
            inPending = null;
        } else {
            outPending = null;
        }
        lastActivity = System.nanoTime();
        interest(inbound ? serverKey : clientKey, SelectionKey.OP_WRITE, false);
        if (inbound ? inEof : outEof) {
            shutdown(inbound);
        } else {
            interest(inbound ? clientKey : serverKey, SelectionKey.OP_READ, true);
        }
    }

    /// One direction is complete: pass its end of stream on; both complete ends the connection.
    private void shutdown(boolean inbound) throws IOException {
        (inbound ? server : client).shutdownOutput();
        if (inbound) {
            inShut = true;
        } else {
            outShut = true;
        }
        synchronized (this) {
            if (state == State.ESTABLISHED) {
                state = State.HALF_CLOSED;
                selection.server().halfClosed();
            }
        }
        if (inShut && outShut) {
            finish(false);
        }
    }

    private static void interest(SelectionKey key, int op, boolean on) {
        var ops = key.interestOps();
        var next = on ? ops | op : ops & ~op;
        if (next != ops) {
            key.interestOps(next);
        }
    }

    @Override
    public void abort(String reason) {
        abort(reason, false);
    }

    /// Closes both sides, with a TCP reset when `reset`. On a relay loop's connection this runs
    /// on the loop's thread; before that, closing the sockets wakes the connecting thread.
    void abort(String reason, boolean reset) {
        RelayLoop relay;
        SocketChannel s;
        synchronized (this) {
            if (aborted) {
                return;
            }
            aborted = true;
            relay = loop;
            s = server;
        }
        if (relay != null) {
            relay.execute(() -> finish(reset));
            return;
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

    /// Releases everything once: sockets (reset first if `reset`), pending buffers, counts,
    /// persistence, registry. On a relay loop's connection, called on the loop's thread.
    private void finish(boolean reset) {
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
        var relay = loop;
        if (relay != null) {
            if (inPending != null) {
                relay.pending.give(inPending);
                inPending = null;
            }
            if (outPending != null) {
                relay.pending.give(outPending);
                outPending = null;
            }
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
