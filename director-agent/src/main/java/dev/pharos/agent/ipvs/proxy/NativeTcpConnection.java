package dev.pharos.agent.ipvs.proxy;

import dev.pharos.agent.ipvs.proxy.schedulers.Flow;
import dev.pharos.agent.linux.Epoll;
import dev.pharos.agent.linux.Errno;
import dev.pharos.agent.linux.NativeBuffer;
import dev.pharos.agent.linux.NativeException;
import java.net.InetSocketAddress;

/// One client connection relayed to a real server on the native relay ([NativeRelayLoop]), from
/// accept to close on the loop's thread: the life and rules of [TcpConnection] (choose, connect
/// without blocking, reset the client on refusal or connect timeout, relay both ways with backpressure,
/// pass each end of stream on as a half-close, reset both sides on an error), on edge-triggered
/// readiness.
///
/// Edge-triggered: each socket is registered once for input, output and the peer's half-close;
/// an event sets a side's `readable`/`writable` flag, and only a call returning `EAGAIN` (or a
/// short read, which on a stream socket means the receive queue is empty) clears it. So a side
/// that is not read because its destination is full (backpressure) is simply left readable and
/// read again once the pending bytes are out.
///
/// The FIN rides with the last bytes: when a source has already sent its FIN (`EPOLLRDHUP`, no
/// `EPOLLERR`) and a read empties its queue, those are its last bytes; they are sent with `MSG_MORE` and the
/// `shutdown` right after puts the FIN into the same segment, as HAProxy does. That saves the
/// separate FIN segment and its ACK on every short connection.
final class NativeTcpConnection implements RelayedConnection, NativeLoopHandler {

    private static final System.Logger LOG = System.getLogger(NativeTcpConnection.class.getName());
    private static final int INTEREST = Epoll.IN | Epoll.OUT | Epoll.RDHUP | Epoll.EDGE;
    private static final int READABLE = Epoll.IN | Epoll.RDHUP | Epoll.HUP | Epoll.ERR;
    private static final int WRITABLE = Epoll.OUT | Epoll.HUP | Epoll.ERR;
    private static final int PEER_DONE = Epoll.RDHUP | Epoll.HUP;
    /// Reads per side per turn before other connections get the thread.
    private static final int READS_PER_TURN = 16;

    private enum State { CONNECTING, ESTABLISHED, HALF_CLOSED, CLOSED }

    private final int client;
    private final InetSocketAddress clientAddress;
    private final InetSocketAddress vip;
    private final LiveService service;
    private final RelayContext context;
    private final NativeRelayLoop loop;
    private volatile long lastActivity = System.nanoTime();
    /// Nanos by which the current connect attempt must complete; 0 when not connecting.
    private volatile long connectDeadline;
    private volatile boolean finished;
    private boolean aborted;   // guarded by this

    // Confined to the loop's thread. "In" is client → real server, "out" the reverse.
    private State state = State.CONNECTING;
    private LiveService.Selection selection;
    private int server = -1;
    private boolean clientReadable;
    private boolean clientWritable;
    /// The client's FIN has arrived (and no error): what its queue holds is all it will send.
    private boolean clientDone;
    /// The client's socket reported an error: read it to the error, never trust a short read.
    private boolean clientBroken;
    private boolean serverReadable;
    private boolean serverWritable;
    private boolean serverDone;
    private boolean serverBroken;
    /// The real server reset the connection right after accepting it (see [#serverConnectEvent]).
    private boolean serverReset;
    private NativeBuffer inPending;
    private NativeBuffer outPending;
    private boolean inEof;
    private boolean outEof;
    private boolean inShut;
    private boolean outShut;
    private boolean queued;   // in the loop's `again` queue

    NativeTcpConnection(int client, InetSocketAddress clientAddress, InetSocketAddress vip, LiveService service,
            RelayContext context, NativeRelayLoop loop) {
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

    /// On the loop's thread: registers the client (read only once connected) and connects.
    void start() {
        try {
            loop.register(client, INTEREST, this);
        } catch (NativeException e) {
            LOG.log(System.Logger.Level.WARNING, () -> service.config().key() + ": " + clientAddress + ": " + e.getMessage());
            finish(true);
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
        connectDeadline = System.nanoTime() + service.config().connectTimeout().toNanos();
        var sockets = loop.sockets;
        try {
            server = sockets.connect(sel.server().config().address());
            boolean now = sockets.connected();
            loop.register(server, INTEREST, this);
            if (now) {
                established();
            }
        } catch (NativeException e) {
            connectFailed(e.getMessage());
        }
    }

    private void established() {
        connectDeadline = 0;
        state = State.ESTABLISHED;
        selection.server().established();
        serverWritable = true;
        lastActivity = System.nanoTime();
        relay();
    }

    /// The chosen real server did not accept: the client's connection fails with a reset.
    private void connectFailed(String reason) {
        var target = selection.server().config().address();
        LOG.log(System.Logger.Level.DEBUG, () -> service.config().key() + ": real server " + target
                + " did not accept " + clientAddress + " (" + reason + "): resetting the client");
        finish(true);
    }

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
                    connectFailed("connect timed out after " + service.config().connectTimeout().toMillis() + " ms");
                }
            });
        }
    }

    @Override
    public void onEvent(int fd, int events, NativeRelayLoop relay) {
        if (finished) {
            return;
        }
        if (fd == client) {
            clientReadable |= (events & READABLE) != 0;
            clientWritable |= (events & WRITABLE) != 0;
            clientBroken |= (events & Epoll.ERR) != 0;
            clientDone = !clientBroken && (clientDone || (events & PEER_DONE) != 0);
        } else {
            serverReadable |= (events & READABLE) != 0;
            serverWritable |= (events & WRITABLE) != 0;
            serverBroken |= (events & Epoll.ERR) != 0;
            serverDone = !serverBroken && (serverDone || (events & PEER_DONE) != 0);
            if (state == State.CONNECTING) {
                serverConnectEvent(events);
                return;
            }
        }
        if (state != State.CONNECTING) {
            relay();
        }
    }

    /// The connecting socket reported: an error or hang-up is a failed connect (`SO_ERROR` says
    /// why), output readiness alone a completed one. A connection the real server accepted and
    /// then reset before this thread looked (`ECONNRESET`/`EPIPE`, not `ECONNREFUSED`) was
    /// established: its bytes are relayed, then the reset (reading `SO_ERROR` cleared the error,
    /// so [#serverReset] remembers it).
    private void serverConnectEvent(int events) {
        if ((events & (Epoll.ERR | Epoll.HUP)) != 0) {
            int err;
            try {
                err = loop.sockets.socketError(server);
            } catch (NativeException e) {
                connectFailed(e.getMessage());
                return;
            }
            if (err == Errno.ECONNRESET || err == Errno.EPIPE) {
                serverReset = true;
                established();
                return;
            }
            int why = err == 0 ? Errno.ECONNREFUSED : err;
            connectFailed(Errno.name(why) + ": " + Errno.describe(why));
        } else if ((events & Epoll.OUT) != 0) {
            established();
        }
    }

    /// Moves whatever can move now: pending bytes to destinations that can take them, then new
    /// bytes from sources whose destination has nothing pending.
    void relay() {
        queued = false;
        if (finished || state == State.CONNECTING) {
            return;
        }
        try {
            if (inPending != null && serverWritable) {
                flush(true);
            }
            if (!finished && outPending != null && clientWritable) {
                flush(false);
            }
            if (!finished && clientReadable && inPending == null && !inEof) {
                pump(true);
            }
            if (!finished && serverReadable && outPending == null && !outEof) {
                pump(false);
            }
        } catch (NativeException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> service.config().key() + ": " + clientAddress + ": " + e.getMessage());
            finish(true);
        }
    }

    /// Reads what one direction's source has and sends it on at once; keeps what the destination
    /// cannot take yet and stops reading until it is out.
    private void pump(boolean inbound) throws NativeException {
        var sockets = loop.sockets;
        int from = inbound ? client : server;
        int to = inbound ? server : client;
        var buf = loop.shared;
        for (int i = 0; i < READS_PER_TURN; i++) {
            buf.clear();
            int n = sockets.recv(from, buf);
            if (n < 0) {
                setReadable(inbound, false);
                return;
            }
            if (n == 0) {
                setReadable(inbound, false);
                if (!inbound && serverReset) {
                    finish(true);   // its end was a reset: pass that on, not a FIN
                } else {
                    endOfStream(inbound);
                }
                return;
            }
            lastActivity = System.nanoTime();
            var counters = selection.server().counters;
            (inbound ? counters.bytesIn : counters.bytesOut).add(n);
            (inbound ? service.counters.bytesIn : service.counters.bytesOut).add(n);
            // A short read empties the queue; after the source's FIN that was its last data.
            boolean drained = n < buf.capacity();
            boolean last = drained && (inbound ? clientDone : serverDone);
            sockets.send(to, buf, last);
            if (!buf.isEmpty()) {
                var rest = loop.pending.take();
                buf.moveRemainingTo(rest);
                if (inbound) {
                    inPending = rest;
                    serverWritable = false;
                } else {
                    outPending = rest;
                    clientWritable = false;
                }
                if (last) {
                    setReadable(inbound, false);
                    markEof(inbound);   // passed on once the pending bytes are out
                }
                return;
            }
            if (last) {
                setReadable(inbound, false);
                endOfStream(inbound);   // the FIN joins the bytes just sent with MSG_MORE
                return;
            }
            if (drained && !(inbound ? clientBroken : serverBroken)) {
                setReadable(inbound, false);
                return;
            }
        }
        // Still readable: let the loop's other connections run, then continue.
        if (!queued) {
            queued = true;
            loop.again(this);
        }
    }

    /// One direction's destination can take more: send its pending bytes; once they are out,
    /// pass on a waiting end of stream (or let [#relay] read the source again).
    private void flush(boolean inbound) throws NativeException {
        var rest = inbound ? inPending : outPending;
        int to = inbound ? server : client;
        boolean eof = inbound ? inEof : outEof;
        loop.sockets.send(to, rest, eof);
        if (!rest.isEmpty()) {
            if (inbound) {
                serverWritable = false;
            } else {
                clientWritable = false;
            }
            return;
        }
        loop.pending.give(rest);
        if (inbound) {
            inPending = null;
        } else {
            outPending = null;
        }
        lastActivity = System.nanoTime();
        if (eof) {
            shutdown(inbound);
        }
    }

    private void setReadable(boolean inbound, boolean readable) {
        if (inbound) {
            clientReadable = readable;
        } else {
            serverReadable = readable;
        }
    }

    private void markEof(boolean inbound) {
        if (inbound) {
            inEof = true;
        } else {
            outEof = true;
        }
    }

    private void endOfStream(boolean inbound) throws NativeException {
        markEof(inbound);
        if ((inbound ? inPending : outPending) == null) {
            shutdown(inbound);
        }
    }

    /// One direction is complete: pass its end of stream on; both complete ends the connection.
    private void shutdown(boolean inbound) throws NativeException {
        if (!(inbound ? outShut : inShut)) {
            loop.sockets.shutdownOutput(inbound ? server : client);
        }
        // Else this completes the connection: both ends of stream are read, so both receive
        // queues are empty and the close in finish() sends the FIN itself (with any bytes held
        // back by MSG_MORE); a shutdown would be one system call for nothing.
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

    @Override
    public void loopClosing(int fd, NativeRelayLoop relay) {
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
        var sockets = loop.sockets;
        if (reset) {
            sockets.setLingerZero(client);
            if (server >= 0) {
                sockets.setLingerZero(server);
            }
        }
        loop.closeFd(client);
        if (server >= 0) {
            loop.closeFd(server);
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
}
