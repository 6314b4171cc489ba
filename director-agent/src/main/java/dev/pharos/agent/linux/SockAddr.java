package dev.pharos.agent.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/// The C socket address structures Pharos passes to the kernel, written into arena memory.
final class SockAddr {

    private static final ValueLayout.OfShort SHORT_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private SockAddr() {
    }

    /// `struct sockaddr_in`: family (host order), port (network order), address, 8 bytes of zero.
    static MemorySegment inet(Arena arena, Inet4Address address, int port) {
        var s = arena.allocate(16);
        s.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) Libc.AF_INET);
        s.set(SHORT_BE, 2, (short) port);
        MemorySegment.copy(address.getAddress(), 0, s, ValueLayout.JAVA_BYTE, 4, 4);
        return s;
    }

    /// Sets the address of a `struct sockaddr_in` made by [#inet].
    static void setInet(MemorySegment sockaddrIn, Inet4Address address) {
        MemorySegment.copy(address.getAddress(), 0, sockaddrIn, ValueLayout.JAVA_BYTE, 4, 4);
    }

    /// Sets the port of a `struct sockaddr_in` made by [#inet].
    static void setPort(MemorySegment sockaddrIn, int port) {
        sockaddrIn.set(SHORT_BE, 2, (short) port);
    }

    /// Four bytes as an address (cannot fail: any four bytes are one).
    static Inet4Address inet4(byte[] four) {
        try {
            return (Inet4Address) InetAddress.getByAddress(four);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    static Inet4Address inetAddress(MemorySegment sockaddrIn) {
        var b = new byte[4];
        MemorySegment.copy(sockaddrIn, ValueLayout.JAVA_BYTE, 4, b, 0, 4);
        try {
            return (Inet4Address) InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /// `struct sockaddr_in6`: family, port (network order), flow info 0, address, scope id (the
    /// interface index a link-local address needs; 0 for others).
    static MemorySegment inet6(Arena arena, Inet6Address address, int scopeId) {
        var s = arena.allocate(SOCKADDR_IN6_SIZE);
        s.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) Libc.AF_INET6);
        setInet6(s, address, scopeId);
        return s;
    }

    static final int SOCKADDR_IN6_SIZE = 28;

    /// Sets the address and scope id of a `struct sockaddr_in6` made by [#inet6].
    static void setInet6(MemorySegment sockaddrIn6, Inet6Address address, int scopeId) {
        MemorySegment.copy(address.getAddress(), 0, sockaddrIn6, ValueLayout.JAVA_BYTE, 8, 16);
        sockaddrIn6.set(ValueLayout.JAVA_INT_UNALIGNED, 24, scopeId);
    }

    /// `struct ipv6_mreq`: group, interface index.
    static MemorySegment ipv6Mreq(Arena arena, Inet6Address group, int ifindex) {
        var s = arena.allocate(20);
        MemorySegment.copy(group.getAddress(), 0, s, ValueLayout.JAVA_BYTE, 0, 16);
        s.set(ValueLayout.JAVA_INT_UNALIGNED, 16, ifindex);
        return s;
    }

    /// `struct ip_mreqn`: group, local address (any), interface index.
    static MemorySegment mreqn(Arena arena, Inet4Address group, int ifindex) {
        var s = arena.allocate(12);
        if (group != null) {
            MemorySegment.copy(group.getAddress(), 0, s, ValueLayout.JAVA_BYTE, 0, 4);
        }
        s.set(ValueLayout.JAVA_INT_UNALIGNED, 8, ifindex);
        return s;
    }

    /// `struct sockaddr_ll` for sending on `ifindex` to the hardware address `mac`.
    static MemorySegment link(Arena arena, int protocol, int ifindex, byte[] mac) {
        var s = arena.allocate(20);
        s.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) Libc.AF_PACKET);
        s.set(SHORT_BE, 2, (short) protocol);
        s.set(ValueLayout.JAVA_INT_UNALIGNED, 4, ifindex);
        s.set(ValueLayout.JAVA_SHORT_UNALIGNED, 8, (short) 1); // ARPHRD_ETHER
        s.set(ValueLayout.JAVA_BYTE, 11, (byte) mac.length);
        MemorySegment.copy(mac, 0, s, ValueLayout.JAVA_BYTE, 12, mac.length);
        return s;
    }

    /// `struct sockaddr_nl`: the kernel (pid 0) or our own address, with multicast groups.
    static MemorySegment netlink(Arena arena, int groups) {
        var s = arena.allocate(12);
        s.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) Libc.AF_NETLINK);
        s.set(ValueLayout.JAVA_INT_UNALIGNED, 8, groups);
        return s;
    }

    /// `struct sockaddr_un` for a path, or for an abstract name when `path` starts with `@`
    /// (systemd's convention: the `@` stands for the leading NUL byte).
    static MemorySegment unix(Arena arena, String path) {
        var bytes = path.getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0 || bytes.length > 107) {
            throw new IllegalArgumentException("a Unix socket path must have 1–107 bytes: " + path);
        }
        boolean abstractName = bytes[0] == '@';
        // Abstract names are exactly as long as given (no trailing NUL); paths end with a NUL.
        var s = arena.allocate(2 + bytes.length + (abstractName ? 0 : 1));
        s.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) Libc.AF_UNIX);
        MemorySegment.copy(bytes, 0, s, ValueLayout.JAVA_BYTE, 2, bytes.length);
        if (abstractName) {
            s.set(ValueLayout.JAVA_BYTE, 2, (byte) 0);
        }
        return s;
    }
}
