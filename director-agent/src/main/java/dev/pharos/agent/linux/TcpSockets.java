package dev.pharos.agent.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.pharos.agent.api.Addresses;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.util.Arrays;

/// Non-blocking TCP sockets on raw Linux calls, for a relay that counts its system calls: what
/// the JDK's NIO cannot do (`MSG_MORE`, `IP_FREEBIND`, reading a descriptor's number) or does
/// with extra calls (`fcntl` on every accepted socket, `getsockname` after `bind`/`connect`,
/// `poll` + `getsockopt` in `finishConnect`).
///
/// Sockets are plain descriptor numbers, created non-blocking and close-on-exec in one call
/// (`socket`/`accept4` flags). An instance holds the per-call memory of one thread (the errno
/// capture, a socket address, option values), so calls allocate nothing: **an instance belongs
/// to one thread**; open one per relay thread. Would-block is a return value (`-1`), never an
/// exception; every other failure is a [NativeException] naming the call, the descriptor and the
/// kernel's error.
public final class TcpSockets implements AutoCloseable {

    static final int AF_INET6 = 10;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_NONBLOCK = 0x800;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_REUSEADDR = 2;
    private static final int SO_ERROR = 4;
    private static final int SO_LINGER = 13;
    private static final int SO_REUSEPORT = 15;
    private static final int IPPROTO_IP = 0;
    private static final int IP_FREEBIND = 15;
    private static final int IPPROTO_IPV6 = 41;
    private static final int IPV6_FREEBIND = 78;
    private static final int IPPROTO_TCP = 6;
    private static final int TCP_NODELAY = 1;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int MSG_MORE = 0x8000;
    private static final int SHUT_WR = 1;
    private static final int SOCKADDR_MAX = 28;   // sockaddr_in6
    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    /// The byte of `sa_family` (a short in the host's order) that holds the family's value.
    private static final int FAMILY_BYTE = LITTLE_ENDIAN ? 0 : 1;

    private static final MethodHandle SOCKET = Libc.downcall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = Libc.downcall("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle BIND = Libc.downcall("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle LISTEN = Libc.downcall("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle ACCEPT4 = Libc.downcall("accept4",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle CONNECT = Libc.downcall("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKNAME = Libc.downcall("getsockname",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    // The buffer is passed as its raw address (a long) so the hot path slices nothing per call;
    // the NativeBuffer stays reachable across the call (its offsets are updated after it).
    private static final MethodHandle RECV = Libc.downcall("recv",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SEND = Libc.downcall("send",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SHUTDOWN = Libc.downcall("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle CLOSE = Libc.downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    /// `getsockopt`, created on its first use (a holder class is initialised when first read): the
    /// relay reads an option only when a connect fails, and a call shape it never uses would cost
    /// the JDK's generated stub and method-handle classes at every start.
    private static final class Getsockopt {
        static final MethodHandle HANDLE = Libc.downcall("getsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }

    private final Arena arena = Arena.ofShared();
    private final MemorySegment capture;
    private final MemorySegment address;
    private final MemorySegment addressLength;
    private final MemorySegment value;
    private final MemorySegment valueLength;
    /// [#encode] and [#decode]'s copy of [#address], and a segment over it for the one copy.
    private final byte[] sockaddr = new byte[SOCKADDR_MAX];
    private final MemorySegment sockaddrSegment = MemorySegment.ofArray(sockaddr);
    private boolean closed;

    private TcpSockets() {
        capture = Libc.capture(arena);
        address = arena.allocate(SOCKADDR_MAX, 8);
        addressLength = arena.allocate(JAVA_INT);
        value = arena.allocate(8, 8);
        valueLength = arena.allocate(JAVA_INT);
    }

    /// The per-thread call state of one relay thread.
    ///
    /// @throws UnsupportedOperationException when not on Linux
    public static TcpSockets open() {
        if (!System.getProperty("os.name", "").startsWith("Linux")) {
            throw new UnsupportedOperationException("native TCP sockets need Linux, not " + System.getProperty("os.name"));
        }
        return new TcpSockets();
    }

    /// A listening socket on `bindTo`, non-blocking, with `SO_REUSEADDR`, `TCP_NODELAY` (which
    /// accepted sockets inherit, saving a `setsockopt` per connection), and optionally
    /// `SO_REUSEPORT` (several sockets share the port; the kernel spreads connections) and
    /// `IP_FREEBIND` (bind an address the host does not have yet, e.g. a VIP before VRRP adds it).
    /// An IPv6 wildcard socket also takes IPv4 (the kernel's `bindv6only` default).
    ///
    /// @throws NativeException naming the failing call (e.g. `EADDRINUSE: bind(0.0.0.0:80)`)
    public int listen(InetSocketAddress bindTo, boolean reusePort, boolean freeBind, int backlog) throws NativeException {
        boolean v6 = bindTo.getAddress() instanceof Inet6Address;
        int fd = socket(v6);
        try {
            setInt(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
            if (reusePort) {
                setInt(fd, SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT");
            }
            if (freeBind) {
                if (v6) {
                    setInt(fd, IPPROTO_IPV6, IPV6_FREEBIND, 1, "IPV6_FREEBIND");
                } else {
                    setInt(fd, IPPROTO_IP, IP_FREEBIND, 1, "IP_FREEBIND");
                }
            }
            setInt(fd, IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY");
            int len = encode(bindTo);
            if ((int) BIND.invokeExact(capture, fd, address, len) < 0) {
                int errno = Libc.errno(capture);
                var call = "bind(" + text(bindTo) + ")";
                // The one EACCES a director meets: a low port without the capability (the agent
                // runs as its own user, not root).
                throw errno == Errno.EACCES && bindTo.getPort() < 1024
                        ? new NativeException(call, errno, "ports below 1024 need CAP_NET_BIND_SERVICE, which the"
                                + " agent lacks (the systemd unit grants it)")
                        : new NativeException(call, errno);
            }
            check((int) LISTEN.invokeExact(capture, fd, backlog), "listen(" + text(bindTo) + ")");
            return fd;
        } catch (NativeException | RuntimeException e) {
            close(fd);
            throw e;
        } catch (Throwable t) {
            close(fd);
            throw new IllegalStateException(t);
        }
    }

    /// Accepts one connection, non-blocking and close-on-exec; its peer's address is then
    /// [#acceptedPeer()]. Returns -1 when none is waiting (`EAGAIN`); a connection that was
    /// reset while queued (`ECONNABORTED`) is skipped.
    ///
    /// @throws NativeException e.g. `EMFILE` when the process is out of descriptors
    public int accept(int listenFd) throws NativeException {
        for (int attempt = 0; attempt < 64; attempt++) {
            addressLength.set(JAVA_INT, 0, SOCKADDR_MAX);
            int fd;
            try {
                fd = (int) ACCEPT4.invokeExact(capture, listenFd, address, addressLength, SOCK_NONBLOCK | SOCK_CLOEXEC);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
            if (fd >= 0) {
                return fd;
            }
            int e = Libc.errno(capture);
            if (e == Errno.EAGAIN) {
                return -1;
            }
            if (e != Errno.ECONNABORTED && e != Errno.EINTR) {
                throw new NativeException("accept4(listening fd " + listenFd + ")", e);
            }
        }
        return -1;
    }

    /// The peer of the connection the last [#accept] returned.
    public InetSocketAddress acceptedPeer() {
        return decode();
    }

    /// The local address of `fd` (for an accepted socket: the address the client connected to).
    public InetSocketAddress localAddress(int fd) throws NativeException {
        addressLength.set(JAVA_INT, 0, SOCKADDR_MAX);
        try {
            check((int) GETSOCKNAME.invokeExact(capture, fd, address, addressLength), "getsockname(fd " + fd + ")");
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        return decode();
    }

    /// A new non-blocking stream socket of `to`'s family with `TCP_NODELAY`, connecting to `to`:
    /// returns the descriptor; [#connected] then says whether it connected at once (loopback can)
    /// or is in progress (wait for [Epoll#OUT], then read [#socketError]).
    ///
    /// @throws NativeException when the connect fails at once (e.g. `ENETUNREACH`); the socket
    ///         is closed then
    public int connect(InetSocketAddress to) throws NativeException {
        int fd = socket(to.getAddress() instanceof Inet6Address);
        try {
            setInt(fd, IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY");
            int len = encode(to);
            int rc = (int) CONNECT.invokeExact(capture, fd, address, len);
            if (rc == 0) {
                lastConnected = true;
                return fd;
            }
            int e = Libc.errno(capture);
            if (e != Errno.EINPROGRESS) {
                throw new NativeException("connect(fd " + fd + " to " + text(to) + ")", e);
            }
            lastConnected = false;
            return fd;
        } catch (NativeException | RuntimeException e) {
            close(fd);
            throw e;
        } catch (Throwable t) {
            close(fd);
            throw new IllegalStateException(t);
        }
    }

    private boolean lastConnected;

    /// Whether the socket the last [#connect] returned connected at once.
    public boolean connected() {
        return lastConnected;
    }

    /// `SO_ERROR` of `fd`: 0 once a non-blocking connect succeeded, else its errno (and cleared).
    public int socketError(int fd) throws NativeException {
        return getInt(fd, SOL_SOCKET, SO_ERROR, "SO_ERROR");
    }

    /// Whether `TCP_NODELAY` is set on `fd`.
    public boolean noDelay(int fd) throws NativeException {
        return getInt(fd, IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY") != 0;
    }

    /// Receives into the free room at the end of `into`: returns the bytes received, 0 at end of
    /// stream, -1 when nothing is waiting (`EAGAIN`) or `into` has no room.
    ///
    /// @throws NativeException e.g. `ECONNRESET` when the peer reset the connection
    public int recv(int fd, NativeBuffer into) throws NativeException {
        long room = into.segment.byteSize() - into.end;
        if (room == 0) {
            return -1;
        }
        long n;
        try {
            n = (long) RECV.invokeExact(capture, fd, into.segment.address() + into.end, room, MSG_DONTWAIT);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (n < 0) {
            int e = Libc.errno(capture);
            if (e == Errno.EAGAIN || e == Errno.EINTR) {
                return -1;
            }
            throw new NativeException("recv(fd " + fd + ")", e);
        }
        into.end += (int) n;
        return (int) n;
    }

    /// Sends what `from` holds, consuming what the kernel took: returns that count, or -1 when
    /// the send queue is full (`EAGAIN`). With `more`, the bytes may wait for what follows
    /// (`MSG_MORE`): a `shutdownOutput` right after then leaves in the same segment as its FIN.
    /// Never raises `SIGPIPE` (`MSG_NOSIGNAL`).
    ///
    /// @throws NativeException e.g. `EPIPE` or `ECONNRESET` when the peer is gone
    public int send(int fd, NativeBuffer from, boolean more) throws NativeException {
        int count = from.remaining();
        if (count == 0) {
            return 0;
        }
        long n;
        try {
            n = (long) SEND.invokeExact(capture, fd, from.segment.address() + from.start, (long) count,
                    MSG_DONTWAIT | MSG_NOSIGNAL | (more ? MSG_MORE : 0));
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (n < 0) {
            int e = Libc.errno(capture);
            if (e == Errno.EAGAIN || e == Errno.EINTR) {
                return -1;
            }
            throw new NativeException("send(fd " + fd + ")", e);
        }
        from.start += (int) n;
        if (from.start == from.end) {
            from.clear();
        }
        return (int) n;
    }

    /// Sends a FIN after the queued bytes (`shutdown(SHUT_WR)`); the socket can still receive.
    public void shutdownOutput(int fd) throws NativeException {
        try {
            check((int) SHUTDOWN.invokeExact(capture, fd, SHUT_WR), "shutdown(fd " + fd + ", SHUT_WR)");
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /// Makes the next [#close] of `fd` send a reset instead of a FIN (`SO_LINGER` on, 0 s);
    /// failures are ignored: the close releases the descriptor either way.
    public void setLingerZero(int fd) {
        value.set(JAVA_INT, 0, 1);
        value.set(JAVA_INT, 4, 0);
        try {
            int ignored = (int) SETSOCKOPT.invokeExact(capture, fd, SOL_SOCKET, SO_LINGER, value, 8);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /// Closes `fd`; an error (only `EBADF` or `EINTR` are possible, and the descriptor is
    /// released either way) is logged at debug level.
    public void close(int fd) {
        int rc;
        try {
            rc = (int) CLOSE.invokeExact(capture, fd);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (rc < 0) {
            System.getLogger(TcpSockets.class.getName()).log(System.Logger.Level.DEBUG,
                    "close({0}) failed: {1}", fd, Errno.name(Libc.errno(capture)));
        }
    }

    /// Releases this thread's call memory; the sockets stay open.
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            arena.close();
        }
    }

    private int socket(boolean v6) throws NativeException {
        int fd;
        try {
            fd = (int) SOCKET.invokeExact(capture, v6 ? AF_INET6 : Libc.AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (fd < 0) {
            throw new NativeException("socket(" + (v6 ? "AF_INET6" : "AF_INET") + ", SOCK_STREAM)", Libc.errno(capture));
        }
        return fd;
    }

    private void setInt(int fd, int level, int option, int v, String what) throws NativeException {
        value.set(JAVA_INT, 0, v);
        try {
            check((int) SETSOCKOPT.invokeExact(capture, fd, level, option, value, 4), "setsockopt(fd " + fd + ", " + what + ")");
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private int getInt(int fd, int level, int option, String what) throws NativeException {
        valueLength.set(JAVA_INT, 0, 4);
        try {
            check((int) Getsockopt.HANDLE.invokeExact(capture, fd, level, option, value, valueLength),
                    "getsockopt(fd " + fd + ", " + what + ")");
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        return value.get(JAVA_INT, 0);
    }

    private void check(int rc, String call) throws NativeException {
        if (rc < 0) {
            throw new NativeException(call, Libc.errno(capture));
        }
    }

    /// Writes `sockaddr_in` or `sockaddr_in6` for `to` into [#address]; returns its length.
    ///
    /// The structure is built in [#sockaddr], a Java array, and copied with one call: every
    /// `MemorySegment` accessor a method uses is inlined by the JIT with its checks, and compiling
    /// the five accessors this took before needed 3 MB of compiler memory, a peak of the
    /// balancer's footprint once short connections arrive (this runs on every connect).
    private int encode(InetSocketAddress to) {
        var b = sockaddr;
        Arrays.fill(b, (byte) 0);
        var ip = to.getAddress().getAddress();   // network order, 4 or 16 bytes
        b[2] = (byte) (to.getPort() >>> 8);      // sin_port / sin6_port, network order
        b[3] = (byte) to.getPort();
        int length;
        if (ip.length == 16) {
            b[FAMILY_BYTE] = AF_INET6;
            System.arraycopy(ip, 0, b, 8, 16);
            putNativeInt(b, 24, ((Inet6Address) to.getAddress()).getScopeId());
            length = 28;
        } else {
            b[FAMILY_BYTE] = Libc.AF_INET;
            System.arraycopy(ip, 0, b, 4, 4);
            length = 16;
        }
        MemorySegment.copy(sockaddrSegment, 0, address, 0, length);
        return length;
    }

    /// Reads the `sockaddr_in`/`sockaddr_in6` in [#address]; an IPv4-mapped IPv6 address (an IPv4
    /// client of an IPv6 wildcard socket) becomes the IPv4 address, as the JDK reports it. Read
    /// through [#sockaddr] with one copy, as [#encode] writes.
    private InetSocketAddress decode() {
        MemorySegment.copy(address, 0, sockaddrSegment, 0, SOCKADDR_MAX);
        var b = sockaddr;
        int family = b[FAMILY_BYTE];   // both families fit in the low byte
        int port = (b[2] & 0xff) << 8 | b[3] & 0xff;
        try {
            if (family == AF_INET6) {
                var ip = InetAddress.getByAddress(Arrays.copyOfRange(b, 8, 24));   // v4-mapped → Inet4Address
                int scope = nativeInt(b, 24);
                if (scope != 0 && ip instanceof Inet6Address) {
                    ip = Inet6Address.getByAddress(null, ip.getAddress(), scope);
                }
                return new InetSocketAddress(ip, port);
            }
            return new InetSocketAddress(InetAddress.getByAddress(Arrays.copyOfRange(b, 4, 8)), port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a socket address of family " + family + " is not IPv4 or IPv6", e);
        }
    }

    /// Writes `v` at `b[at]` in the host's byte order (`sin6_scope_id`).
    private static void putNativeInt(byte[] b, int at, int v) {
        for (int i = 0; i < 4; i++) {
            b[at + i] = (byte) (v >>> (LITTLE_ENDIAN ? 8 * i : 24 - 8 * i));
        }
    }

    private static int nativeInt(byte[] b, int at) {
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v |= (b[at + i] & 0xff) << (LITTLE_ENDIAN ? 8 * i : 24 - 8 * i);
        }
        return v;
    }

    private static String text(InetSocketAddress a) {
        var ip = a.getAddress();
        return (ip instanceof Inet6Address ? "[" + Addresses.text(ip) + "]" : Addresses.text(ip)) + ":" + a.getPort();
    }
}
