package dev.pharos.agent.ipvs.proxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Consumer;

/// One selector thread accepting, connecting and relaying TCP connections (all sockets
/// non-blocking).
///
/// Why a selector here and not a virtual thread per direction: measured with `bench/balancer`,
/// the virtual-thread relay spent noticeably more CPU per request than HAProxy, most of it in the
/// park / poller re-registration / unpark round trip every time a socket had nothing to read.
/// A selector keeps each socket registered and reads it when epoll says so. Every read goes into
/// this loop's one shared buffer and is written on at once; only bytes the other side cannot take
/// yet are copied into a per-direction buffer, and while that buffer is non-empty the reading
/// side is not read (backpressure). An idle connection holds no buffer at all.
///
/// Everything about a registered connection happens on this thread; other threads hand work in
/// with [#execute], which wakes the selector.
///
/// Closing a socket goes through [#closeAfterDeregistration]: the JDK cannot release a channel
/// still registered with a selector, so `close()` on one does a `getsockopt(SO_LINGER)` and a
/// `shutdown` (failing with `ENOTCONN` after a normal end) and leaves the descriptor to the next
/// select. Cancelling the key and closing after the next select — which deregisters it — costs
/// one `close` instead: four system calls fewer per relayed connection.
final class RelayLoop extends RelayThread {

    private static final System.Logger LOG = System.getLogger(RelayLoop.class.getName());

    private final Selector selector;
    /// Sockets whose keys are cancelled, to close once the next select has deregistered them.
    private final ArrayDeque<SocketChannel> toClose = new ArrayDeque<>();
    /// Runs a ready key's handler; one instance, so a wake-up allocates nothing.
    private final Consumer<SelectionKey> onReady = this::dispatch;
    final ByteBuffer shared;
    final BufferPool<ByteBuffer> pending;

    RelayLoop(int index, int bufferSize, BufferPool<ByteBuffer> pending) {
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector for the TCP relay: " + e.getMessage(), e);
        }
        this.shared = ByteBuffer.allocateDirect(bufferSize);
        this.pending = pending;
        start(index);
    }

    Selector selector() {
        return selector;
    }

    @Override
    void wakeup() {
        selector.wakeup();
    }

    /// On this loop's thread: cancels `ch`'s key on this loop's selector and closes `ch` once the
    /// next select has deregistered it (at once when it is not registered). A TCP reset wanted on
    /// close must be asked for (`SO_LINGER` 0) before calling this.
    void closeAfterDeregistration(SocketChannel ch) {
        var key = ch.keyFor(selector);
        if (key == null) {
            closeQuietly(ch);
            return;
        }
        key.cancel();
        toClose.add(ch);
    }

    @Override
    void run() {
        while (open()) {
            // Sockets queued before this select are deregistered by it; a queue that is not empty
            // must not wait for traffic to be closed, so the select does not block then.
            var closable = toClose.size();
            try {
                // The consumer form hands each ready key straight to its handler: no selected-key
                // set to fill, iterate (an iterator per turn) and clear on every wake-up.
                if (closable == 0) {
                    selector.select(onReady);
                } else {
                    selector.selectNow(onReady);
                }
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, () -> "TCP relay selector failed: " + e.getMessage());
                continue;
            } catch (ClosedSelectorException e) {
                return;
            }
            for (int i = 0; i < closable; i++) {
                closeQuietly(toClose.poll());
            }
            runTasks();
        }
        // Closing: whatever is still registered (a connection accepted while the balancer shut
        // down) is closed here, so no socket outlives the loop.
        runTasks();
        for (var key : List.copyOf(selector.keys())) {
            try {
                ((LoopHandler) key.attachment()).loopClosing();
            } catch (RuntimeException e) {
                failed(e);
            }
        }
        try {
            selector.selectNow();   // deregisters what the handlers cancelled
        } catch (IOException | ClosedSelectorException e) {
            // Closing the selector below releases them too.
        }
        SocketChannel ch;
        while ((ch = toClose.poll()) != null) {
            closeQuietly(ch);
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // Closing is best effort; the descriptor is released either way.
        }
    }

    private void dispatch(SelectionKey key) {
        try {
            ((LoopHandler) key.attachment()).onReady(key, this);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void close() {
        super.close();
        try {
            selector.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "closing the relay selector: " + e.getMessage());
        }
    }
}
