package dev.pharos.agent.linux;

import dev.pharos.agent.api.Addresses;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/// Unsolicited Neighbor Advertisements (RFC 4861 §7.2.6) for a new master's IPv6 VIPs (RFC 5798
/// §6.4.1), through an AF_PACKET socket as keepalived 2.2.7 sends them (`vrrp_ndisc.c`): an
/// Ethernet frame to 33:33:00:00:00:01 from the interface's MAC, an IPv6 header from the VIP to
/// all-nodes ff02::1 with hop limit 255, and an ICMPv6 Neighbor Advertisement with the Override
/// flag, the Router flag when the interface forwards IPv6, the VIP as target and the MAC in a
/// target link-layer address option. The frame is built whole (its checksum too), so the VIP
/// need not be usable as a source address yet.
public final class NeighbourAdvert implements AutoCloseable {

    private static final int ETH_P_IPV6 = 0x86dd;
    private static final byte[] ALL_NODES_MAC = {0x33, 0x33, 0, 0, 0, 1};
    private static final byte[] ALL_NODES = {(byte) 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    private static final int ICMPV6 = 58;
    private static final int NEIGHBOR_ADVERT = 136;
    private static final int FLAG_ROUTER = 0x80;
    private static final int FLAG_OVERRIDE = 0x20;
    private static final int TARGET_LINK_ADDRESS = 2;
    private static final int ICMP_LENGTH = 32;
    private static final int ICMP_AT = 54;
    /// Ethernet (14) + IPv6 (40) + advertisement (24) + option (8).
    public static final int FRAME_SIZE = ICMP_AT + ICMP_LENGTH;
    /// keepalived rechecks an interface's forwarding setting at most every 5 s (`vrrp_ndisc.c`).
    private static final long FORWARDING_RECHECK_NANOS = 5_000_000_000L;
    private static final Inet6Address LOOPBACK = loopback();

    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final InterfaceRequest ifreq;
    private final MemorySegment frame;
    private final MemorySegment link;
    private final MemorySegment capture;
    private final byte[] bytes = new byte[FRAME_SIZE];
    private final Map<String, Forwarding> forwarding = new HashMap<>();
    private boolean closed;

    private record Forwarding(boolean on, long readNanos) {
    }

    private NeighbourAdvert(int fd) {
        this.fd = fd;
        this.ifreq = new InterfaceRequest(arena);
        this.frame = arena.allocate(FRAME_SIZE, 8);
        this.link = SockAddr.link(arena, ETH_P_IPV6, 0, ALL_NODES_MAC);
        this.capture = Libc.capture(arena);
    }

    public static NeighbourAdvert open() throws NativeException {
        // Protocol 0: a send-only packet socket receives nothing.
        return new NeighbourAdvert(Libc.socket(Libc.AF_PACKET, Libc.SOCK_RAW, 0, "AF_PACKET, SOCK_RAW"));
    }

    /// The Ethernet frame an unsolicited advertisement for `address` from `mac` is (pure; tests
    /// use it). `router` sets the Router flag.
    public static byte[] frame(byte[] mac, Inet6Address address, boolean router) {
        var b = new byte[FRAME_SIZE];
        write(b, mac, address.getAddress(), router);
        return b;
    }

    private static void write(byte[] b, byte[] mac, byte[] target, boolean router) {
        System.arraycopy(ALL_NODES_MAC, 0, b, 0, 6);
        System.arraycopy(mac, 0, b, 6, 6);
        b[12] = (byte) (ETH_P_IPV6 >>> 8);
        b[13] = (byte) ETH_P_IPV6;
        b[14] = 0x60;
        b[15] = 0;
        b[16] = 0;
        b[17] = 0;
        b[18] = 0;
        b[19] = ICMP_LENGTH;
        b[20] = ICMPV6;
        b[21] = (byte) 255; // RFC 4861 §7.1.2: a receiver drops neighbour discovery from off-link
        System.arraycopy(target, 0, b, 22, 16);
        System.arraycopy(ALL_NODES, 0, b, 38, 16);
        int i = ICMP_AT;
        b[i] = (byte) NEIGHBOR_ADVERT;
        b[i + 1] = 0;
        b[i + 2] = 0;
        b[i + 3] = 0;
        b[i + 4] = (byte) (FLAG_OVERRIDE | (router ? FLAG_ROUTER : 0));
        b[i + 5] = 0;
        b[i + 6] = 0;
        b[i + 7] = 0;
        System.arraycopy(target, 0, b, i + 8, 16);
        b[i + 24] = TARGET_LINK_ADDRESS;
        b[i + 25] = 1; // in units of 8 bytes
        System.arraycopy(mac, 0, b, i + 26, 6);
        int sum = checksum(b, target);
        b[i + 2] = (byte) (sum >>> 8);
        b[i + 3] = (byte) sum;
    }

    /// The ICMPv6 checksum (RFC 4443 §2.3) over the pseudo-header of RFC 8200 §8.1 and the message.
    private static int checksum(byte[] b, byte[] source) {
        long sum = 0;
        for (int k = 0; k < 16; k += 2) {
            sum += ((source[k] & 0xff) << 8) | (source[k + 1] & 0xff);
            sum += ((ALL_NODES[k] & 0xff) << 8) | (ALL_NODES[k + 1] & 0xff);
        }
        sum += ICMP_LENGTH;
        sum += ICMPV6;
        for (int k = ICMP_AT; k < FRAME_SIZE; k += 2) {
            sum += ((b[k] & 0xff) << 8) | (b[k + 1] & 0xff);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }

    /// Sends one unsolicited advertisement for `address` on `ifname`. The interface's index and
    /// MAC are read from the kernel at each send, as for [GratuitousArp].
    public synchronized void send(String ifname, Inet6Address address) throws NativeException {
        announce(ifname, address, false);
    }

    /// Runs the send path without anything leaving the host, as [GratuitousArp#warmUp] does: `lo`
    /// is looked up and its forwarding setting read, the frame for `::1` is built and handed to
    /// the kernel for interface index 0, which it refuses (ENXIO). A new master's first
    /// advertisement then does not pay for loading and linking this code (bench/failover's IPv6
    /// rows: it came 1–5 ms after the first advert, the first gratuitous ARP 0.2 ms).
    /// Returns true if the kernel answered as expected.
    public synchronized boolean warmUp() {
        try {
            announce("lo", LOOPBACK, true);
            return false;
        } catch (NativeException e) {
            return e.is(Errno.ENXIO);
        }
    }

    /// Reads `ifname`'s index, MAC and forwarding setting as [#send] does, and drops all but the
    /// setting (kept 5 s): run ahead of a probable takeover. Changes and sends nothing; never throws.
    public synchronized void prepare(String ifname) {
        try {
            lookUp(ifname, null, true);
            forwards(ifname);
        } catch (NativeException e) {
            // the real call will say it
        }
    }

    /// [#send], or with `nowhere` [#warmUp]'s dry run: interface index 0 and any hardware type.
    private void announce(String ifname, Inet6Address address, boolean nowhere) throws NativeException {
        int index = lookUp(ifname, address, nowhere);
        var mac = ifreq.ethernetAddress().toArray(ValueLayout.JAVA_BYTE);
        write(bytes, mac, address.getAddress(), forwards(ifname));
        MemorySegment.copy(bytes, 0, frame, ValueLayout.JAVA_BYTE, 0, FRAME_SIZE);
        link.set(ValueLayout.JAVA_INT_UNALIGNED, 4, nowhere ? 0 : index);
        try {
            Libc.sendto(fd, frame, FRAME_SIZE, link, capture, "neighbour advertisement");
        } catch (NativeException e) {
            throw e.of(what(ifname, address));
        }
    }

    /// Reads `ifname`'s MAC into [#ifreq] and returns its index, or a clear error when there is
    /// no such interface or (unless `anyType`) it has no Ethernet address.
    private int lookUp(String ifname, Inet6Address address, boolean anyType) throws NativeException {
        if (closed) {
            throw new NativeException(what(ifname, address), Errno.EBADF, "the socket is closed");
        }
        try {
            return ifreq.ethernetIndex(fd, ifname, "neighbour advertisement", anyType);
        } catch (NativeException e) {
            throw e.of(what(ifname, address));
        }
    }

    /// Whether `ifname` forwards IPv6 (then the advertisement says it is from a router, RFC 4861
    /// §4.4 R flag), read again when the last reading is 5 s old.
    private boolean forwards(String ifname) {
        var known = forwarding.get(ifname);
        long now = System.nanoTime();
        if (known != null && now - known.readNanos() < FORWARDING_RECHECK_NANOS) {
            return known.on();
        }
        boolean on;
        try {
            on = Files.readString(Path.of("/proc/sys/net/ipv6/conf", ifname, "forwarding")).trim().equals("1");
        } catch (IOException | RuntimeException e) {
            on = false;
        }
        forwarding.put(ifname, new Forwarding(on, now));
        return on;
    }

    private static String what(String ifname, Inet6Address address) {
        return address == null ? "neighbour advertisement on " + ifname
                : "neighbour advertisement for " + Addresses.text(address) + " on " + ifname;
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

    private static Inet6Address loopback() {
        var bytes = new byte[16];
        bytes[15] = 1;
        try {
            return (Inet6Address) InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("16 bytes are an IPv6 address", e);
        }
    }
}
