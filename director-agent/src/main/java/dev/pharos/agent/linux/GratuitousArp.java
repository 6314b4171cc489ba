package dev.pharos.agent.linux;

import dev.pharos.agent.api.Addresses;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteOrder;

/// Gratuitous ARP through an AF_PACKET socket, as keepalived sends it (`vrrp_arp.c`): an ARP
/// request to the Ethernet broadcast, sender and target protocol address both the VIP, sender
/// hardware address the interface's MAC, target hardware address broadcast. The socket, the
/// frame and the structures the calls fill are made once and reused (sends are serialised), and
/// a send's description is built only when it fails: a new master's first gratuitous ARP then
/// runs two `ioctl`s, a few stores and a `sendto`.
public final class GratuitousArp implements AutoCloseable {

    private static final int ETH_P_ARP = 0x0806;
    private static final byte[] BROADCAST = {-1, -1, -1, -1, -1, -1};
    private static final int FRAME_SIZE = 42;
    private static final int SENDER_MAC = 22;
    private static final ValueLayout.OfShort SHORT_BE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final InterfaceRequest ifreq;
    private final MemorySegment frame;
    private final MemorySegment link;
    private final MemorySegment capture;
    private boolean closed;

    private GratuitousArp(int fd) {
        this.fd = fd;
        this.ifreq = new InterfaceRequest(arena);
        this.frame = arena.allocate(FRAME_SIZE, 8);
        this.link = SockAddr.link(arena, ETH_P_ARP, 0, BROADCAST);
        this.capture = Libc.capture(arena);
    }

    public static GratuitousArp open() throws NativeException {
        // Protocol 0: a send-only packet socket receives nothing.
        return new GratuitousArp(Libc.socket(Libc.AF_PACKET, Libc.SOCK_RAW, 0, "AF_PACKET, SOCK_RAW"));
    }

    /// The Ethernet frame a gratuitous ARP for `address` from `mac` is (pure; tests use it).
    public static byte[] frame(byte[] mac, Inet4Address address) {
        var bytes = new byte[FRAME_SIZE];
        write(MemorySegment.ofArray(bytes), MemorySegment.ofArray(mac), address);
        return bytes;
    }

    /// Writes the frame into `into`: broadcast destination, `mac` (6 bytes) as the source, then
    /// an ARP request whose sender and target protocol addresses are both `address`.
    private static void write(MemorySegment into, MemorySegment mac, Inet4Address address) {
        var ip = address.getAddress();
        MemorySegment.copy(BROADCAST, 0, into, ValueLayout.JAVA_BYTE, 0, 6);
        MemorySegment.copy(mac, 0, into, 6, 6);
        into.set(SHORT_BE, 12, (short) ETH_P_ARP);
        into.set(SHORT_BE, 14, (short) 1);      // hardware type: Ethernet
        into.set(SHORT_BE, 16, (short) 0x0800); // protocol type: IPv4
        into.set(ValueLayout.JAVA_BYTE, 18, (byte) 6);
        into.set(ValueLayout.JAVA_BYTE, 19, (byte) 4);
        into.set(SHORT_BE, 20, (short) 1);      // ARPOP_REQUEST
        MemorySegment.copy(mac, 0, into, SENDER_MAC, 6);
        MemorySegment.copy(ip, 0, into, ValueLayout.JAVA_BYTE, 28, 4);
        MemorySegment.copy(BROADCAST, 0, into, ValueLayout.JAVA_BYTE, 32, 6);
        MemorySegment.copy(ip, 0, into, ValueLayout.JAVA_BYTE, 38, 4);
    }

    /// Sends one gratuitous ARP for `address` on `ifname`. The interface's index and MAC are read
    /// from the kernel at each send (two `ioctl`s: always current, a few microseconds), not through
    /// `NetworkInterface`, which lists every interface of the host to find one.
    public synchronized void send(String ifname, Inet4Address address) throws NativeException {
        announce(ifname, address, false);
    }

    /// Runs the send path without anything leaving the host, so a new master's first gratuitous
    /// ARP does not pay for loading and linking it: `lo`'s index and address are read as for a
    /// send, and the frame is handed to the kernel for interface index 0, which it refuses
    /// (ENXIO). Returns true if the kernel answered as expected.
    public synchronized boolean warmUp() {
        try {
            announce("lo", (Inet4Address) InetAddress.getLoopbackAddress(), true);
            return false;
        } catch (NativeException e) {
            return e.is(Errno.ENXIO);
        }
    }

    /// [#send], or with `nowhere` [#warmUp]'s dry run: interface index 0 and any hardware type.
    private void announce(String ifname, Inet4Address address, boolean nowhere) throws NativeException {
        int index = lookUp(ifname, address, nowhere);
        write(frame, ifreq.ethernetAddress(), address);
        link.set(ValueLayout.JAVA_INT_UNALIGNED, 4, nowhere ? 0 : index);
        try {
            Libc.sendto(fd, frame, FRAME_SIZE, link, capture, "gratuitous ARP");
        } catch (NativeException e) {
            throw e.of(what(ifname, address));
        }
    }

    /// Reads `ifname`'s index and MAC as [#send] does, and drops them: the lookup code runs ahead
    /// of a probable takeover. Changes and sends nothing; never throws.
    public synchronized void prepare(String ifname) {
        try {
            lookUp(ifname, null, true);
        } catch (NativeException e) {
            // the real call will say it
        }
    }

    /// Reads `ifname`'s MAC into [#ifreq] and returns its index, or a clear error when there is
    /// no such interface or (unless `anyType`) it has no Ethernet address.
    private int lookUp(String ifname, Inet4Address address, boolean anyType) throws NativeException {
        if (closed) {
            throw new NativeException(what(ifname, address), Errno.EBADF, "the socket is closed");
        }
        try {
            return ifreq.ethernetIndex(fd, ifname, "gratuitous ARP", anyType);
        } catch (NativeException e) {
            throw e.of(what(ifname, address));
        }
    }

    private static String what(String ifname, Inet4Address address) {
        return address == null ? "gratuitous ARP on " + ifname
                : "gratuitous ARP for " + Addresses.text(address) + " on " + ifname;
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
