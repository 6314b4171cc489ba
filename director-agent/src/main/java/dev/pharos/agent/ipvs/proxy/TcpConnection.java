package dev.pharos.agent.ipvs.proxy;

import dev.pharos.agent.ipvs.proxy.schedulers.Flow;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/// One client connection relayed to a real server, driven by one [RelayLoop]'s thread from accept
/// to close.
///
/// Its life: choose a real server and connect without blocking; on refusal, or when the
/// housekeeping thread finds the connect timeout passed, the client's connection fails with a
/// reset, as it would through IPVS, which forwards the client's SYN to the one server it chose
/// and tries no other (the checker takes a failed server out). Once connected, relay both directions: read what a side has, write it on at once,
/// keep what the destination cannot take yet in a pending buffer and stop reading the source
/// until it drains (backpressure). End of stream on one side becomes `shutdownOutput` on the
/// other once its pending bytes are out (half-close); the connection is done when both
/// directions are. A reset or error on either side closes both, the other with a reset
/// (`SO_LINGER 0`), so a client that resets mid-stream resets the real server's side too.
///
/// IPVS's states map as: connecting and half-closed count as inactive, relaying both ways as
/// active. Everything but [#abort] and the two timestamps runs on the loop's thread.
final class TcpConnection implements RelayedConnection, LoopHandler {

    private static final System.Logger LOG = System.getLogger(TcpConnection.class.getName());

    private enum State { CONNECTING, ESTABLISHED, HALF_CLOSED, CLOSED }

    private final SocketChannel client;
    private final InetSocketAddress clientAddress;
    private final InetSocketAddress vip;
    private final LiveService service;
    private final RelayContext context;
    private final RelayLoop loop;
    private volatile long lastActivity = System.nanoTime();
    /// Nanos by which the current connect attempt must complete; 0 when not connecting.
    private volatile long connectDeadline;
    private volatile boolean finished;
    private boolean aborted;   // guarded by this

    // Confined to the loop's thread. "In" is client → real server, "out" the reverse.
    private State state = State.CONNECTING;
    private LiveService.Selection selection;
    private SocketChannel server;
    private SelectionKey clientKey;
    private SelectionKey serverKey;
    private ByteBuffer inPending;
    private ByteBuffer outPending;
    private boolean inEof;
    private boolean outEof;
    private boolean inShut;
    private boolean outShut;

    TcpConnection(SocketChannel client, InetSocketAddress clientAddress, InetSocketAddress vip, LiveService service,
            RelayContext context, RelayLoop loop) {
        this.client = client;
        this.clientAddress = clientAddress;
        this.vip = vip;
        this.service = service;
        this.context = context;
        this.loop = loop;
    }

    @Override
    public long lastActivity() {
        return lastActivity;
    }

    @Override
    public LiveService service() {
        return service;
    }

    /// On the loop's thread: registers the client (not read until connected) and connects.
    void start() {
        try {
            client.configureBlocking(false);
            client.setOption(StandardSocketOptions.TCP_NODELAY, true);
            clientKey = client.register(loop.selector(), 0, this);
        } catch (IOException e) {
            finish(false);   // the client left already
            return;
        }
        connect();
    }

    /// Chooses a real server and starts connecting.
    private void connect() {
        var sel = service.choose(new Flow(clientAddress.getAddress(), clientAddress.getPort(), vip.getAddress(),
                vip.getPort()));
        if (sel == null) {
            service.refused.increment();
            LOG.log(System.Logger.Level.DEBUG, () -> service.config().key() + ": no real server for " + clientAddress
                    + " (all quiescent, overloaded or refusing, and no sorry server)");
            finish(false);
            return;
        }
        selection = sel;
        sel.server().opened(this);
        try {
            var target = sel.server().config().address();
            // The real server's own family: an IPv4 real server on a dual-stack IPv6 socket would
            // cost an extra IPV6_V6ONLY call and the v4-mapped path on every connection.
            server = SocketChannel.open(target.getAddress() instanceof Inet4Address
                    ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
            server.configureBlocking(false);
            server.setOption(StandardSocketOptions.TCP_NODELAY, true);
            connectDeadline = System.nanoTime() + service.config().connectTimeout().toNanos();
            if (server.connect(target)) {
                established();
            } else {
                serverKey = server.register(loop.selector(), SelectionKey.OP_CONNECT, this);
            }
        } catch (IOException e) {
            connectFailed(e);
        }
    }

    private void established() throws IOException {
        connectDeadline = 0;
        state = State.ESTABLISHED;
        selection.server().established();
        if (serverKey == null) {
            serverKey = server.register(loop.selector(), SelectionKey.OP_READ, this);
        } else {
            serverKey.interestOps(SelectionKey.OP_READ);
        }
        clientKey.interestOps(SelectionKey.OP_READ);
        lastActivity = System.nanoTime();
    }

    /// The chosen real server did not accept: the client's connection fails with a reset.
    private void connectFailed(IOException e) {
        var target = selection.server().config().address();
        LOG.log(System.Logger.Level.DEBUG, () -> service.config().key() + ": real server " + target
                + " did not accept " + clientAddress + " (" + e.getMessage() + "): resetting the client");
        finish(true);
    }

    /// Housekeeping: gives up the current connect attempt if its deadline has passed.
    /// Still waiting for the real server to accept (its connect timeout is running).
    @Override
    public boolean connecting() {
        return connectDeadline != 0;
    }

    @Override
    public void checkConnectTimeout(long now) {
        var deadline = connectDeadline;
        if (deadline != 0 && now - deadline > 0) {
            loop.execute(() -> {
                if (!finished && state == State.CONNECTING && connectDeadline == deadline) {
                    connectFailed(new SocketTimeoutException("connect timed out after "
                            + service.config().connectTimeout().toMillis() + " ms"));
                }
            });
        }
    }

    /// The loop's callback: `key` (the client's or the server's) is connectable, readable or writable.
    @Override
    public void onReady(SelectionKey key, RelayLoop relay) {
        if (finished) {
            return;
        }
        var fromClient = key == clientKey;
        try {
            if (state == State.CONNECTING) {
                if (!fromClient && key.isValid() && key.isConnectable()) {
                    try {
                        if (server.finishConnect()) {
                            established();
                        }
                    } catch (IOException e) {
                        connectFailed(e);
                    }
                }
                return;
            }
            if (key.isValid() && key.isWritable()) {
                // Writable: this socket is the destination of the other direction.
                flush(!fromClient, relay);
            }
            if (!finished && key.isValid() && key.isReadable()) {
                read(fromClient, relay);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> service.config().key() + ": " + clientAddress + ": "
                    + e.getMessage());
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
    ///
    /// The FIN leaves in a segment of its own after the relayed data: HAProxy merges the two by
    /// writing with `MSG_MORE` when it already knows the source has closed, which Java's sockets
    /// cannot express. On short connections that is two segments more per connection, most of
    /// the CPU Pharos spends beyond HAProxy (`bench/results/balancer.md`).
    private void shutdown(boolean inbound) throws IOException {
        if (!(inbound ? outShut : inShut)) {
            (inbound ? server : client).shutdownOutput();
        }
        // Else this completes the connection: both ends of stream are read, so both receive
        // queues are empty and the close in finish() sends the FIN itself (a close with unread
        // bytes would send a reset); the shutdown would be one system call for nothing.
        if (inbound) {
            inShut = true;
        } else {
            outShut = true;
        }
        if (state == State.ESTABLISHED) {
            state = State.HALF_CLOSED;
            selection.server().halfClosed();
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
    public void loopClosing() {
        finish(false);
    }

    @Override
    public void abort(String reason) {
        abort(reason, false);
    }

    /// From any thread: closes both sides on the loop's thread, with a TCP reset when `reset`.
    void abort(String reason, boolean reset) {
        synchronized (this) {
            if (aborted) {
                return;
            }
            aborted = true;
        }
        LOG.log(System.Logger.Level.DEBUG, () -> service.config().key() + ": closing " + clientAddress + ": " + reason);
        loop.execute(() -> finish(reset));
    }

    /// On the loop's thread, once: closes the sockets (reset first if `reset`) and releases
    /// pending buffers, counts, persistence and the registry entry.
    void finish(boolean reset) {
        if (finished) {
            return;
        }
        finished = true;
        var wasActive = state == State.ESTABLISHED;
        state = State.CLOSED;
        connectDeadline = 0;
        if (reset) {
            setLingerZero(client);
            setLingerZero(server);
        }
        loop.closeAfterDeregistration(client);
        if (server != null) {
            loop.closeAfterDeregistration(server);
        }
        if (inPending != null) {
            loop.pending.give(inPending);
            inPending = null;
        }
        if (outPending != null) {
            loop.pending.give(outPending);
            outPending = null;
        }
        var sel = selection;
        if (sel != null) {
            sel.server().closed(this, wasActive);
            service.release(sel);
        }
        context.release(service);
        context.tcpConnections.remove(this);
    }

    private static void setLingerZero(SocketChannel ch) {
        try {
            if (ch != null && ch.isOpen()) {
                ch.setOption(StandardSocketOptions.SO_LINGER, 0);
            }
        } catch (IOException | UnsupportedOperationException e) {
            // Already closed or never connected: a plain close will do.
        }
    }
}
