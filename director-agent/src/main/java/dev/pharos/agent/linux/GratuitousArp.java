package dev.pharos.agent.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.ByteBuffer;

/// Gratuitous ARP through an AF_PACKET socket, as keepalived sends it (`vrrp_arp.c`): an ARP
/// request to the Ethernet broadcast, sender and target protocol address both the VIP, sender
/// hardware address the interface's MAC, target hardware address broadcast. The socket is opened
/// once and reused.
public final class GratuitousArp implements AutoCloseable {

    private static final int ETH_P_ARP = 0x0806;
    private static final byte[] BROADCAST = {-1, -1, -1, -1, -1, -1};

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

    /// Sends one gratuitous ARP for `address` on `ifname`.
    public void send(String ifname, Inet4Address address) throws NativeException {
        byte[] mac;
        try {
            var nif = NetworkInterface.getByName(ifname);
            mac = nif == null ? null : nif.getHardwareAddress();
        } catch (SocketException e) {
            mac = null;
        }
        if (mac == null || mac.length != 6) {
            throw new NativeException("gratuitous ARP on " + ifname, Errno.ENODEV,
                    "interface " + ifname + " has no Ethernet address");
        }
        int ifindex = Libc.ifNameToIndex(ifname);
        var frame = frame(mac, address);
        try (var arena = Arena.ofConfined()) {
            var buf = arena.allocate(frame.length);
            MemorySegment.copy(frame, 0, buf, ValueLayout.JAVA_BYTE, 0, frame.length);
            Libc.sendto(fd, buf, frame.length, SockAddr.link(arena, ETH_P_ARP, ifindex, BROADCAST),
                    "gratuitous ARP for " + address.getHostAddress() + " on " + ifname);
        }
    }

    @Override
    public void close() {
        Libc.close(fd);
    }
}
