package dev.pharos.agent.ipvs.proxy;

import dev.pharos.agent.linux.Epoll;
import dev.pharos.agent.linux.Errno;
import dev.pharos.agent.linux.NativeBuffer;
import dev.pharos.agent.linux.NativeException;
import java.io.IOException;
import java.net.InetSocketAddress;

/// One client connection relayed to a real server on the native relay ([NativeRelayLoop]), from
/// accept to close on the loop's thread: the rules of [TcpConnection] (connect without blocking,
/// relay both ways with backpressure, pass each end of stream on as a half-close, reset both
/// sides on an error) on edge-triggered readiness; [RelayedConnection] holds the life both
/// relays share.
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
final class NativeTcpConnection extends RelayedConnection implements NativeLoopHandler {

    private static final System.Logger LOG = System.getLogger(NativeTcpConnection.class.getName());
    private static final int INTEREST = Epoll.IN | Epoll.OUT | Epoll.RDHUP | Epoll.EDGE;
    private static final int READABLE = Epoll.IN | Epoll.RDHUP | Epoll.HUP | Epoll.ERR;
    private static final int WRITABLE = Epoll.OUT | Epoll.HUP | Epoll.ERR;
    private static final int PEER_DONE = Epoll.RDHUP | Epoll.HUP;
    /// Reads per side per turn before other connections get the thread.
    private static final int READS_PER_TURN = 16;

    private final int client;
    private final NativeRelayLoop loop;

    // Confined to the loop's thread. "In" is client → real server, "out" the reverse.
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
    private boolean queued;   // in the loop's `again` queue

    NativeTcpConnection(int client, InetSocketAddress clientAddress, InetSocketAddress vip, LiveService service,
            RelayContext context, NativeRelayLoop loop) {
        super(clientAddress, vip, service, context, loop);
        this.client = client;
        this.loop = loop;
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

    @Override
    void connectTo(InetSocketAddress target) {
        var sockets = loop.sockets;
        try {
            server = sockets.connect(target);
            boolean now = sockets.connected();
            loop.register(server, INTEREST, this);
            if (now) {
                relayBothWays();
            }
        } catch (NativeException e) {
            connectFailed(e.getMessage());
        }
    }

    private void relayBothWays() {
        established();
        serverWritable = true;
        relay();
    }

    @Override
    public void onEvent(int fd, int events, NativeRelayLoop relay) {
        if (finished()) {
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
                relayBothWays();
                return;
            }
            int why = err == 0 ? Errno.ECONNREFUSED : err;
            connectFailed(Errno.name(why) + ": " + Errno.describe(why));
        } else if ((events & Epoll.OUT) != 0) {
            relayBothWays();
        }
    }

    /// Moves whatever can move now: pending bytes to destinations that can take them, then new
    /// bytes from sources whose destination has nothing pending.
    void relay() {
        queued = false;
        if (finished() || state == State.CONNECTING) {
            return;
        }
        try {
            if (inPending != null && serverWritable) {
                flush(true);
            }
            if (!finished() && outPending != null && clientWritable) {
                flush(false);
            }
            if (!finished() && clientReadable && inPending == null && !inEof) {
                pump(true);
            }
            if (!finished() && serverReadable && outPending == null && !outEof) {
                pump(false);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> service.config().key() + ": " + clientAddress + ": " + e.getMessage());
            finish(true);
        }
    }

    /// Reads what one direction's source has and sends it on at once; keeps what the destination
    /// cannot take yet and stops reading until it is out.
    private void pump(boolean inbound) throws IOException {
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
            relayed(inbound, n);
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
    private void flush(boolean inbound) throws IOException {
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
        touch();
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

    private void endOfStream(boolean inbound) throws IOException {
        markEof(inbound);
        if ((inbound ? inPending : outPending) == null) {
            shutdown(inbound);
        }
    }

    /// After bytes sent with `MSG_MORE`, the FIN of this shutdown leaves in their segment.
    @Override
    void shutdownOutput(boolean towardServer) throws NativeException {
        loop.sockets.shutdownOutput(towardServer ? server : client);
    }

    @Override
    public void loopClosing(int fd, NativeRelayLoop relay) {
        finish(false);
    }

    @Override
    void closeSockets(boolean reset) {
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
    }
}
