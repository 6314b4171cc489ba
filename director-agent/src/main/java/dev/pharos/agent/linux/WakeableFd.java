package dev.pharos.agent.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/// A descriptor a thread can wait on with `poll` and that [#close] wakes at once: the descriptor
/// and an eventfd share one poll set. Calls run between [#acquire] and [#release], which count
/// them; close signals the eventfd, then waits for the count to reach zero, so the descriptor,
/// the eventfd and [#arena]'s memory are released only once no call uses them.
///
/// The count is one atomic integer, not a read-write lock: a second thread taking a
/// `ReentrantReadWriteLock`'s read lock while the receiving thread held it loaded a class on
/// the spot, the first time — a new master's first advert, 0.2 ms late (bench/failover).
final class WakeableFd implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(WakeableFd.class.getName());
    /// [#close] gives up waiting for calls after this long and leaves the descriptor open: a
    /// leak, where freeing memory a call still uses could crash the process.
    private static final long CLOSE_WAIT_NANOS = Duration.ofSeconds(10).toNanos();
    private static final int CLOSED = -1;

    final int fd;
    /// Memory that lives as long as the descriptor (receive buffers).
    final Arena arena = Arena.ofShared();
    private final int wakeFd;
    private final MemorySegment pollFds;
    /// Calls in progress, or [#CLOSED].
    private final AtomicInteger calls = new AtomicInteger();
    private volatile boolean closed;

    /// Takes ownership of `fd`; opens the eventfd (closing `fd` if that fails).
    static WakeableFd of(int fd) throws NativeException {
        try {
            return new WakeableFd(fd, Libc.eventfd());
        } catch (NativeException | RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    private WakeableFd(int fd, int wakeFd) {
        this.fd = fd;
        this.wakeFd = wakeFd;
        this.pollFds = arena.allocate(16);
        pollFds.set(ValueLayout.JAVA_INT, 0, fd);
        pollFds.set(ValueLayout.JAVA_SHORT, 4, (short) Libc.POLLIN);
        pollFds.set(ValueLayout.JAVA_INT, 8, wakeFd);
        pollFds.set(ValueLayout.JAVA_SHORT, 12, (short) Libc.POLLIN);
    }

    /// Starts a call: false (nothing held) once closed; otherwise [#release] must follow.
    boolean acquire() {
        for (int attempt = 0; attempt < 1_000_000; attempt++) {
            int c = calls.get();
            if (c == CLOSED || closed) {
                return false;
            }
            if (calls.compareAndSet(c, c + 1)) {
                return true;
            }
        }
        return false; // a million lost races: treat as closing
    }

    void release() {
        calls.decrementAndGet();
    }

    /// Inside a call: waits at most `timeout`; true when the descriptor is readable, false on
    /// timeout or when [#close] woke it.
    boolean awaitReadable(Duration timeout) throws NativeException {
        int ready = Libc.poll(pollFds, 2, (int) Math.min(Integer.MAX_VALUE, Math.max(0, timeout.toMillis())));
        return !closed && ready > 0 && (pollFds.get(ValueLayout.JAVA_SHORT, 6) & Libc.POLLIN) != 0;
    }

    /// Wakes a waiting call, waits for calls to end, releases everything. Idempotent.
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Libc.signal(wakeFd);
        long end = System.nanoTime() + CLOSE_WAIT_NANOS;
        while (!calls.compareAndSet(0, CLOSED)) {
            if (System.nanoTime() - end > 0) {
                LOG.log(System.Logger.Level.WARNING, "descriptor {0} still in use after {1} s; left open", fd,
                        Duration.ofNanos(CLOSE_WAIT_NANOS).toSeconds());
                return;
            }
            LockSupport.parkNanos(100_000);
        }
        Libc.close(fd);
        Libc.close(wakeFd);
        arena.close();
    }
}
