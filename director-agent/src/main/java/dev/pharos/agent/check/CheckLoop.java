package dev.pharos.agent.check;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/// One platform thread with a selector and a timer heap: the network checks (`TCP_CHECK` and
/// plain `HTTP_GET`) run here as non-blocking exchanges, and the scheduler's timers fire here, so
/// a check that falls due starts its connection on the same thread without a hand-off. A virtual
/// thread per attempt cost two or three thread wake-ups per check (timer → carrier → poller →
/// carrier), which at 10,000 checks/s was a third of the agent's CPU.
///
/// Everything submitted runs on the loop thread, in order; handlers and tasks must not block.
final class CheckLoop implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(CheckLoop.class.getName());
    /// Purge called-off timers once this many wait in the heap (and they are half of it).
    private static final int PURGE_AT = 1024;

    /// Reacts to a channel's readiness, on the loop thread.
    interface Handler {
        void ready(SelectionKey key);

        /// The loop is closing: release the channel, report nothing.
        void abandon();
    }

    /// A task due at a time; can be called off from any thread.
    static final class Timeout implements Comparable<Timeout> {
        private final long due;
        private long sequence;
        private final Runnable task;
        private final CheckLoop loop;
        private volatile boolean cancelled;

        private Timeout(CheckLoop loop, long due, Runnable task) {
            this.loop = loop;
            this.due = due;
            this.task = task;
        }

        void cancel() {
            if (!cancelled) {
                cancelled = true;
                loop.cancelled.incrementAndGet();
            }
        }

        @Override
        public int compareTo(Timeout o) {
            int c = Long.compare(due - o.due, 0);
            return c != 0 ? c : Long.compare(sequence, o.sequence);
        }
    }

    /// Scratch space of the loop thread: one direct buffer for socket reads and writes (no copy
    /// through a temporary direct buffer) and one array to parse from.
    final ByteBuffer buffer = ByteBuffer.allocateDirect(16 * 1024);
    final byte[] bytes = new byte[16 * 1024];

    private final Selector selector;
    private final Thread thread;
    private final PriorityQueue<Timeout> timeouts = new PriorityQueue<>();
    private final ConcurrentLinkedQueue<Runnable> inbox = new ConcurrentLinkedQueue<>();
    private final AtomicInteger cancelled = new AtomicInteger();
    private long sequence;
    private volatile boolean closed;

    CheckLoop(String name) {
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector for the health checks", e);
        }
        thread = Thread.ofPlatform().name(name).daemon().unstarted(this::run);
        thread.start();
    }

    /// The loop of probes made outside a scheduler (tests, `genhash`): started on first use,
    /// never closed.
    static CheckLoop shared() {
        return Shared.LOOP;
    }

    private static final class Shared {
        static final CheckLoop LOOP = new CheckLoop("check-io-shared");
    }

    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /// Runs `task` on the loop thread: at once when called there, else soon.
    void execute(Runnable task) {
        if (closed) {
            throw new RejectedExecutionException("the check loop is closed");
        }
        if (inLoop()) {
            task.run();
            return;
        }
        inbox.add(task);
        selector.wakeup();
    }

    /// Runs `task` on the loop thread after `delayNanos`.
    Timeout after(long delayNanos, Runnable task) {
        var timeout = new Timeout(this, System.nanoTime() + Math.max(0, delayNanos), task);
        if (inLoop()) {
            add(timeout);
        } else {
            execute(() -> add(timeout));
        }
        return timeout;
    }

    private void add(Timeout t) {
        t.sequence = sequence++; // equal due times run in the order they were set
        timeouts.add(t);
    }

    /// Registers `channel` with this loop's selector; loop thread only.
    SelectionKey register(SelectableChannel channel, int ops, Handler handler) throws IOException {
        return channel.register(selector, ops, handler);
    }

    private void run() {
        while (!closed) {
            long wait = runDue();
            try {
                if (wait < 0) {
                    selector.select(this::dispatch);
                } else if (wait == 0) {
                    selector.selectNow(this::dispatch);
                } else {
                    selector.select(this::dispatch, wait);
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.ERROR, "health-check loop: select failed", e);
            }
            for (Runnable task; (task = inbox.poll()) != null; ) {
                safely(task);
            }
        }
        for (var key : selector.keys()) {
            if (key.attachment() instanceof Handler h) {
                h.abandon();
            }
        }
        try {
            selector.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "health-check loop: closing the selector failed", e);
        }
    }

    /// Runs the timers that are due; returns milliseconds until the next one, 0 to poll, −1 for none.
    private long runDue() {
        if (cancelled.get() > PURGE_AT && cancelled.get() > timeouts.size() / 2) {
            cancelled.set(0);
            timeouts.removeIf(t -> t.cancelled);
        }
        for (int ran = 0; ; ran++) {
            var next = timeouts.peek();
            if (next == null) {
                return -1;
            }
            long left = next.due - System.nanoTime();
            if (left > 0) {
                return Math.max(1, (left + 999_999) / 1_000_000);
            }
            if (ran >= 4096 || !inbox.isEmpty() && ran >= 256) {
                return 0; // let I/O and submitted tasks in between a burst of timers
            }
            timeouts.poll();
            if (next.cancelled) {
                cancelled.decrementAndGet();
            } else {
                safely(next.task);
            }
        }
    }

    private void dispatch(SelectionKey key) {
        if (key.attachment() instanceof Handler h) {
            try {
                h.ready(key);
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "health-check loop: a handler failed", e);
            }
        }
    }

    private static void safely(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "health-check loop: a task failed", e);
        }
    }

    /// Stops the loop; channels still registered are closed without a result.
    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        if (!inLoop()) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
