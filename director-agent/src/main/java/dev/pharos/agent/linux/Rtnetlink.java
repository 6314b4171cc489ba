package dev.pharos.agent.linux;

import dev.pharos.agent.api.Addresses;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

/// Adds and removes IPv4 and IPv6 addresses through rtnetlink (`RTM_NEWADDR` / `RTM_DELADDR`), as
/// `ip addr add|del` does, and turns the kernel's answer into a clear message.
///
/// One socket, opened once; calls are serialised. A request is written straight into native
/// memory kept for the socket's life, and its description is built only when it fails: a new
/// master's first address change is on the path to its first gratuitous ARP, and allocating,
/// copying and concatenating there cost tenths of a millisecond (bench/failover).
public final class Rtnetlink implements AutoCloseable {

    private static final int NETLINK_ROUTE = 0;
    private static final InetAddress IPV4_LOOPBACK = InetAddress.ofLiteral("127.0.0.1");
    /// Not `::1`: the kernel says EEXIST for an address `lo` has before it looks at the prefix.
    private static final InetAddress IPV6_DOCUMENTATION = InetAddress.ofLiteral("2001:db8::ffff");
    private static final int RTM_NEWADDR = 20;
    private static final int RTM_DELADDR = 21;
    private static final int NLM_F_REQUEST = 0x1;
    private static final int NLM_F_ACK = 0x4;
    private static final int NLM_F_EXCL = 0x200;
    private static final int NLM_F_CREATE = 0x400;
    private static final int ADD_FLAGS = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
    private static final int DELETE_FLAGS = NLM_F_REQUEST | NLM_F_ACK;
    private static final int NLMSG_ERROR = 2;
    private static final int NLMSGHDR_SIZE = 16;
    private static final int IFADDRMSG_SIZE = 8;
    private static final int IFA_ADDRESS = 1;
    private static final int IFA_LOCAL = 2;
    private static final int IFA_LABEL = 3;
    private static final int IFA_BROADCAST = 4;
    private static final int RT_SCOPE_UNIVERSE = 0;
    /// `ifa_flags`: no duplicate address detection. keepalived 2.2.7 adds every IPv6 VIP so
    /// (`vrrp_ipaddress.c`): usable at once, and never stuck `dadfailed` after a split brain.
    private static final int IFA_F_NODAD = 0x02;
    private static final int REQUEST_SIZE = 128;
    private static final int REPLY_SIZE = 16_384;
    private static final long ANSWER_NANOS = 5_000_000_000L;
    private static final int ANSWER_READS = 1_000;
    private static final int POLL_MILLIS = 500;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;

    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment kernel;
    private final MemorySegment request;
    private final MemorySegment reply;
    private final MemorySegment pollFd;
    private final InterfaceRequest ifreq;
    private final MemorySegment capture;
    private int sequence = (int) (System.nanoTime() & 0x7fffffff);
    private boolean closed;

    private Rtnetlink(int fd) {
        this.fd = fd;
        this.kernel = SockAddr.netlink(arena, 0);
        this.request = arena.allocate(REQUEST_SIZE, 8);
        this.reply = arena.allocate(REPLY_SIZE, 8);
        this.ifreq = new InterfaceRequest(arena);
        this.capture = Libc.capture(arena);
        this.pollFd = arena.allocate(8);
        pollFd.set(ValueLayout.JAVA_INT, 0, fd);
        pollFd.set(ValueLayout.JAVA_SHORT, 4, (short) Libc.POLLIN);
    }

    public static Rtnetlink open() throws NativeException {
        int fd = Libc.socket(Libc.AF_NETLINK, Libc.SOCK_RAW, NETLINK_ROUTE, "AF_NETLINK, NETLINK_ROUTE");
        try (var a = Arena.ofConfined()) {
            Libc.bind(fd, SockAddr.netlink(a, 0), "netlink route");
        } catch (NativeException e) {
            Libc.close(fd);
            throw e;
        }
        return new Rtnetlink(fd);
    }

    /// `ip addr add ADDRESS/PREFIX [brd B] [label L] dev IFNAME` (IPv6: with `nodad`); an address
    /// already there is EEXIST.
    public synchronized void addAddress(String ifname, InetAddress address, int prefixLength, Inet4Address broadcast,
            String label) throws NativeException {
        int ifindex = index(ifname, "add");
        int length = write(request, RTM_NEWADDR, ADD_FLAGS, ++sequence, ifindex, address, prefixLength, broadcast,
                label);
        transact(length, "add", ifname, address, prefixLength);
    }

    /// `ip addr del ADDRESS/PREFIX dev IFNAME`; an address that is not there is EADDRNOTAVAIL.
    public synchronized void deleteAddress(String ifname, InetAddress address, int prefixLength) throws NativeException {
        int ifindex = index(ifname, "delete");
        int length = write(request, RTM_DELADDR, DELETE_FLAGS, ++sequence, ifindex, address, prefixLength, null, null);
        transact(length, "delete", ifname, address, prefixLength);
    }

    /// Runs the request path once per family with a request the kernel refuses without changing
    /// anything (a prefix length one past the family's on `lo`: 127.0.0.1/33, and
    /// 2001:db8::ffff/129: EINVAL), so a new master's first address change does not pay for
    /// loading and linking it. True if the kernel answered as expected both times.
    public boolean warmUp() {
        return refused(IPV4_LOOPBACK, 33) & refused(IPV6_DOCUMENTATION, 129);
    }

    private boolean refused(InetAddress never, int prefixLength) {
        try {
            addAddress("lo", never, prefixLength, null, null);
            deleteAddress("lo", never, prefixLength); // unreachable on Linux; undone should it ever be accepted
            return false;
        } catch (NativeException e) {
            return e.is(Errno.EINVAL);
        }
    }

    /// Looks `ifname` up and writes the request [#addAddress] would send, without sending it: the
    /// same code runs ahead of a probable takeover. Changes nothing; never throws.
    public synchronized void prepareAdd(String ifname, InetAddress address, int prefixLength) {
        try {
            write(request, RTM_NEWADDR, ADD_FLAGS, sequence + 1, index(ifname, "add"), address, prefixLength, null,
                    null);
        } catch (NativeException e) {
            // the real call will say it
        }
    }

    /// Writes an `RTM_NEWADDR`/`RTM_DELADDR` request into `into` and returns its length: the
    /// `nlmsghdr`, the `ifaddrmsg`, then `IFA_LOCAL`, `IFA_ADDRESS` and the optional
    /// `IFA_BROADCAST` and `IFA_LABEL` attributes, each padded to 4 bytes, in the host's order.
    /// An IPv6 address is added with `IFA_F_NODAD`.
    static int write(MemorySegment into, int type, int flags, int seq, int ifindex, InetAddress address,
            int prefixLength, Inet4Address broadcast, String label) {
        into.fill((byte) 0);
        int at = NLMSGHDR_SIZE;
        boolean ipv6 = address instanceof Inet6Address;
        into.set(ValueLayout.JAVA_BYTE, at, (byte) (ipv6 ? Libc.AF_INET6 : Libc.AF_INET));
        into.set(ValueLayout.JAVA_BYTE, at + 1, (byte) prefixLength);
        if (ipv6 && type == RTM_NEWADDR) {
            into.set(ValueLayout.JAVA_BYTE, at + 2, (byte) IFA_F_NODAD);
        }
        into.set(ValueLayout.JAVA_BYTE, at + 3, (byte) RT_SCOPE_UNIVERSE);
        into.set(INT, at + 4, ifindex);
        at += IFADDRMSG_SIZE;
        at = attribute(into, at, IFA_LOCAL, address.getAddress());
        at = attribute(into, at, IFA_ADDRESS, address.getAddress());
        if (broadcast != null) {
            at = attribute(into, at, IFA_BROADCAST, broadcast.getAddress());
        }
        if (label != null) {
            at = attribute(into, at, IFA_LABEL, (label + "\0").getBytes(StandardCharsets.US_ASCII));
        }
        into.set(INT, 0, at);
        into.set(SHORT, 4, (short) type);
        into.set(SHORT, 6, (short) flags);
        into.set(INT, 8, seq);
        return at;
    }

    private static int attribute(MemorySegment into, int at, int type, byte[] value) {
        into.set(SHORT, at, (short) (4 + value.length));
        into.set(SHORT, at + 2, (short) type);
        MemorySegment.copy(value, 0, into, ValueLayout.JAVA_BYTE, at + 4, value.length);
        return at + ((4 + value.length + 3) & ~3);
    }

    /// The index of `ifname` (`SIOCGIFINDEX` on this socket: one call, nothing allocated).
    private int index(String ifname, String verb) throws NativeException {
        if (closed) {
            throw new NativeException("rtnetlink " + verb + " on " + ifname, Errno.EBADF, "the socket is closed");
        }
        try {
            return ifreq.index(fd, ifname, "rtnetlink");
        } catch (NativeException e) {
            throw e.of("rtnetlink " + verb + " on " + ifname);
        }
    }

    /// Sends the request of `length` bytes and waits for the kernel's acknowledgement of it.
    private void transact(int length, String verb, String ifname, InetAddress address, int prefix)
            throws NativeException {
        int seq = request.get(INT, 8);
        try {
            Libc.sendto(fd, request, length, kernel, capture, "rtnetlink");
        } catch (NativeException e) {
            throw failure(verb, e.errno(), ifname, address, prefix);
        }
        // The kernel answers in the sendto itself (rtnetlink runs in the sender's context): the
        // acknowledgement is normally waiting already.
        long end = System.nanoTime() + ANSWER_NANOS;
        for (int reads = 0; reads < ANSWER_READS && System.nanoTime() - end < 0; reads++) {
            if (Libc.poll(pollFd, 1, POLL_MILLIS, capture) <= 0) {
                continue;
            }
            long n = Libc.recvfrom(fd, reply, MemorySegment.NULL, MemorySegment.NULL, capture, "rtnetlink");
            int error = n < 0 ? NO_ANSWER : acknowledgement(reply, n, seq);
            if (error == 0) {
                return;
            }
            if (error != NO_ANSWER) {
                throw failure(verb, error, ifname, address, prefix);
            }
        }
        throw new NativeException(call(verb, ifname, address, prefix), Errno.EAGAIN,
                "the kernel did not answer within " + ANSWER_NANOS / 1_000_000_000L + " s");
    }

    /// What [#acknowledgement] returns when the messages hold no answer to the request.
    static final int NO_ANSWER = -1;

    /// The errno of the `NLMSG_ERROR` answering request `seq` in the first `n` bytes of `reply`
    /// (0: acknowledged), or [#NO_ANSWER]. A malformed message ends the walk.
    static int acknowledgement(MemorySegment reply, long n, int seq) {
        long offset = 0;
        while (offset + NLMSGHDR_SIZE + 4 <= n) {
            int len = reply.get(INT, offset);
            if (len < NLMSGHDR_SIZE || len > n - offset) {
                return NO_ANSWER;
            }
            int type = reply.get(SHORT, offset + 4) & 0xffff;
            if (type == NLMSG_ERROR && reply.get(INT, offset + 8) == seq) {
                int error = -reply.get(INT, offset + NLMSGHDR_SIZE);
                return error < 0 ? NO_ANSWER : error;
            }
            offset += (len + 3) & ~3;
        }
        return NO_ANSWER;
    }

    private static NativeException failure(String verb, int errno, String ifname, InetAddress address, int prefix) {
        return new NativeException(call(verb, ifname, address, prefix), errno, explain(errno, ifname, address, prefix));
    }

    private static String call(String verb, String ifname, InetAddress address, int prefix) {
        return "rtnetlink " + verb + " " + Addresses.text(address) + "/" + prefix + " on " + ifname;
    }

    private static String explain(int errno, String ifname, InetAddress address, int prefix) {
        var a = Addresses.text(address) + "/" + prefix;
        return switch (errno) {
            case Errno.EEXIST -> "address " + a + " is already on " + ifname;
            case Errno.EADDRNOTAVAIL -> "address " + a + " is not on " + ifname;
            case Errno.EPERM -> "not permitted to change addresses on " + ifname + " (needs CAP_NET_ADMIN)";
            case Errno.ENODEV -> "there is no interface " + ifname;
            default -> Errno.describe(errno);
        };
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Libc.close(fd);
        arena.close();
    }
}
