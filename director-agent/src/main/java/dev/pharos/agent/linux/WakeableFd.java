package dev.pharos.agent.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/// A descriptor a thread can wait on with `poll` and that [#close] wakes at once: the descriptor
/// and an eventfd share one poll set. Calls run between [#acquire] and [#release] (a shared
/// lock); close signals the eventfd, then takes the lock exclusively, so the descriptor, the
/// eventfd and [#arena]'s memory are released only once no call uses them.
final class WakeableFd implements AutoCloseable {

    final int fd;
    /// Memory that lives as long as the descriptor (receive buffers).
    final Arena arena = Arena.ofShared();
    private final int wakeFd;
    private final MemorySegment pollFds;
    private final ReadWriteLock use = new ReentrantReadWriteLock();
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
        use.readLock().lock();
        if (closed) {
            use.readLock().unlock();
            return false;
        }
        return true;
    }

    void release() {
        use.readLock().unlock();
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
        use.writeLock().lock();
        try {
            Libc.close(fd);
            Libc.close(wakeFd);
            arena.close();
        } finally {
            use.writeLock().unlock();
        }
    }
}
