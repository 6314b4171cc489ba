package dev.pharos.agent.ipvs.proxy;

import dev.pharos.agent.ipvs.proxy.schedulers.Flow;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;

/// One client connection relayed to a real server, whichever relay carries it: the JDK's NIO
/// ([TcpConnection]) or raw Linux calls ([NativeTcpConnection]). The life that does not depend on
/// the sockets is here, once: choosing the real server (one per connection, as IPVS does: if it
/// does not accept, the client's connection fails), the connect timeout, the IPVS states the
/// real server's counts follow, the byte counters, passing each end of stream on, closing from
/// any thread ([#abort]) and releasing counts, persistence and the registry entry ([#finish]).
/// The relays own their sockets, readiness and pending buffers.
///
/// IPVS's states map as: connecting and half-closed count as inactive, relaying both ways as
/// active. Everything but [#abort], [#checkConnectTimeout] and the timestamps runs on the loop's
/// thread.
abstract sealed class RelayedConnection implements BalancedConnection permits TcpConnection, NativeTcpConnection {

    private static final System.Logger LOG = System.getLogger(RelayedConnection.class.getName());

    enum State { CONNECTING, ESTABLISHED, HALF_CLOSED, CLOSED }

    final InetSocketAddress clientAddress;
    private final InetSocketAddress vip;
    final LiveService service;
    private final RelayContext context;
    private final Executor loop;
    private volatile long lastActivity = System.nanoTime();
    /// Nanos by which the connect attempt must complete; 0 when not connecting.
    private volatile long connectDeadline;
    private volatile boolean finished;
    private boolean aborted;   // guarded by this

    // Confined to the loop's thread. "In" is client → real server, "out" the reverse.
    State state = State.CONNECTING;
    LiveService.Selection selection;
    private boolean inShut;
    private boolean outShut;

    RelayedConnection(InetSocketAddress clientAddress, InetSocketAddress vip, LiveService service,
            RelayContext context, Executor loop) {
        this.clientAddress = clientAddress;
        this.vip = vip;
        this.service = service;
        this.context = context;
        this.loop = loop;
    }

    /// Opens a socket toward the chosen real server and starts connecting, without blocking;
    /// calls [#established] or [#connectFailed] once the outcome is known.
    abstract void connectTo(InetSocketAddress target);

    /// Closes the real server's side of one direction (`towardServer`: client → real server).
    abstract void shutdownOutput(boolean towardServer) throws IOException;

    /// Closes both sockets, with a TCP reset when `reset`, and gives back the pending buffers.
    abstract void closeSockets(boolean reset);

    @Override
    public long lastActivity() {
        return lastActivity;
    }

    LiveService service() {
        return service;
    }

    boolean finished() {
        return finished;
    }

    /// Still waiting for the real server to accept (its connect timeout is running).
    boolean connecting() {
        return connectDeadline != 0;
    }

    /// On the loop's thread, once the client is registered: chooses the real server and connects.
    final void connect() {
        var sel = service.choose(new Flow(clientAddress.getAddress(), clientAddress.getPort(), vip.getAddress(),
                vip.getPort()));
        if (sel == null) {
            service.refused.increment();
            LOG.log(System.Logger.Level.DEBUG, () -> service.config().key() + ": no real server for " + clientAddress
                    + " (all quiescent or overloaded, and no sorry server)");
            finish(false);
            return;
        }
        selection = sel;
        sel.server().opened(this);
        connectDeadline = System.nanoTime() + service.config().connectTimeout().toNanos();
        connectTo(sel.server().config().address());
    }

    /// The real server accepted: the connection counts as active from now on.
    final void established() {
        connectDeadline = 0;
        state = State.ESTABLISHED;
        selection.server().established();
        touch();
    }

    /// The chosen real server did not accept: the client's connection fails with a reset.
    final void connectFailed(String reason) {
        var target = selection.server().config().address();
        LOG.log(System.Logger.Level.DEBUG, () -> service.config().key() + ": real server " + target
                + " did not accept " + clientAddress + " (" + reason + "): resetting the client");
        finish(true);
    }

    /// From the housekeeping thread: fails the connect attempt if its deadline has passed.
    final void checkConnectTimeout(long now) {
        var deadline = connectDeadline;
        if (deadline != 0 && now - deadline > 0) {
            loop.execute(() -> {
                if (!finished && state == State.CONNECTING && connectDeadline == deadline) {
                    connectFailed("connect timed out after " + service.config().connectTimeout().toMillis() + " ms");
                }
            });
        }
    }

    /// Bytes moved now.
    final void touch() {
        lastActivity = System.nanoTime();
    }

    /// `n` bytes were read from one direction's source: counted for the real server and the service.
    final void relayed(boolean inbound, int n) {
        touch();
        var counters = selection.server().counters;
        (inbound ? counters.bytesIn : counters.bytesOut).add(n);
        (inbound ? service.counters.bytesIn : service.counters.bytesOut).add(n);
    }

    /// One direction is complete: pass its end of stream on; both complete ends the connection.
    final void shutdown(boolean inbound) throws IOException {
        if (!(inbound ? outShut : inShut)) {
            shutdownOutput(inbound);
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

    /// From any thread: closes both sides on the loop's thread.
    @Override
    public final void abort(String reason) {
        synchronized (this) {
            if (aborted) {
                return;
            }
            aborted = true;
        }
        LOG.log(System.Logger.Level.DEBUG, () -> service.config().key() + ": closing " + clientAddress + ": " + reason);
        loop.execute(() -> finish(false));
    }

    /// On the loop's thread, once: closes the sockets (reset first if `reset`) and releases
    /// pending buffers, counts, persistence and the registry entry.
    final void finish(boolean reset) {
        if (finished) {
            return;
        }
        finished = true;
        var wasActive = state == State.ESTABLISHED;
        state = State.CLOSED;
        connectDeadline = 0;
        closeSockets(reset);
        var sel = selection;
        if (sel != null) {
            sel.server().closed(this, wasActive);
            service.release(sel);
        }
        context.release(service);
        context.tcpConnections.remove(this);
    }
}
