package dev.pharos.agent.linux;

import dev.pharos.agent.api.Addresses;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

/// A raw IPv6 socket for one IP protocol (VRRP: 112) on one interface, as keepalived 2.2.7 opens
/// them (`vrrp.c`, `open_vrrp_socket`): bound to the device, joined to a multicast group on it,
/// hop limit 255 for unicast and multicast, multicast loop off, the kernel computing and
/// verifying the checksum at offset 6 (`IPV6_CHECKSUM`), and the hop limit and destination of
/// each datagram asked for (`IPV6_RECVHOPLIMIT`, `IPV6_RECVPKTINFO`).
///
/// A raw IPv6 socket never delivers the IPv6 header. [#receive] rebuilds its fixed 40 bytes
/// (Next Header the socket's protocol, the hop limit and addresses from the ancillary data and
/// the sender's address) in front of the payload, so that the caller decodes an IPv6 advert as
/// it does an IPv4 one, header first. Arrival times come from `SO_TIMESTAMPNS` as in
/// [RawIpSocket]. One thread receives; any thread may send.
public final class RawIpv6Socket implements AutoCloseable {

    private static final int MAX_DATAGRAM = 65_536;
    private static final int HEADER = 40;
    /// Larger than any VRRP advert over IPv6 (255 addresses: 4,088 bytes).
    private static final int SEND_BUFFER = 8192;
    private static final long MSG_NAMELEN = 8;
    private static final long MSG_CONTROLLEN = 40;
    private static final long MSGHDR_SIZE = 56;
    private static final long CMSG_HEADER = 16;
    private static final int CONTROL_SIZE = 128;
    private static final int CHECKSUM_OFFSET = 6;

    /// One received datagram.
    ///
    /// @param datagram      the rebuilt fixed IPv6 header, then the payload
    /// @param source        the sender, without a scope
    /// @param receivedNanos when it arrived, on the [System#nanoTime()] scale
    public record Datagram(byte[] datagram, Inet6Address source, long receivedNanos) {
    }

    private final WakeableFd handle;
    private final int ifindex;
    private final int protocol;
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

    private RawIpv6Socket(WakeableFd handle, String ifname, int ifindex, int protocol) {
        this.handle = handle;
        this.ifindex = ifindex;
        this.protocol = protocol;
        this.what = "IPv6 protocol " + protocol + " on " + ifname;
        var arena = handle.arena;
        this.receiveBuffer = arena.allocate(MAX_DATAGRAM, 8);
        this.from = arena.allocate(SockAddr.SOCKADDR_IN6_SIZE, 8);
        this.control = arena.allocate(CONTROL_SIZE, 8);
        this.receiveCapture = Libc.capture(arena);
        this.sendBuffer = arena.allocate(SEND_BUFFER, 8);
        this.sendAddress = SockAddr.inet6(arena, unspecified(), 0);
        this.sendCapture = Libc.capture(arena);
        var iov = arena.allocate(16, 8);
        iov.set(ValueLayout.ADDRESS, 0, receiveBuffer);
        iov.set(ValueLayout.JAVA_LONG, 8, MAX_DATAGRAM);
        this.msghdr = arena.allocate(MSGHDR_SIZE, 8);
        msghdr.set(ValueLayout.ADDRESS, 0, from);
        msghdr.set(ValueLayout.ADDRESS, 16, iov);
        msghdr.set(ValueLayout.JAVA_LONG, 24, 1);
        msghdr.set(ValueLayout.ADDRESS, 32, control);
    }

    /// Opens the socket on `ifname`, joins `group` there (null: unicast only), and binds to
    /// `source` when given (keepalived's `unicast_src_ip`; a link-local one on `ifname`).
    public static RawIpv6Socket open(int protocol, String ifname, Inet6Address group, Inet6Address source)
            throws NativeException {
        int ifindex = Libc.ifNameToIndex(ifname);
        int fd = Libc.socket(Libc.AF_INET6, Libc.SOCK_RAW, protocol, "AF_INET6, SOCK_RAW, " + protocol);
        try (var arena = Arena.ofConfined()) {
            Libc.setsockopt(fd, Libc.SOL_SOCKET, Libc.SO_BINDTODEVICE, arena.allocateFrom(ifname),
                    "SO_BINDTODEVICE " + ifname);
            Libc.setsockoptInt(fd, Libc.IPPROTO_IPV6, Libc.IPV6_CHECKSUM, CHECKSUM_OFFSET, "IPV6_CHECKSUM 6");
            Libc.setsockoptInt(fd, Libc.IPPROTO_IPV6, Libc.IPV6_UNICAST_HOPS, 255, "IPV6_UNICAST_HOPS 255");
            Libc.setsockoptInt(fd, Libc.IPPROTO_IPV6, Libc.IPV6_MULTICAST_HOPS, 255, "IPV6_MULTICAST_HOPS 255");
            Libc.setsockoptInt(fd, Libc.IPPROTO_IPV6, Libc.IPV6_MULTICAST_LOOP, 0, "IPV6_MULTICAST_LOOP off");
            Libc.setsockoptInt(fd, Libc.IPPROTO_IPV6, Libc.IPV6_MULTICAST_IF, ifindex, "IPV6_MULTICAST_IF " + ifname);
            Libc.setsockoptInt(fd, Libc.IPPROTO_IPV6, Libc.IPV6_RECVHOPLIMIT, 1, "IPV6_RECVHOPLIMIT");
            Libc.setsockoptInt(fd, Libc.IPPROTO_IPV6, Libc.IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO");
            if (group != null) {
                Libc.setsockopt(fd, Libc.IPPROTO_IPV6, Libc.IPV6_ADD_MEMBERSHIP, SockAddr.ipv6Mreq(arena, group, ifindex),
                        "IPV6_ADD_MEMBERSHIP " + Addresses.text(group) + " on " + ifname);
            }
            if (source != null) {
                Libc.bind(fd, SockAddr.inet6(arena, source, source.isLinkLocalAddress() ? ifindex : 0),
                        Addresses.text(source));
            }
            try {
                Libc.setsockoptInt(fd, Libc.SOL_SOCKET, Libc.SO_TIMESTAMPNS, 1, "SO_TIMESTAMPNS");
            } catch (NativeException e) {
                System.getLogger(RawIpv6Socket.class.getName()).log(System.Logger.Level.INFO,
                        "no kernel receive timestamps on {0} ({1}); using the time of reading", ifname,
                        e.getMessage());
            }
        } catch (NativeException | RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
        return new RawIpv6Socket(WakeableFd.of(fd), ifname, ifindex, protocol);
    }

    /// [RawIpSocket#warmUpOnLoopback] for IPv6 adverts: `rounds` datagrams of the experimental
    /// protocol 253 (RFC 3692) to `::1` through a socket of this class on `lo`, so [#send] and
    /// [#receive] are compiled before an IPv6 takeover needs them. Best effort: stops at the first
    /// error (`lo` without IPv6, no `CAP_NET_RAW`) or after `budget`.
    ///
    /// @return the rounds completed
    public static int warmUpOnLoopback(int rounds, Duration budget) {
        var loopback = (Inet6Address) Inet6Address.ofLiteral("::1");
        var payload = new byte[40];
        return LoopbackWarmUp.run(rounds, budget, () -> open(RawIpSocket.WARM_UP_PROTOCOL, "lo", null, null), socket -> {
            socket.send(loopback, payload);
            return socket.receive(LoopbackWarmUp.WAIT).isPresent();
        }, "IPv6");
    }

    /// Sends `payload` to `destination` (a link-local one on this socket's interface). The kernel
    /// writes the IPv6 header and, at offset 6, the checksum over its pseudo-header.
    public void send(Inet6Address destination, byte[] payload) throws NativeException {
        if (payload.length > SEND_BUFFER) {
            throw new IllegalArgumentException(payload.length + " bytes: more than a VRRP advert can be");
        }
        if (!handle.acquire()) {
            throw new NativeException("sendto on " + what, Errno.EBADF, "the socket is closed");
        }
        try {
            synchronized (sendLock) {
                MemorySegment.copy(payload, 0, sendBuffer, ValueLayout.JAVA_BYTE, 0, payload.length);
                boolean scoped = destination.isLinkLocalAddress() || destination.isMulticastAddress();
                SockAddr.setInet6(sendAddress, destination, scoped ? ifindex : 0);
                Libc.sendto(handle.fd, sendBuffer, payload.length, sendAddress, sendCapture, what);
            }
        } finally {
            handle.release();
        }
    }

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
        msghdr.set(ValueLayout.JAVA_INT, MSG_NAMELEN, SockAddr.SOCKADDR_IN6_SIZE);
        msghdr.set(ValueLayout.JAVA_LONG, MSG_CONTROLLEN, CONTROL_SIZE);
        long n = Libc.recvmsg(handle.fd, msghdr, receiveCapture, what);
        if (n < 0) {
            return Optional.empty();
        }
        long readNanos = System.nanoTime();
        var now = Instant.now();
        long controlLength = Math.min(msghdr.get(ValueLayout.JAVA_LONG, MSG_CONTROLLEN), CONTROL_SIZE);
        long stamp = RawIpSocket.kernelTimestamp(control, controlLength);
        long arrival = stamp == RawIpSocket.NO_TIMESTAMP ? readNanos
                : RawIpSocket.arrivalNanos(stamp, now.getEpochSecond() * 1_000_000_000L + now.getNano(), readNanos);
        var ancillary = ancillary(control, controlLength);
        var source = new byte[16];
        MemorySegment.copy(from, ValueLayout.JAVA_BYTE, 8, source, 0, 16);
        var bytes = new byte[HEADER + (int) n];
        header(bytes, (int) n, protocol, ancillary.hopLimit(), source, ancillary.destination());
        MemorySegment.copy(receiveBuffer, ValueLayout.JAVA_BYTE, 0, bytes, HEADER, (int) n);
        return Optional.of(new Datagram(bytes, address(source), arrival));
    }

    /// The hop limit and destination address of a received datagram, from its control data;
    /// hop limit 0 and the unspecified address when they are missing (the datagram then fails
    /// the hop-limit check: it cannot be shown to come from the link).
    record Ancillary(int hopLimit, byte[] destination) {
    }

    /// Walks the first `length` bytes of a received `msg_control` for `IPV6_HOPLIMIT` and
    /// `IPV6_PKTINFO`. Malformed control data end the walk.
    static Ancillary ancillary(MemorySegment control, long length) {
        int hopLimit = 0;
        var destination = new byte[16];
        long offset = 0;
        for (int i = 0; i < 16 && offset + CMSG_HEADER <= length; i++) {
            long cmsgLength = control.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
            int level = control.get(ValueLayout.JAVA_INT_UNALIGNED, offset + 8);
            int type = control.get(ValueLayout.JAVA_INT_UNALIGNED, offset + 12);
            if (cmsgLength < CMSG_HEADER || cmsgLength > length - offset) {
                break;
            }
            if (level == Libc.IPPROTO_IPV6 && type == Libc.IPV6_HOPLIMIT && cmsgLength >= CMSG_HEADER + 4) {
                hopLimit = control.get(ValueLayout.JAVA_INT_UNALIGNED, offset + CMSG_HEADER) & 0xff;
            } else if (level == Libc.IPPROTO_IPV6 && type == Libc.IPV6_PKTINFO && cmsgLength >= CMSG_HEADER + 20) {
                MemorySegment.copy(control, ValueLayout.JAVA_BYTE, offset + CMSG_HEADER, destination, 0, 16);
            }
            offset += (cmsgLength + 7) & ~7L; // CMSG_ALIGN
        }
        return new Ancillary(hopLimit, destination);
    }

    /// Writes the fixed IPv6 header the kernel took off: version 6, payload length, next header,
    /// hop limit, source and destination (RFC 8200 §3).
    static void header(byte[] into, int payloadLength, int nextHeader, int hopLimit, byte[] source,
            byte[] destination) {
        Arrays.fill(into, 0, HEADER, (byte) 0);
        into[0] = 0x60;
        into[4] = (byte) (payloadLength >>> 8);
        into[5] = (byte) payloadLength;
        into[6] = (byte) nextHeader;
        into[7] = (byte) hopLimit;
        System.arraycopy(source, 0, into, 8, 16);
        System.arraycopy(destination, 0, into, 24, 16);
    }

    private static Inet6Address address(byte[] sixteen) {
        try {
            return (Inet6Address) InetAddress.getByAddress(null, sixteen);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Inet6Address unspecified() {
        return address(new byte[16]);
    }

    /// Closes the socket; a thread blocked in [#receive] returns at once. Idempotent.
    @Override
    public void close() {
        handle.close();
    }
}
