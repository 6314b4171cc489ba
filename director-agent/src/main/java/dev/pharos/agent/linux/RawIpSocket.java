package dev.pharos.agent.linux;

import dev.pharos.agent.api.Addresses;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/// A raw IPv4 socket for one IP protocol (VRRP: 112) on one interface, as keepalived opens them:
/// bound to the device, joined to a multicast group on it, TTL 255 for unicast and multicast,
/// multicast loop off (a router must not hear itself).
///
/// The kernel builds the IP header of what we send; what we receive comes with its IP header
/// (so TTL and addresses can be checked). [#receive] waits with `poll` for at most its timeout and
/// returns at once when [#close] is called from another thread (an eventfd is in the poll set).
/// One thread receives; any thread may send.
///
/// Each datagram comes with the time the kernel received it (`SO_TIMESTAMPNS`), so a VRRP timer
/// armed by an advert counts from the advert's arrival and not from when this process got round
/// to reading it: on a busy host the wake-up of the receiving thread alone was measured at
/// 0.5–1.3 ms (bench/failover).
public final class RawIpSocket implements AutoCloseable {

    private static final int MAX_DATAGRAM = 65_536;
    private static final int WARM_SENDS = 3;
    // struct msghdr, iovec and cmsghdr on LP64 Linux (x86_64, aarch64).
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
    /// Larger than any VRRP advert (255 addresses: 1,028 bytes); a larger payload takes the
    /// allocating path.
    private static final int SEND_BUFFER = 2048;
    private static final Inet4Address ANY = SockAddr.inet4(new byte[4]);
    /// A kernel timestamp older than this (or in the future) means the realtime clock was stepped
    /// between arrival and reading: the reading time is used instead.
    private static final long MAX_PLAUSIBLE_AGE_NANOS = 1_000_000_000L;

    /// One received datagram.
    ///
    /// @param datagram the whole IPv4 datagram, header included
    /// @param receivedNanos when it arrived, on the [System#nanoTime()] scale: the kernel's
    ///        receive timestamp when there is one, else when it was read
    public record Datagram(byte[] datagram, Inet4Address source, long receivedNanos) {
    }

    private final WakeableFd handle;
    private final String ifname;
    private final String sendWhat;
    private final String receiveWhat;
    private final MemorySegment receiveBuffer;
    // The receive side's msghdr and what it points to, built once: one thread receives.
    private final MemorySegment msghdr;
    private final MemorySegment from;
    private final MemorySegment control;
    private final MemorySegment receiveCapture;
    // The send side's buffer, destination and capture, built once and used under [#sendLock].
    private final Object sendLock = new Object();
    private final MemorySegment sendBuffer;
    private final MemorySegment sendAddress;
    private final MemorySegment sendCapture;

    private RawIpSocket(WakeableFd handle, String ifname, int protocol) {
        this.handle = handle;
        this.ifname = ifname;
        this.sendWhat = "protocol " + protocol + " on " + ifname;
        this.receiveWhat = sendWhat;
        var arena = handle.arena;
        this.receiveBuffer = arena.allocate(MAX_DATAGRAM, 8);
        this.from = arena.allocate(SOCKADDR_IN_SIZE, 8);
        this.control = arena.allocate(CONTROL_SIZE, 8);
        this.receiveCapture = Libc.capture(arena);
        this.sendBuffer = arena.allocate(SEND_BUFFER, 8);
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

    /// Opens the socket on `ifname`, joins `group` there (null: no multicast, unicast only), and
    /// binds to `source` when given (keepalived's `unicast_src_ip`).
    public static RawIpSocket open(int protocol, String ifname, Inet4Address group, Inet4Address source)
            throws NativeException {
        int ifindex = Libc.ifNameToIndex(ifname);
        int fd = Libc.socket(Libc.AF_INET, Libc.SOCK_RAW, protocol, "AF_INET, SOCK_RAW, " + protocol);
        try {
            try (var arena = Arena.ofConfined()) {
                Libc.setsockopt(fd, Libc.SOL_SOCKET, Libc.SO_BINDTODEVICE, arena.allocateFrom(ifname),
                        "SO_BINDTODEVICE " + ifname);
                Libc.setsockoptInt(fd, Libc.IPPROTO_IP, Libc.IP_TTL, 255, "IP_TTL 255");
                Libc.setsockoptInt(fd, Libc.IPPROTO_IP, Libc.IP_MULTICAST_TTL, 255, "IP_MULTICAST_TTL 255");
                Libc.setsockoptInt(fd, Libc.IPPROTO_IP, Libc.IP_MULTICAST_LOOP, 0, "IP_MULTICAST_LOOP off");
                Libc.setsockopt(fd, Libc.IPPROTO_IP, Libc.IP_MULTICAST_IF, SockAddr.mreqn(arena, null, ifindex),
                        "IP_MULTICAST_IF " + ifname);
                if (group != null) {
                    Libc.setsockopt(fd, Libc.IPPROTO_IP, Libc.IP_ADD_MEMBERSHIP, SockAddr.mreqn(arena, group, ifindex),
                            "IP_ADD_MEMBERSHIP " + Addresses.text(group) + " on " + ifname);
                }
                if (source != null) {
                    Libc.bind(fd, SockAddr.inet(arena, source, 0), Addresses.text(source));
                }
                try {
                    Libc.setsockoptInt(fd, Libc.SOL_SOCKET, Libc.SO_TIMESTAMPNS, 1, "SO_TIMESTAMPNS");
                } catch (NativeException e) {
                    // Without it a datagram's time is when it was read: later, but still correct.
                    System.getLogger(RawIpSocket.class.getName()).log(System.Logger.Level.INFO,
                            "no kernel receive timestamps on {0} ({1}); using the time of reading", ifname,
                            e.getMessage());
                }
            }
        } catch (NativeException | RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
        return new RawIpSocket(WakeableFd.of(fd), ifname, protocol);
    }

    /// Sets the TTL of what this socket sends, unicast and multicast. A VRRP router sends 255 and
    /// a receiver drops anything else (RFC 5798 §5.1.1.3), which is why [#open] sets 255: another
    /// value is for a test's forged adverts.
    public void setTtl(int ttl) throws NativeException {
        if (!handle.acquire()) {
            throw new NativeException("setsockopt on " + ifname, Errno.EBADF, "the socket is closed");
        }
        try {
            Libc.setsockoptInt(handle.fd, Libc.IPPROTO_IP, Libc.IP_TTL, ttl, "IP_TTL " + ttl);
            Libc.setsockoptInt(handle.fd, Libc.IPPROTO_IP, Libc.IP_MULTICAST_TTL, ttl, "IP_MULTICAST_TTL " + ttl);
        } finally {
            handle.release();
        }
    }

    /// Sends `payload` (without IP header) to `destination` with this socket's protocol.
    public void send(Inet4Address destination, byte[] payload) throws NativeException {
        if (!handle.acquire()) {
            throw new NativeException("sendto on " + ifname, Errno.EBADF, "the socket is closed");
        }
        try {
            if (payload.length > SEND_BUFFER) {
                sendTo(handle.fd, destination, 0, payload, sendWhat);
                return;
            }
            // Into buffers kept for the socket's life: a new master's first advert then runs a
            // copy and one downcall. Allocating and freeing them per send took 0.16–0.25 ms of a
            // takeover after seconds idle (bench/failover).
            synchronized (sendLock) {
                MemorySegment.copy(payload, 0, sendBuffer, ValueLayout.JAVA_BYTE, 0, payload.length);
                SockAddr.setInet(sendAddress, destination);
                Libc.sendto(handle.fd, sendBuffer, payload.length, sendAddress, sendCapture, sendWhat);
            }
        } finally {
            handle.release();
        }
    }

    /// The send path shared with [#warmUp], so a new master's first advert runs linked, loaded
    /// code. `what` is built once per socket: concatenating it here on the first send linked a
    /// string-concatenation call site on the takeover path (bench/failover).
    private static void sendTo(int fd, Inet4Address destination, int port, byte[] payload, String what)
            throws NativeException {
        try (var arena = Arena.ofConfined()) {
            var buf = arena.allocate(payload.length);
            MemorySegment.copy(payload, 0, buf, ValueLayout.JAVA_BYTE, 0, payload.length);
            Libc.sendto(fd, buf, payload.length, SockAddr.inet(arena, destination, port), what);
        }
    }

    /// Runs the native send path and the poll once before they matter (handles linked, classes
    /// loaded), so the first advert of a new master is not slowed by first-call costs: bytes to
    /// the discard port of 127.0.0.1 on a throw-away UDP socket and one poll. Nothing reaches the
    /// VRRP segment. [#warmUpOnLoopback] goes further, off the start-up path.
    public void warmUp() {
        int udp = -1;
        try {
            udp = Libc.socket(Libc.AF_INET, Libc.SOCK_DGRAM, 0, "AF_INET, SOCK_DGRAM (warm-up)");
            var loopback = (Inet4Address) Inet4Address.getByAddress(new byte[] {127, 0, 0, 1});
            for (int i = 0; i < WARM_SENDS; i++) {
                sendTo(udp, loopback, 9, new byte[1], "warm-up to 127.0.0.1:9");
            }
            if (handle.acquire()) {
                try {
                    handle.awaitReadable(Duration.ZERO);
                } finally {
                    handle.release();
                }
            }
        } catch (NativeException | UnknownHostException e) {
            // warming is best effort
        } finally {
            if (udp >= 0) {
                Libc.close(udp);
            }
        }
    }

    /// Sends and receives `rounds` datagrams of an experimental protocol (253, RFC 3692) to
    /// 127.0.0.1 through a socket of this class on `lo`, so [#send] and [#receive] are compiled
    /// before a takeover needs them: run once a second (an advert), they would stay interpreted
    /// for the agent's life, and the interpreted path took 0.3–0.5 ms from timer to wire
    /// (bench/failover). Best effort: stops at the first error (`lo` down, no `CAP_NET_RAW`) or
    /// after `budget`.
    ///
    /// @return the rounds completed
    public static int warmUpOnLoopback(int rounds, Duration budget) {
        var loopback = Inet4Address.ofLiteral("127.0.0.1");
        var payload = new byte[40];
        return LoopbackWarmUp.run(rounds, budget, () -> open(WARM_UP_PROTOCOL, "lo", null, null), socket -> {
            socket.send(loopback, payload);
            return socket.receive(LoopbackWarmUp.WAIT).isPresent();
        }, "IPv4");
    }

    /// RFC 3692's protocol number for experiments, used by [#warmUpOnLoopback].
    static final int WARM_UP_PROTOCOL = 253;

    /// Waits at most `timeout` for a datagram; empty on timeout or when the socket was closed.
    public Optional<Datagram> receive(Duration timeout) throws NativeException {
        if (!handle.acquire()) {
            return Optional.empty();
        }
        try {
            return handle.awaitReadable(timeout) ? receiveNow() : Optional.empty();
        } finally {
            handle.release();
        }
    }

    private Optional<Datagram> receiveNow() throws NativeException {
        // The kernel shortens both lengths to what it wrote: give them their full size again.
        msghdr.set(ValueLayout.JAVA_INT, MSG_NAMELEN, SOCKADDR_IN_SIZE);
        msghdr.set(ValueLayout.JAVA_LONG, MSG_CONTROLLEN, CONTROL_SIZE);
        long n = Libc.recvmsg(handle.fd, msghdr, receiveCapture, receiveWhat);
        if (n < 0) {
            return Optional.empty();
        }
        long readNanos = System.nanoTime();
        var now = Instant.now();
        long controlLength = msghdr.get(ValueLayout.JAVA_LONG, MSG_CONTROLLEN);
        long stamp = kernelTimestamp(control, Math.min(controlLength, CONTROL_SIZE));
        long arrival = stamp == NO_TIMESTAMP ? readNanos
                : arrivalNanos(stamp, now.getEpochSecond() * 1_000_000_000L + now.getNano(), readNanos);
        var bytes = receiveBuffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        return Optional.of(new Datagram(bytes, SockAddr.inetAddress(from), arrival));
    }

    /// What [#kernelTimestamp] returns when the control data carry no timestamp.
    static final long NO_TIMESTAMP = Long.MIN_VALUE;

    /// The `SCM_TIMESTAMPNS` timestamp (realtime, nanoseconds since the epoch) in the first
    /// `length` bytes of a received `msg_control`, or [#NO_TIMESTAMP]. Malformed control data
    /// (a length shorter than a header, or running past `length`) end the walk.
    static long kernelTimestamp(MemorySegment control, long length) {
        long offset = 0;
        for (int i = 0; i < 16 && offset + CMSG_HEADER <= length; i++) {
            long cmsgLength = control.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
            int level = control.get(ValueLayout.JAVA_INT_UNALIGNED, offset + 8);
            int type = control.get(ValueLayout.JAVA_INT_UNALIGNED, offset + 12);
            if (cmsgLength < CMSG_HEADER || cmsgLength > length - offset) {
                return NO_TIMESTAMP;
            }
            if (level == Libc.SOL_SOCKET && type == Libc.SO_TIMESTAMPNS && cmsgLength >= CMSG_HEADER + 16) {
                long seconds = control.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + CMSG_HEADER);
                long nanos = control.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + CMSG_HEADER + 8);
                if (seconds < 0 || nanos < 0 || nanos >= 1_000_000_000L
                        || seconds > Long.MAX_VALUE / 1_000_000_000L - 1) {
                    return NO_TIMESTAMP;
                }
                return seconds * 1_000_000_000L + nanos;
            }
            offset += (cmsgLength + 7) & ~7L; // CMSG_ALIGN
        }
        return NO_TIMESTAMP;
    }

    /// Moves a realtime arrival stamp onto the [System#nanoTime()] scale: the datagram is as
    /// much older than `readNanos` as the stamp is older than `nowRealtimeNanos`, both read
    /// together. An implausible age (the realtime clock stepped) gives `readNanos`.
    static long arrivalNanos(long stampRealtimeNanos, long nowRealtimeNanos, long readNanos) {
        long age = nowRealtimeNanos - stampRealtimeNanos;
        return age < 0 || age > MAX_PLAUSIBLE_AGE_NANOS ? readNanos : readNanos - age;
    }

    /// Closes the socket; a thread blocked in [#receive] returns at once. Idempotent.
    @Override
    public void close() {
        handle.close();
    }
}
