package dev.pharos.agent.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/// The C library functions Pharos calls, each a handle created once. Functions that set errno
/// capture it with the call (`Linker.Option.captureCallState`): the first argument of those handles
/// is the capture segment.
final class Libc {

    // Linux x86_64 / aarch64 constants (the same on both).
    static final int AF_UNIX = 1;
    static final int AF_INET = 2;
    static final int AF_NETLINK = 16;
    static final int AF_PACKET = 17;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_RAW = 3;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_REUSEADDR = 2;
    static final int SO_RCVBUF = 8;
    static final int SO_BINDTODEVICE = 25;
    /// Also the control message type (`SCM_TIMESTAMPNS`) that carries the timestamp.
    static final int SO_TIMESTAMPNS = 35;
    static final int IPPROTO_IP = 0;
    static final int IP_TTL = 2;
    static final int IP_RECVTTL = 12;
    static final int IP_MULTICAST_IF = 32;
    static final int IP_MULTICAST_TTL = 33;
    static final int IP_MULTICAST_LOOP = 34;
    static final int IP_ADD_MEMBERSHIP = 35;
    static final int AF_INET6 = 10;
    static final int IPPROTO_IPV6 = 41;
    static final int IPV6_CHECKSUM = 7;
    static final int IPV6_UNICAST_HOPS = 16;
    static final int IPV6_MULTICAST_IF = 17;
    static final int IPV6_MULTICAST_HOPS = 18;
    static final int IPV6_MULTICAST_LOOP = 19;
    static final int IPV6_ADD_MEMBERSHIP = 20;
    static final int IPV6_RECVPKTINFO = 49;
    /// Also the control message type that carries the destination address and interface.
    static final int IPV6_PKTINFO = 50;
    static final int IPV6_RECVHOPLIMIT = 51;
    /// Also the control message type that carries the received hop limit.
    static final int IPV6_HOPLIMIT = 52;
    static final int POLLIN = 1;
    static final int EFD_CLOEXEC = 0x80000;
    static final int EFD_NONBLOCK = 0x800;
    static final int MSG_DONTWAIT = 0x40;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO_HANDLE =
            CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    // The handles every user of this class needs: an epoll set or a wakeable descriptor opens an
    // eventfd, signals it and closes descriptors.
    private static final MethodHandle CLOSE = errnoHandle("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle EVENTFD = errnoHandle("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle WRITE = errnoHandle("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));

    // The others are created on first use, a group at a time (a holder class is initialised when
    // it is first read): each new call shape makes the JDK generate a stub and a few method-handle
    // classes, and the user-space balancer, which needs none of these, would otherwise pay for
    // them at every start in memory and start-up time.

    /// Socket set-up, for the raw, UDP and netlink sockets.
    private static final class Sockets {
        static final MethodHandle SOCKET = errnoHandle("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        static final MethodHandle SETSOCKOPT = errnoHandle("setsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle BIND = errnoHandle("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    }

    /// Datagram traffic, and waiting for it (`WakeableFd`).
    private static final class Datagrams {
        static final MethodHandle SENDTO = errnoHandle("sendto",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle RECVFROM = errnoHandle("recvfrom",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
        static final MethodHandle RECVMSG = errnoHandle("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle POLL = errnoHandle("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    }

    /// Interfaces by name.
    private static final class Interfaces {
        /// `ioctl(fd, request, struct ifreq *)`: variadic in C, so its third argument is declared so.
        static final MethodHandle IOCTL = LINKER.downcallHandle(
                LINKER.defaultLookup().find("ioctl").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), ERRNO, Linker.Option.firstVariadicArg(2));
        static final MethodHandle IF_NAMETOINDEX = errnoHandle("if_nametoindex", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    /// Calls that do not set errno, each needed once at most.
    private static final class Plain {
        static final MethodHandle STRERROR = LINKER.downcallHandle(
                LINKER.defaultLookup().find("strerror").orElseThrow(), FunctionDescriptor.of(ADDRESS, JAVA_INT));
        static final MethodHandle GETEUID = LINKER.downcallHandle(
                LINKER.defaultLookup().find("geteuid").orElseThrow(), FunctionDescriptor.of(JAVA_INT));
    }

    private Libc() {
    }

    private static MethodHandle errnoHandle(String name, FunctionDescriptor fd) {
        var symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new IllegalStateException("the C library has no " + name));
        return LINKER.downcallHandle(symbol, fd, ERRNO);
    }

    /// A downcall handle for `name` capturing errno (the handle's first argument is the capture
    /// segment), for the other files of this package that keep their own handles.
    static MethodHandle downcall(String name, FunctionDescriptor fd) {
        return errnoHandle(name, fd);
    }

    static int errno(MemorySegment capture) {
        return (int) ERRNO_HANDLE.get(capture, 0L);
    }

    /// A fresh capture segment for one call, in the caller's arena.
    static MemorySegment capture(Arena arena) {
        return arena.allocate(CAPTURE_LAYOUT);
    }

    static int socket(int domain, int type, int protocol, String what) throws NativeException {
        try (var arena = Arena.ofConfined()) {
            var cs = capture(arena);
            int fd = (int) Sockets.SOCKET.invokeExact(cs, domain, type | SOCK_CLOEXEC, protocol);
            if (fd < 0) {
                throw new NativeException("socket(" + what + ")", errno(cs));
            }
            return fd;
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static void setsockopt(int fd, int level, int option, MemorySegment value, String what) throws NativeException {
        try (var arena = Arena.ofConfined()) {
            var cs = capture(arena);
            int rc = (int) Sockets.SETSOCKOPT.invokeExact(cs, fd, level, option, value, (int) value.byteSize());
            if (rc < 0) {
                throw new NativeException("setsockopt(" + what + ")", errno(cs));
            }
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static void setsockoptInt(int fd, int level, int option, int value, String what) throws NativeException {
        try (var arena = Arena.ofConfined()) {
            var v = arena.allocate(JAVA_INT);
            v.set(JAVA_INT, 0, value);
            setsockopt(fd, level, option, v, what);
        }
    }

    static void bind(int fd, MemorySegment address, String what) throws NativeException {
        try (var arena = Arena.ofConfined()) {
            var cs = capture(arena);
            int rc = (int) Sockets.BIND.invokeExact(cs, fd, address, (int) address.byteSize());
            if (rc < 0) {
                throw new NativeException("bind(" + what + ")", errno(cs));
            }
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static long sendto(int fd, MemorySegment buffer, long length, MemorySegment address, String what)
            throws NativeException {
        try (var arena = Arena.ofConfined()) {
            return sendto(fd, buffer, length, address, capture(arena), what);
        }
    }

    /// [#sendto(int, MemorySegment, long, MemorySegment, String)] with the caller's own capture
    /// segment: a send path that keeps its buffers allocates nothing.
    static long sendto(int fd, MemorySegment buffer, long length, MemorySegment address, MemorySegment capture,
            String what) throws NativeException {
        try {
            long n = (long) Datagrams.SENDTO.invokeExact(capture, fd, buffer, length, 0, address,
                    address.equals(MemorySegment.NULL) ? 0 : (int) address.byteSize());
            if (n < 0) {
                throw new NativeException("sendto(" + what + ")", errno(capture));
            }
            return n;
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /// recvfrom without blocking; -1 when nothing is waiting (EAGAIN).
    static long recvfrom(int fd, MemorySegment buffer, MemorySegment from, MemorySegment fromLength, String what)
            throws NativeException {
        try (var arena = Arena.ofConfined()) {
            return recvfrom(fd, buffer, from, fromLength, capture(arena), what);
        }
    }

    /// [#recvfrom(int, MemorySegment, MemorySegment, MemorySegment, String)] with the caller's own
    /// capture segment.
    static long recvfrom(int fd, MemorySegment buffer, MemorySegment from, MemorySegment fromLength,
            MemorySegment cs, String what) throws NativeException {
        try {
            long n = (long) Datagrams.RECVFROM.invokeExact(cs, fd, buffer, buffer.byteSize(), MSG_DONTWAIT, from, fromLength);
            if (n < 0) {
                int e = errno(cs);
                if (e == Errno.EAGAIN || e == Errno.EINTR) {
                    return -1;
                }
                throw new NativeException("recvfrom(" + what + ")", e);
            }
            return n;
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /// recvmsg without blocking into a prepared `msghdr`; -1 when nothing is waiting (EAGAIN).
    /// `capture` is the caller's own capture segment, so a receive loop allocates nothing.
    static long recvmsg(int fd, MemorySegment msghdr, MemorySegment capture, String what) throws NativeException {
        try {
            long n = (long) Datagrams.RECVMSG.invokeExact(capture, fd, msghdr, MSG_DONTWAIT);
            if (n < 0) {
                int e = errno(capture);
                if (e == Errno.EAGAIN || e == Errno.EINTR) {
                    return -1;
                }
                throw new NativeException("recvmsg(" + what + ")", e);
            }
            return n;
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /// poll on `fds` (pollfd array) for at most `timeoutMillis`; returns the number ready (0 on timeout or EINTR).
    static int poll(MemorySegment fds, int count, int timeoutMillis) throws NativeException {
        try (var arena = Arena.ofConfined()) {
            return poll(fds, count, timeoutMillis, capture(arena));
        }
    }

    /// [#poll(MemorySegment, int, int)] with the caller's own capture segment.
    static int poll(MemorySegment fds, int count, int timeoutMillis, MemorySegment cs) throws NativeException {
        try {
            int rc = (int) Datagrams.POLL.invokeExact(cs, fds, (long) count, timeoutMillis);
            if (rc < 0) {
                int e = errno(cs);
                if (e == Errno.EINTR) {
                    return 0;
                }
                throw new NativeException("poll", e);
            }
            return rc;
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static void close(int fd) {
        try (var arena = Arena.ofConfined()) {
            var cs = capture(arena);
            int rc = (int) CLOSE.invokeExact(cs, fd);
            if (rc < 0) {
                System.getLogger(Libc.class.getName()).log(System.Logger.Level.DEBUG,
                        "close({0}) failed: {1}", fd, Errno.name(errno(cs)));
            }
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static int eventfd() throws NativeException {
        try (var arena = Arena.ofConfined()) {
            var cs = capture(arena);
            int fd = (int) EVENTFD.invokeExact(cs, 0, EFD_CLOEXEC | EFD_NONBLOCK);
            if (fd < 0) {
                throw new NativeException("eventfd", errno(cs));
            }
            return fd;
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /// Adds 1 to an eventfd (wakes a poll on it); errors are ignored: the reader is closing anyway.
    static void signal(int eventFd) {
        try (var arena = Arena.ofConfined()) {
            var cs = capture(arena);
            var one = arena.allocate(JAVA_LONG);
            one.set(JAVA_LONG, 0, 1L);
            long ignored = (long) WRITE.invokeExact(cs, eventFd, one, 8L);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /// `ioctl(fd, request, arg)` with the caller's own capture segment `cs`; returns its result or
    /// throws with the errno.
    static int ioctl(int fd, long request, MemorySegment arg, MemorySegment cs, String what) throws NativeException {
        try {
            int r = (int) Interfaces.IOCTL.invokeExact(cs, fd, request, arg);
            if (r < 0) {
                throw new NativeException(what, errno(cs));
            }
            return r;
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /// The index of interface `name`, or a clear error when there is none.
    static int ifNameToIndex(String name) throws NativeException {
        try (var arena = Arena.ofConfined()) {
            var cs = capture(arena);
            int index = (int) Interfaces.IF_NAMETOINDEX.invokeExact(cs, arena.allocateFrom(name));
            if (index == 0) {
                throw new NativeException("if_nametoindex(" + name + ")", errno(cs), "there is no interface " + name);
            }
            return index;
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static String strerror(int errno) {
        try {
            var p = (MemorySegment) Plain.STRERROR.invokeExact(errno);
            return p.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "error " + errno;
        }
    }

    static int geteuid() {
        try {
            return (int) Plain.GETEUID.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
