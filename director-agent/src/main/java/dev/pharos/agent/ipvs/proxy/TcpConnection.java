package dev.pharos.agent.ipvs.proxy;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/// One client connection relayed to a real server, driven by one [RelayLoop]'s thread from accept
/// to close, on the JDK's NIO; [RelayedConnection] holds the life both relays share.
///
/// Its sockets: connect to the chosen real server without blocking. Once connected, relay both
/// directions: read what a side has, write it on at once, keep what the destination cannot take
/// yet in a pending buffer and stop reading the source until it drains (backpressure). End of
/// stream on one side becomes `shutdownOutput` on the other once its pending bytes are out
/// (half-close); the connection is done when both directions are. A reset or error on either
/// side closes both, the other with a reset (`SO_LINGER 0`), so a client that resets mid-stream
/// resets the real server's side too.
final class TcpConnection extends RelayedConnection implements LoopHandler {

    private static final System.Logger LOG = System.getLogger(TcpConnection.class.getName());

    private final SocketChannel client;
    private final RelayLoop loop;

    // Confined to the loop's thread. "In" is client → real server, "out" the reverse.
    private SocketChannel server;
    private SelectionKey clientKey;
    private SelectionKey serverKey;
    private ByteBuffer inPending;
    private ByteBuffer outPending;
    private boolean inEof;
    private boolean outEof;

    TcpConnection(SocketChannel client, InetSocketAddress clientAddress, InetSocketAddress vip, LiveService service,
            RelayContext context, RelayLoop loop) {
        super(clientAddress, vip, service, context, loop);
        this.client = client;
        this.loop = loop;
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

    @Override
    void connectTo(InetSocketAddress target) {
        try {
            // The real server's own family: an IPv4 real server on a dual-stack IPv6 socket would
            // cost an extra IPV6_V6ONLY call and the v4-mapped path on every connection.
            server = SocketChannel.open(target.getAddress() instanceof Inet4Address
                    ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
            server.configureBlocking(false);
            server.setOption(StandardSocketOptions.TCP_NODELAY, true);
            if (server.connect(target)) {
                relayBothWays();
            } else {
                serverKey = server.register(loop.selector(), SelectionKey.OP_CONNECT, this);
            }
        } catch (IOException e) {
            connectFailed(e.getMessage());
        }
    }

    private void relayBothWays() throws IOException {
        established();
        if (serverKey == null) {
            serverKey = server.register(loop.selector(), SelectionKey.OP_READ, this);
        } else {
            serverKey.interestOps(SelectionKey.OP_READ);
        }
        clientKey.interestOps(SelectionKey.OP_READ);
    }

    /// The loop's callback: `key` (the client's or the server's) is connectable, readable or writable.
    @Override
    public void onReady(SelectionKey key, RelayLoop relay) {
        if (finished()) {
            return;
        }
        var fromClient = key == clientKey;
        try {
            if (state == State.CONNECTING) {
                if (!fromClient && key.isValid() && key.isConnectable()) {
                    try {
                        if (server.finishConnect()) {
                            relayBothWays();
                        }
                    } catch (IOException e) {
                        connectFailed(e.getMessage());
                    }
                }
                return;
            }
            if (key.isValid() && key.isWritable()) {
                // Writable: this socket is the destination of the other direction.
                flush(!fromClient, relay);
            }
            if (!finished() && key.isValid() && key.isReadable()) {
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
        relayed(inbound, n);
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
        touch();
        interest(inbound ? serverKey : clientKey, SelectionKey.OP_WRITE, false);
        if (inbound ? inEof : outEof) {
            shutdown(inbound);
        } else {
            interest(inbound ? clientKey : serverKey, SelectionKey.OP_READ, true);
        }
    }

    /// The FIN leaves in a segment of its own after the relayed data: HAProxy merges the two by
    /// writing with `MSG_MORE` when it already knows the source has closed, which Java's sockets
    /// cannot express. On short connections that is two segments more per connection, most of
    /// the CPU Pharos spends beyond HAProxy (`bench/results/balancer.md`).
    @Override
    void shutdownOutput(boolean towardServer) throws IOException {
        (towardServer ? server : client).shutdownOutput();
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
    void closeSockets(boolean reset) {
        if (reset) {
            setLingerZero(client);
            setLingerZero(server);
        }
        loop.closeAfterDeregistration(client);
        if (server != null) {   // null when no real server was chosen or its socket did not open
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
