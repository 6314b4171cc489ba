package dev.pharos.agent.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/// Adds and removes IPv4 addresses through rtnetlink (`RTM_NEWADDR` / `RTM_DELADDR`), as
/// `ip addr add|del` does, and turns the kernel's answer into a clear message.
/// One socket, opened once; calls are serialised.
public final class Rtnetlink implements AutoCloseable {

    private static final int NETLINK_ROUTE = 0;
    private static final int RTM_NEWADDR = 20;
    private static final int RTM_DELADDR = 21;
    private static final int NLM_F_REQUEST = 0x1;
    private static final int NLM_F_ACK = 0x4;
    private static final int NLM_F_EXCL = 0x200;
    private static final int NLM_F_CREATE = 0x400;
    private static final int NLMSG_ERROR = 2;
    private static final int IFA_ADDRESS = 1;
    private static final int IFA_LOCAL = 2;
    private static final int IFA_LABEL = 3;
    private static final int IFA_BROADCAST = 4;
    private static final int RT_SCOPE_UNIVERSE = 0;

    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment kernel;
    private final MemorySegment buffer;
    private final MemorySegment pollFd;
    private final AtomicInteger sequence = new AtomicInteger((int) (System.nanoTime() & 0x7fffffff));

    private Rtnetlink(int fd) {
        this.fd = fd;
        this.kernel = SockAddr.netlink(arena, 0);
        this.buffer = arena.allocate(16_384);
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

    /// `ip addr add ADDRESS/PREFIX [brd B] [label L] dev IFNAME`; an address already there is EEXIST.
    public synchronized void addAddress(String ifname, Inet4Address address, int prefixLength, Inet4Address broadcast,
            String label) throws NativeException {
        var what = "add " + address.getHostAddress() + "/" + prefixLength + " on " + ifname;
        var msg = message(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, ifname, address,
                prefixLength, broadcast, label);
        transact(msg, what, ifname, address, prefixLength);
    }

    /// Runs the request path once with a request the kernel refuses without changing anything
    /// (an IPv4 prefix length of 33 on `lo`: EINVAL), so a new master's first address change does
    /// not pay for loading and linking it. True if the kernel answered as expected.
    public boolean warmUp() {
        var never = (Inet4Address) java.net.InetAddress.getLoopbackAddress();
        try {
            addAddress("lo", never, 33, null, null);
            deleteAddress("lo", never, 33); // unreachable on Linux; undone should it ever be accepted
            return false;
        } catch (NativeException e) {
            return e.is(Errno.EINVAL);
        }
    }

    /// `ip addr del ADDRESS/PREFIX dev IFNAME`; an address that is not there is EADDRNOTAVAIL.
    public synchronized void deleteAddress(String ifname, Inet4Address address, int prefixLength) throws NativeException {
        var what = "delete " + address.getHostAddress() + "/" + prefixLength + " on " + ifname;
        var msg = message(RTM_DELADDR, NLM_F_REQUEST | NLM_F_ACK, ifname, address, prefixLength, null, null);
        transact(msg, what, ifname, address, prefixLength);
    }

    /// Builds the request [#addAddress] would send, and drops it: the interface lookup and the
    /// message code run ahead of a probable takeover. Changes nothing; never throws.
    public void prepareAdd(String ifname, Inet4Address address, int prefixLength) {
        try {
            message(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, ifname, address, prefixLength,
                    null, null);
        } catch (NativeException e) {
            // the real call will say it
        }
    }

    private byte[] message(int type, int flags, String ifname, Inet4Address address, int prefixLength,
            Inet4Address broadcast, String label) throws NativeException {
        int ifindex = Libc.ifNameToIndex(ifname);
        var b = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());
        b.position(16); // nlmsghdr, filled below
        b.put((byte) Libc.AF_INET).put((byte) prefixLength).put((byte) 0).put((byte) RT_SCOPE_UNIVERSE).putInt(ifindex);
        attribute(b, IFA_LOCAL, address.getAddress());
        attribute(b, IFA_ADDRESS, address.getAddress());
        if (broadcast != null) {
            attribute(b, IFA_BROADCAST, broadcast.getAddress());
        }
        if (label != null) {
            var bytes = (label + "\0").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            attribute(b, IFA_LABEL, bytes);
        }
        int length = b.position();
        b.putInt(0, length).putShort(4, (short) type).putShort(6, (short) flags).putInt(8, sequence.incrementAndGet())
                .putInt(12, 0);
        var out = new byte[length];
        b.get(0, out);
        return out;
    }

    private static void attribute(ByteBuffer b, int type, byte[] value) {
        int len = 4 + value.length;
        b.putShort((short) len).putShort((short) type).put(value);
        while (b.position() % 4 != 0) {
            b.put((byte) 0);
        }
    }

    private void transact(byte[] request, String what, String ifname, Inet4Address address, int prefix)
            throws NativeException {
        int seq = ByteBuffer.wrap(request).order(ByteOrder.nativeOrder()).getInt(8);
        try (var a = Arena.ofConfined()) {
            var seg = a.allocate(request.length);
            MemorySegment.copy(request, 0, seg, ValueLayout.JAVA_BYTE, 0, request.length);
            Libc.sendto(fd, seg, request.length, kernel, "rtnetlink " + what);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            if (Libc.poll(pollFd, 1, 500) <= 0) {
                continue;
            }
            long n = Libc.recvfrom(fd, buffer, MemorySegment.NULL, MemorySegment.NULL, "rtnetlink " + what);
            if (n < 0) {
                continue;
            }
            var reply = buffer.asSlice(0, n).asByteBuffer().order(ByteOrder.nativeOrder());
            int offset = 0;
            while (offset + 16 <= n) {
                int len = reply.getInt(offset);
                int type = reply.getShort(offset + 4) & 0xffff;
                int replySeq = reply.getInt(offset + 8);
                if (len < 16) {
                    break;
                }
                if (type == NLMSG_ERROR && replySeq == seq) {
                    int error = -reply.getInt(offset + 16);
                    if (error == 0) {
                        return;
                    }
                    throw new NativeException("rtnetlink " + what, error, explain(error, ifname, address, prefix));
                }
                offset += (len + 3) & ~3;
            }
        }
        throw new NativeException("rtnetlink " + what, Errno.EAGAIN, "the kernel did not answer within 5 s");
    }

    private static String explain(int errno, String ifname, Inet4Address address, int prefix) {
        var a = address.getHostAddress() + "/" + prefix;
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
        Libc.close(fd);
        arena.close();
    }
}
