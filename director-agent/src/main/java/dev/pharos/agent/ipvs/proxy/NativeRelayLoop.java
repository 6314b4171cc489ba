package dev.pharos.agent.ipvs.proxy;

import dev.pharos.agent.linux.Epoll;
import dev.pharos.agent.linux.NativeBuffer;
import dev.pharos.agent.linux.NativeException;
import dev.pharos.agent.linux.TcpSockets;
import java.util.ArrayDeque;
import java.util.Arrays;

/// One platform thread accepting, connecting and relaying TCP connections on raw Linux calls
/// ([Epoll], [TcpSockets]): the native counterpart of [RelayLoop], with the same contract (a
/// connection lives on the loop that accepted it; other threads hand work in with [#execute]).
///
/// Why a second relay rather than NIO: on short connections the JDK's NIO makes ~30 system
/// calls per connection against HAProxy's 18 (`fcntl` on every accepted socket, `getsockname`
/// after connecting, `poll` + `getsockopt` in `finishConnect`, a key update per interest change)
/// and cannot send the last response bytes and the FIN in one segment (`MSG_MORE`).
/// `bench/results/balancer.md` has the figures.
///
/// Sockets are registered once, edge-triggered, for both directions (`EPOLLIN | EPOLLOUT |
/// EPOLLRDHUP | EPOLLET`), and never modified: a handler keeps the readiness an event reported
/// until a call returns `EAGAIN`, so backpressure ("do not read a side while its peer has pending
/// bytes") costs no `epoll_ctl`. A closed descriptor leaves the epoll set by itself. Each
/// registration's data word carries the descriptor and a generation, so an event of a
/// descriptor closed and reused within one batch of events is dropped, not misdelivered.
final class NativeRelayLoop extends RelayThread {

    private static final System.Logger LOG = System.getLogger(NativeRelayLoop.class.getName());
    private static final int MAX_EVENTS = 256;

    final Epoll epoll;
    /// The system calls of this thread (the instance holds this thread's call memory).
    final TcpSockets sockets;
    /// Every read goes here first and is sent on at once; only what the destination cannot take
    /// yet is copied into a pending buffer of [#pending].
    final NativeBuffer shared;
    final BufferPool<NativeBuffer> pending;
    /// Connections that stopped relaying to let others run while still readable (edge-triggered:
    /// no new event would come for them); resumed after this turn's events.
    private final ArrayDeque<NativeTcpConnection> again = new ArrayDeque<>();
    // Confined to the loop's thread: the handler and registration generation of each descriptor.
    private NativeLoopHandler[] handlers = new NativeLoopHandler[1024];
    private int[] generations = new int[1024];

    /// @throws NativeException when epoll cannot be opened (e.g. out of descriptors)
    NativeRelayLoop(int index, int bufferSize, BufferPool<NativeBuffer> pending) throws NativeException {
        this.sockets = TcpSockets.open();
        try {
            this.epoll = Epoll.open(MAX_EVENTS);
        } catch (NativeException e) {
            sockets.close();
            throw e;
        }
        this.shared = NativeBuffer.allocate(bufferSize);
        this.pending = pending;
        start(index);
    }

    @Override
    void wakeup() {
        epoll.wakeup();
    }

    /// On this loop's thread: watches `fd` for `interest`, delivering its events to `handler`.
    void register(int fd, int interest, NativeLoopHandler handler) throws NativeException {
        if (fd >= handlers.length) {
            int size = Math.max(fd + 1, handlers.length * 2);
            handlers = Arrays.copyOf(handlers, size);
            generations = Arrays.copyOf(generations, size);
        }
        int generation = ++generations[fd];
        handlers[fd] = handler;
        try {
            epoll.add(fd, interest, ((long) generation << 32) | (fd & 0xFFFF_FFFFL));
        } catch (NativeException e) {
            handlers[fd] = null;
            throw e;
        }
    }

    /// On this loop's thread: changes the interest of a registered `fd` (listeners pause with it).
    void modify(int fd, int interest) throws NativeException {
        epoll.modify(fd, interest, ((long) generations[fd] << 32) | (fd & 0xFFFF_FFFFL));
    }

    /// On this loop's thread: forgets `fd`'s handler and closes it (which also leaves the epoll set).
    void closeFd(int fd) {
        if (fd < handlers.length) {
            handlers[fd] = null;
        }
        sockets.close(fd);
    }

    /// On this loop's thread: `c` is to relay again after this turn's events.
    void again(NativeTcpConnection c) {
        again.add(c);
    }

    @Override
    void run() {
        try {
            while (open()) {
                int timeout = !tasksWaiting() && again.isEmpty() ? -1 : 0;
                int n;
                try {
                    n = epoll.await(timeout);
                } catch (NativeException e) {
                    LOG.log(System.Logger.Level.WARNING, () -> "TCP relay epoll_wait failed: " + e.getMessage());
                    continue;
                }
                for (int i = 0; i < n; i++) {
                    dispatch(epoll.data(i), epoll.events(i));
                }
                for (int i = again.size(); i > 0; i--) {
                    resume(again.poll());
                }
                runTasks();
            }
            // Closing: whatever is still registered (a connection accepted while the balancer
            // shut down, the listening sockets) is closed here, so no descriptor outlives the loop.
            runTasks();
            for (int fd = 0; fd < handlers.length; fd++) {
                var h = handlers[fd];
                if (h != null) {
                    try {
                        h.loopClosing(fd, this);
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.ERROR, "closing a TCP relay handler failed", e);
                    }
                }
            }
        } finally {
            epoll.close();
            sockets.close();
        }
    }

    private void dispatch(long data, int events) {
        if (data == Epoll.WAKEUP) {
            return;
        }
        int fd = (int) data;
        var h = fd < handlers.length ? handlers[fd] : null;
        if (h == null || generations[fd] != (int) (data >>> 32)) {
            return;   // closed (and maybe reused) earlier in this batch
        }
        try {
            h.onEvent(fd, events, this);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    private static void resume(NativeTcpConnection c) {
        try {
            c.relay();
        } catch (RuntimeException e) {
            failed(e);
        }
    }
}
