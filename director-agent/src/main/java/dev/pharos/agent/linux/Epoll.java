package dev.pharos.agent.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.atomic.AtomicBoolean;

/// An epoll instance (`epoll(7)`) with an eventfd that [#wakeup] signals from any thread.
///
/// One thread owns it: [#add], [#modify], [#remove] and [#await] run there, and the ready events
/// of the last [#await] are read with [#events] and [#data] without any allocation. Each
/// registration carries a 64-bit `data` word chosen by the caller (e.g. descriptor and a
/// generation, so an event of a descriptor closed and reused in the same batch is recognised).
/// The wake-up eventfd reports `data` [#WAKEUP], and [#await] has already reset it by then.
///
/// A descriptor leaves the epoll set by itself when it is closed (no `EPOLL_CTL_DEL` needed)
/// as long as it was not duplicated.
public final class Epoll implements AutoCloseable {

    public static final int IN = 0x001;
    public static final int OUT = 0x004;
    public static final int ERR = 0x008;
    public static final int HUP = 0x010;
    public static final int RDHUP = 0x2000;
    /// `EPOLLET`: report a change of readiness once, not while it lasts.
    public static final int EDGE = 1 << 31;
    /// The `data` of the wake-up eventfd's events.
    public static final long WAKEUP = -1L;

    private static final int EPOLL_CLOEXEC = 0x80000;
    private static final int CTL_ADD = 1;
    private static final int CTL_DEL = 2;
    private static final int CTL_MOD = 3;
    /// `struct epoll_event` is packed on x86_64 (12 bytes) and naturally aligned elsewhere (16).
    private static final boolean PACKED = "amd64".equals(System.getProperty("os.arch"))
            || "x86_64".equals(System.getProperty("os.arch"));
    private static final int EVENT_SIZE = PACKED ? 12 : 16;
    private static final int DATA_OFFSET = PACKED ? 4 : 8;

    private static final MethodHandle CREATE = Libc.downcall("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle CTL = Libc.downcall("epoll_ctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle WAIT = Libc.downcall("epoll_wait",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle READ = Libc.downcall("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));

    private final int epfd;
    private final int wakeFd;
    private final int maxEvents;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment capture;
    private final MemorySegment events;
    private final MemorySegment one;
    private final MemorySegment counter;
    /// True while a wake-up is signalled and not consumed yet: [#wakeup] writes at most once.
    private final AtomicBoolean signalled = new AtomicBoolean();
    private volatile boolean closed;

    private Epoll(int epfd, int wakeFd, int maxEvents) {
        this.epfd = epfd;
        this.wakeFd = wakeFd;
        this.maxEvents = maxEvents;
        this.capture = Libc.capture(arena);
        this.events = arena.allocate((long) EVENT_SIZE * maxEvents, 8);
        this.one = arena.allocate(EVENT_SIZE, 8);
        this.counter = arena.allocate(JAVA_LONG);
    }

    /// Opens an epoll set reporting up to `maxEvents` events per [#await], with its wake-up eventfd.
    ///
    /// @throws NativeException when the kernel refuses (e.g. `EMFILE`)
    public static Epoll open(int maxEvents) throws NativeException {
        if (maxEvents <= 0) {
            throw new IllegalArgumentException("maxEvents must be positive, not " + maxEvents);
        }
        int epfd;
        try (var a = Arena.ofConfined()) {
            var cs = Libc.capture(a);
            epfd = (int) CREATE.invokeExact(cs, EPOLL_CLOEXEC);
            if (epfd < 0) {
                throw new NativeException("epoll_create1", Libc.errno(cs));
            }
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        int wake;
        try {
            wake = Libc.eventfd();
        } catch (NativeException e) {
            Libc.close(epfd);
            throw e;
        }
        var ep = new Epoll(epfd, wake, maxEvents);
        try {
            ep.add(wake, IN, WAKEUP);
        } catch (NativeException e) {
            ep.close();
            throw e;
        }
        return ep;
    }

    /// Watches `fd` for `interest` ([#IN], [#OUT], [#RDHUP], [#EDGE] …); events carry `data`.
    public void add(int fd, int interest, long data) throws NativeException {
        ctl(CTL_ADD, fd, interest, data, "EPOLL_CTL_ADD");
    }

    public void modify(int fd, int interest, long data) throws NativeException {
        ctl(CTL_MOD, fd, interest, data, "EPOLL_CTL_MOD");
    }

    public void remove(int fd) throws NativeException {
        ctl(CTL_DEL, fd, 0, 0, "EPOLL_CTL_DEL");
    }

    private void ctl(int op, int fd, int interest, long data, String what) throws NativeException {
        one.set(JAVA_INT_UNALIGNED, 0, interest);
        one.set(JAVA_LONG_UNALIGNED, DATA_OFFSET, data);
        int rc;
        try {
            rc = (int) CTL.invokeExact(capture, epfd, op, fd, one);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (rc < 0) {
            throw new NativeException("epoll_ctl(" + what + ", fd " + fd + ")", Libc.errno(capture));
        }
    }

    /// Waits up to `timeoutMillis` (-1: no limit, 0: do not block) for events; returns how many
    /// are ready (0 on timeout or a signal). A wake-up is reset here and reported as [#WAKEUP].
    public int await(int timeoutMillis) throws NativeException {
        int n;
        try {
            n = (int) WAIT.invokeExact(capture, epfd, events, maxEvents, timeoutMillis);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (n < 0) {
            int e = Libc.errno(capture);
            if (e == Errno.EINTR) {
                return 0;
            }
            throw new NativeException("epoll_wait", e);
        }
        for (int i = 0; i < n; i++) {
            if (data(i) == WAKEUP) {
                // Reset before clearing the flag: a wakeup() after this point signals again.
                try {
                    long ignored = (long) READ.invokeExact(capture, wakeFd, counter, 8L);
                } catch (Throwable t) {
                    throw new IllegalStateException(t);
                }
                signalled.set(false);
            }
        }
        return n;
    }

    /// The event bits of ready event `i` of the last [#await].
    public int events(int i) {
        return events.get(JAVA_INT_UNALIGNED, (long) i * EVENT_SIZE);
    }

    /// The `data` word of ready event `i` of the last [#await].
    public long data(int i) {
        return events.get(JAVA_LONG_UNALIGNED, (long) i * EVENT_SIZE + DATA_OFFSET);
    }

    /// From any thread: makes the current or next [#await] return. Cheap when already signalled.
    public void wakeup() {
        if (signalled.compareAndSet(false, true)) {
            // Under the lock close() takes: never write to a descriptor number closed and reused.
            synchronized (this) {
                if (!closed) {
                    Libc.signal(wakeFd);
                }
            }
        }
    }

    /// On the owning thread, once it no longer waits.
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Libc.close(wakeFd);
        Libc.close(epfd);
        arena.close();
    }
}
