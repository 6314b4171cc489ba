package dev.pharos.agent.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.time.Duration;
import java.util.Optional;

/// A raw IPv4 socket for one IP protocol (VRRP: 112) on one interface, as keepalived opens them:
/// bound to the device, joined to a multicast group on it, TTL 255 for unicast and multicast,
/// multicast loop off (a router must not hear itself).
///
/// The kernel builds the IP header of what we send; what we receive comes with its IP header
/// (so TTL and addresses can be checked). [#receive] waits with `poll` for at most its timeout and
/// returns at once when [#close] is called from another thread (an eventfd is in the poll set).
/// One thread receives; any thread may send.
public final class RawIpSocket implements AutoCloseable {

    private static final int MAX_DATAGRAM = 65_536;
    private static final int WARM_SENDS = 3;

    /// One received datagram.
    ///
    /// @param datagram the whole IPv4 datagram, header included
    public record Datagram(byte[] datagram, Inet4Address source) {
    }

    private final WakeableFd handle;
    private final String ifname;
    private final int ifindex;
    private final int protocol;
    private final String sendWhat;
    private final MemorySegment receiveBuffer;

    private RawIpSocket(WakeableFd handle, String ifname, int ifindex, int protocol) {
        this.handle = handle;
        this.ifname = ifname;
        this.ifindex = ifindex;
        this.protocol = protocol;
        this.sendWhat = "protocol " + protocol + " on " + ifname;
        this.receiveBuffer = handle.arena.allocate(MAX_DATAGRAM);
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
                            "IP_ADD_MEMBERSHIP " + group.getHostAddress() + " on " + ifname);
                }
                if (source != null) {
                    Libc.bind(fd, SockAddr.inet(arena, source, 0), source.getHostAddress());
                }
            }
        } catch (NativeException | RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
        return new RawIpSocket(WakeableFd.of(fd), ifname, ifindex, protocol);
    }

    public String interfaceName() {
        return ifname;
    }

    public int interfaceIndex() {
        return ifindex;
    }

    /// Sends `payload` (without IP header) to `destination` with this socket's protocol.
    public void send(Inet4Address destination, byte[] payload) throws NativeException {
        if (!handle.acquire()) {
            throw new NativeException("sendto on " + ifname, Errno.EBADF, "the socket is closed");
        }
        try {
            sendTo(handle.fd, destination, 0, payload, sendWhat);
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

    /// Runs the native send and receive paths once before they matter (handles linked, classes
    /// loaded), so the first advert of a new master is not slowed by first-call costs: one byte to
    /// the discard port of 127.0.0.1 on a throw-away UDP socket, one non-blocking receive, one poll.
    /// Nothing reaches the VRRP segment.
    public void warmUp() {
        int udp = -1;
        try (var arena = Arena.ofConfined()) {
            udp = Libc.socket(Libc.AF_INET, Libc.SOCK_DGRAM, 0, "AF_INET, SOCK_DGRAM (warm-up)");
            var one = arena.allocate(1);
            var loopback = (Inet4Address) Inet4Address.getByAddress(new byte[] {127, 0, 0, 1});
            for (int i = 0; i < WARM_SENDS; i++) {
                sendTo(udp, loopback, 9, new byte[1], "warm-up to 127.0.0.1:9");
            }
            var from = arena.allocate(16);
            var fromLength = arena.allocate(ValueLayout.JAVA_INT);
            fromLength.set(ValueLayout.JAVA_INT, 0, 16);
            Libc.recvfrom(udp, one, from, fromLength, "warm-up");
            SockAddr.inetAddress(from);
            if (handle.acquire()) {
                try {
                    handle.awaitReadable(Duration.ZERO);
                } finally {
                    handle.release();
                }
            }
        } catch (NativeException | java.net.UnknownHostException e) {
            // warming is best effort
        } finally {
            if (udp >= 0) {
                Libc.close(udp);
            }
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
        try (var arena = Arena.ofConfined()) {
            var from = arena.allocate(16);
            var fromLength = arena.allocate(ValueLayout.JAVA_INT);
            fromLength.set(ValueLayout.JAVA_INT, 0, 16);
            long n = Libc.recvfrom(handle.fd, receiveBuffer, from, fromLength, "protocol " + protocol + " on " + ifname);
            if (n < 0) {
                return Optional.empty();
            }
            var bytes = receiveBuffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
            return Optional.of(new Datagram(bytes, SockAddr.inetAddress(from)));
        }
    }

    /// Closes the socket; a thread blocked in [#receive] returns at once. Idempotent.
    @Override
    public void close() {
        handle.close();
    }
}
