package dev.pharos.agent.lab;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/// The lab's LAN is dual-stack: every host of it with IPv4 address `a.b.c.d` also has the IPv6
/// addresses whose last four groups read `a:b:c:d` — a director the link-local `fe80::a:b:c:d`
/// (its IPv6 VRRP instances advertise from it), a real server `2001:db8::a:b:c:d`. The groups
/// are the octets' decimal digits written as hex groups, so a card shows `2001:db8::198:51:100:66`
/// for the server at 198.51.100.66: the same host, recognisably, without a table to keep.
final class LabLan {

    private static final byte[] DOCUMENTATION_PREFIX = {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0};

    private LabLan() {
    }

    /// A director's link-local address: `fe80::192:0:2:1` for 192.0.2.1.
    static Inet6Address linkLocal(Inet4Address address) {
        return withGroups(new byte[] {(byte) 0xfe, (byte) 0x80, 0, 0, 0, 0, 0, 0}, address);
    }

    /// A real server's IPv6 address: `2001:db8::198:51:100:66` for 198.51.100.66.
    static Inet6Address ipv6(Inet4Address address) {
        return withGroups(DOCUMENTATION_PREFIX, address);
    }

    /// The IPv4 host an IPv6 address of the lab's real servers belongs to; empty for any other
    /// address (another prefix, or a group that is not an octet's decimal digits).
    static Optional<Inet4Address> ipv4(InetAddress address) {
        if (!(address instanceof Inet6Address v6)) {
            return Optional.empty();
        }
        var bytes = v6.getAddress();
        var octets = new byte[4];
        for (int i = 0; i < 8; i++) {
            if (bytes[i] != DOCUMENTATION_PREFIX[i]) {
                return Optional.empty();
            }
        }
        for (int g = 0; g < 4; g++) {
            var hex = Integer.toHexString(((bytes[8 + 2 * g] & 0xff) << 8) | (bytes[9 + 2 * g] & 0xff));
            if (!hex.matches("[0-9]{1,3}") || Integer.parseInt(hex) > 255) {
                return Optional.empty();
            }
            octets[g] = (byte) Integer.parseInt(hex);
        }
        return Optional.of(v4(octets));
    }

    private static Inet6Address withGroups(byte[] prefix, Inet4Address address) {
        var bytes = new byte[16];
        System.arraycopy(prefix, 0, bytes, 0, 8);
        var octets = address.getAddress();
        for (int g = 0; g < 4; g++) {
            int group = Integer.parseInt(Integer.toString(octets[g] & 0xff), 16);
            bytes[8 + 2 * g] = (byte) (group >> 8);
            bytes[9 + 2 * g] = (byte) group;
        }
        try {
            return (Inet6Address) InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("16 bytes are an IPv6 address", e);
        }
    }

    private static Inet4Address v4(byte[] octets) {
        try {
            return (Inet4Address) InetAddress.getByAddress(octets);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 bytes are an IPv4 address", e);
        }
    }
}
