package dev.pharos.agent.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/// Gratuitous ARP through an AF_PACKET socket, as keepalived sends it (`vrrp_arp.c`): an ARP
/// request to the Ethernet broadcast, sender and target protocol address both the VIP, sender
/// hardware address the interface's MAC, target hardware address broadcast. The socket is opened
/// once and reused.
public final class GratuitousArp implements AutoCloseable {

    private static final int ETH_P_ARP = 0x0806;
    private static final byte[] BROADCAST = {-1, -1, -1, -1, -1, -1};
    private static final long SIOCGIFHWADDR = 0x8927;
    private static final long SIOCGIFINDEX = 0x8933;
    private static final int IFNAMSIZ = 16;
    /// `struct ifreq`: the name, then a 24-byte union (an index, or a `struct sockaddr`).
    private static final int IFREQ_SIZE = 40;
    private static final int IFREQ_UNION = 16;
    private static final int ARPHRD_ETHER = 1;

    private final int fd;

    private GratuitousArp(int fd) {
        this.fd = fd;
    }

    public static GratuitousArp open() throws NativeException {
        // Protocol 0: a send-only packet socket receives nothing.
        return new GratuitousArp(Libc.socket(Libc.AF_PACKET, Libc.SOCK_RAW, 0, "AF_PACKET, SOCK_RAW"));
    }

    /// The Ethernet frame a gratuitous ARP for `address` from `mac` is (pure; tests use it).
    public static byte[] frame(byte[] mac, Inet4Address address) {
        var b = ByteBuffer.allocate(42);
        b.put(BROADCAST).put(mac).putShort((short) ETH_P_ARP);
        b.putShort((short) 1)          // hardware type: Ethernet
                .putShort((short) 0x0800) // protocol type: IPv4
                .put((byte) 6).put((byte) 4)
                .putShort((short) 1)      // ARPOP_REQUEST
                .put(mac).put(address.getAddress())
                .put(BROADCAST).put(address.getAddress());
        return b.array();
    }

    /// Sends one gratuitous ARP for `address` on `ifname`. The interface's index and MAC are read
    /// from the kernel at each send (two `ioctl`s: always current, a few microseconds), not through
    /// `NetworkInterface`, which lists every interface of the host to find one.
    public void send(String ifname, Inet4Address address) throws NativeException {
        announce(ifname, address, false);
    }

    /// Runs the send path without anything leaving the host, so a new master's first gratuitous
    /// ARP does not pay for loading and linking it (its message's string concatenation alone cost
    /// 0.4 ms the first time, bench/failover): `lo`'s index and address are read as for a send,
    /// and the frame is handed to the kernel for interface index 0, which it refuses (ENXIO).
    /// Returns true if the kernel answered as expected.
    public boolean warmUp() {
        try {
            announce("lo", (Inet4Address) java.net.InetAddress.getLoopbackAddress(), true);
            return false;
        } catch (NativeException e) {
            return e.is(Errno.ENXIO);
        }
    }

    /// [#send], or with `nowhere` [#warmUp]'s dry run: interface index 0 and any hardware type.
    private void announce(String ifname, Inet4Address address, boolean nowhere) throws NativeException {
        var what = "gratuitous ARP for " + address.getHostAddress() + " on " + ifname;
        try (var arena = Arena.ofConfined()) {
            var ifreq = ifreq(arena, ifname);
            int index = index(ifreq, ifname, what);
            byte[] mac = ethernetAddress(ifreq, ifname, what, nowhere);
            send(arena, nowhere ? 0 : index, frame(mac, address), what);
        }
    }

    /// Reads `ifname`'s index and MAC as [#send] does, and drops them: the lookup code runs ahead
    /// of a probable takeover. Changes and sends nothing; never throws.
    public void prepare(String ifname) {
        try (var arena = Arena.ofConfined()) {
            var ifreq = ifreq(arena, ifname);
            index(ifreq, ifname, "prepare");
            ethernetAddress(ifreq, ifname, "prepare", true);
        } catch (NativeException e) {
            // the real call will say it
        }
    }

    private void send(Arena arena, int ifindex, byte[] frame, String what) throws NativeException {
        var buf = arena.allocate(frame.length);
        MemorySegment.copy(frame, 0, buf, ValueLayout.JAVA_BYTE, 0, frame.length);
        Libc.sendto(fd, buf, frame.length, SockAddr.link(arena, ETH_P_ARP, ifindex, BROADCAST), what);
    }

    /// A zeroed `struct ifreq` naming `ifname`.
    private static MemorySegment ifreq(Arena arena, String ifname) throws NativeException {
        var name = ifname.getBytes(StandardCharsets.US_ASCII);
        if (name.length == 0 || name.length >= IFNAMSIZ) {
            throw new NativeException("gratuitous ARP on " + ifname, Errno.ENODEV, "there is no interface "
                    + ifname + " (interface names are 1 to " + (IFNAMSIZ - 1) + " ASCII characters)");
        }
        var ifreq = arena.allocate(IFREQ_SIZE);
        MemorySegment.copy(name, 0, ifreq, ValueLayout.JAVA_BYTE, 0, name.length);
        return ifreq;
    }

    /// The index of the interface an `ifreq` names (SIOCGIFINDEX), or a clear error when there is none.
    private int index(MemorySegment ifreq, String ifname, String what) throws NativeException {
        try {
            Libc.ioctl(fd, SIOCGIFINDEX, ifreq, what);
        } catch (NativeException e) {
            throw e.is(Errno.ENODEV) ? noInterface(ifname, what) : e;
        }
        return ifreq.get(ValueLayout.JAVA_INT_UNALIGNED, IFREQ_UNION);
    }

    /// The MAC in an `ifreq` after SIOCGIFHWADDR, or a clear error when the interface has none.
    private byte[] ethernetAddress(MemorySegment ifreq, String ifname, String what, boolean anyType)
            throws NativeException {
        Libc.ioctl(fd, SIOCGIFHWADDR, ifreq, what);
        int family = ifreq.get(ValueLayout.JAVA_SHORT_UNALIGNED, IFREQ_UNION) & 0xffff;
        if (family != ARPHRD_ETHER && !anyType) {
            throw new NativeException(what, Errno.ENODEV, "interface " + ifname + " has no Ethernet address");
        }
        var mac = new byte[6];
        MemorySegment.copy(ifreq, ValueLayout.JAVA_BYTE, IFREQ_UNION + 2, mac, 0, 6);
        return mac;
    }

    private static NativeException noInterface(String ifname, String what) {
        return new NativeException(what, Errno.ENODEV, "there is no interface " + ifname);
    }

    @Override
    public void close() {
        Libc.close(fd);
    }
}
