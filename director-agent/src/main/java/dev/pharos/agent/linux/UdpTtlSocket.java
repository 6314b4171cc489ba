package dev.pharos.agent.linux;

import dev.pharos.agent.api.Addresses;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;

/// An IPv4 UDP socket that sends with a chosen TTL and tells the TTL of each datagram it
/// receives (`IP_TTL`, `IP_RECVTTL`), as BFD needs for RFC 5881 §5's TTL 255 rule. The JDK's
/// `DatagramChannel` sets only the multicast TTL and reports no received TTL, hence this class.
///
/// [#receive] waits with `poll` for at most its timeout and returns at once when [#close] is
/// called from another thread. One thread receives; sends are serialised.
public final class UdpTtlSocket implements AutoCloseable {

    private static final int MAX_DATAGRAM = 2048;
    // struct msghdr and cmsghdr on LP64 Linux (x86_64, aarch64), as in RawIpSocket.
    private static final long MSG_NAME = 0;
    private static final long MSG_NAMELEN = 8;
    private static final long MSG_IOV = 16;
    private static final long MSG_IOVLEN = 24;
    private static final long MSG_CONTROL = 32;
    private static final long MSG_CONTROLLEN = 40;
    private static final long MSGHDR_SIZE = 56;
    private static final long CMSG_HEADER = 16;
    private static final int CONTROL_SIZE = 64;
    private static final int SOCKADDR_IN_SIZE = 16;
    private static final int BIND_ATTEMPTS = 64;
    private static final Inet4Address ANY = SockAddr.inet4(new byte[4]);

    /// One received datagram.
    ///
    /// @param ttl the IP TTL it arrived with; 0 when the kernel gave none
    public record Received(byte[] payload, Inet4Address source, int ttl) {
    }

    private final WakeableFd handle;
    private final String what;
    private final MemorySegment receiveBuffer;
    private final MemorySegment msghdr;
    private final MemorySegment from;
    private final MemorySegment control;
    private final MemorySegment receiveCapture;
    private final Object sendLock = new Object();
    private final MemorySegment sendBuffer;
    private final MemorySegment sendAddress;
    private final MemorySegment sendCapture;

    private UdpTtlSocket(WakeableFd handle, String what) {
        this.handle = handle;
        this.what = what;
        var arena = handle.arena;
        this.receiveBuffer = arena.allocate(MAX_DATAGRAM, 8);
        this.from = arena.allocate(SOCKADDR_IN_SIZE, 8);
        this.control = arena.allocate(CONTROL_SIZE, 8);
        this.receiveCapture = Libc.capture(arena);
        this.sendBuffer = arena.allocate(MAX_DATAGRAM, 8);
        this.sendAddress = SockAddr.inet(arena, ANY, 0);
        this.sendCapture = Libc.capture(arena);
        var iov = arena.allocate(16, 8);
        iov.set(ValueLayout.ADDRESS, 0, receiveBuffer);
        iov.set(ValueLayout.JAVA_LONG, 8, MAX_DATAGRAM);
        this.msghdr = arena.allocate(MSGHDR_SIZE, 8);
        msghdr.set(ValueLayout.ADDRESS, MSG_NAME, from);
        msghdr.set(ValueLayout.ADDRESS, MSG_IOV, iov);
        msghdr.set(ValueLayout.JAVA_LONG, MSG_IOVLEN, 1);
        msghdr.set(ValueLayout.ADDRESS, MSG_CONTROL, control);
    }

    /// A socket bound to `address` (null: any) and `port` that reports received TTLs.
    public static UdpTtlSocket receiving(Inet4Address address, int port) throws NativeException {
        var where = (address == null ? "0.0.0.0" : Addresses.text(address)) + ":" + port;
        int fd = Libc.socket(Libc.AF_INET, Libc.SOCK_DGRAM, 0, "AF_INET, SOCK_DGRAM");
        try (var arena = Arena.ofConfined()) {
            Libc.setsockoptInt(fd, Libc.SOL_SOCKET, Libc.SO_REUSEADDR, 1, "SO_REUSEADDR");
            Libc.setsockoptInt(fd, Libc.IPPROTO_IP, Libc.IP_RECVTTL, 1, "IP_RECVTTL");
            Libc.bind(fd, SockAddr.inet(arena, address == null ? ANY : address, port), where);
        } catch (NativeException | RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
        return new UdpTtlSocket(WakeableFd.of(fd), "UDP " + where);
    }

    /// A socket that sends with IP TTL `ttl`, from `source` (null: the kernel's choice) and a
    /// source port drawn from `firstPort`–`lastPort` (one not in use).
    public static UdpTtlSocket sending(Inet4Address source, int ttl, int firstPort, int lastPort,
            RandomGenerator random) throws NativeException {
        int fd = Libc.socket(Libc.AF_INET, Libc.SOCK_DGRAM, 0, "AF_INET, SOCK_DGRAM");
        var address = source == null ? ANY : source;
        try (var arena = Arena.ofConfined()) {
            Libc.setsockoptInt(fd, Libc.IPPROTO_IP, Libc.IP_TTL, ttl, "IP_TTL " + ttl);
            for (int attempt = 1; ; attempt++) {
                int port = random.nextInt(firstPort, lastPort + 1);
                try {
                    Libc.bind(fd, SockAddr.inet(arena, address, port), Addresses.text(address) + ":" + port);
                    return new UdpTtlSocket(WakeableFd.of(fd), "UDP from " + Addresses.text(address) + ":" + port);
                } catch (NativeException e) {
                    if (!e.is(Errno.EADDRINUSE) || attempt == BIND_ATTEMPTS) {
                        throw e;
                    }
                }
            }
        } catch (NativeException | RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    /// Sends `payload` to `destination`:`port`.
    public void send(Inet4Address destination, int port, byte[] payload) throws NativeException {
        if (payload.length > MAX_DATAGRAM) {
            throw new IllegalArgumentException(payload.length + " bytes; at most " + MAX_DATAGRAM);
        }
        if (!handle.acquire()) {
            throw new NativeException("sendto on " + what, Errno.EBADF, "the socket is closed");
        }
        try {
            synchronized (sendLock) {
                MemorySegment.copy(payload, 0, sendBuffer, ValueLayout.JAVA_BYTE, 0, payload.length);
                SockAddr.setInet(sendAddress, destination);
                SockAddr.setPort(sendAddress, port);
                Libc.sendto(handle.fd, sendBuffer, payload.length, sendAddress, sendCapture, what);
            }
        } finally {
            handle.release();
        }
    }

    /// Waits at most `timeout` for a datagram; empty on timeout or when the socket was closed.
    public Optional<Received> receive(Duration timeout) throws NativeException {
        if (!handle.acquire()) {
            return Optional.empty();
        }
        try {
            if (!handle.awaitReadable(timeout)) {
                return Optional.empty();
            }
            msghdr.set(ValueLayout.JAVA_INT, MSG_NAMELEN, SOCKADDR_IN_SIZE);
            msghdr.set(ValueLayout.JAVA_LONG, MSG_CONTROLLEN, CONTROL_SIZE);
            long n = Libc.recvmsg(handle.fd, msghdr, receiveCapture, what);
            if (n < 0) {
                return Optional.empty();
            }
            long controlLength = Math.min(msghdr.get(ValueLayout.JAVA_LONG, MSG_CONTROLLEN), CONTROL_SIZE);
            var bytes = receiveBuffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
            return Optional.of(new Received(bytes, SockAddr.inetAddress(from), receivedTtl(control, controlLength)));
        } finally {
            handle.release();
        }
    }

    /// The `IP_TTL` control message's value in the first `length` bytes of `msg_control`, or 0.
    /// Malformed control data end the walk.
    static int receivedTtl(MemorySegment control, long length) {
        long offset = 0;
        for (int i = 0; i < 16 && offset + CMSG_HEADER <= length; i++) {
            long cmsgLength = control.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
            int level = control.get(ValueLayout.JAVA_INT_UNALIGNED, offset + 8);
            int type = control.get(ValueLayout.JAVA_INT_UNALIGNED, offset + 12);
            if (cmsgLength < CMSG_HEADER || cmsgLength > length - offset) {
                return 0;
            }
            if (level == Libc.IPPROTO_IP && type == Libc.IP_TTL && cmsgLength >= CMSG_HEADER + 4) {
                return control.get(ValueLayout.JAVA_INT_UNALIGNED, offset + CMSG_HEADER) & 0xFF;
            }
            offset += (cmsgLength + 7) & ~7L; // CMSG_ALIGN
        }
        return 0;
    }

    /// Closes the socket; a thread blocked in [#receive] returns at once. Idempotent.
    @Override
    public void close() {
        handle.close();
    }
}
