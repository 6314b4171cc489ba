package dev.pharos.agent.vrrp;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/// The IP header in front of a received VRRP advert, IPv4 ([Ipv4Header]) or IPv6 ([Ipv6Header]):
/// what the codec needs from it, the TTL or hop limit of RFC 5798 §7.1 and the pseudo-header
/// addresses of §5.2.8.
public sealed interface IpHeader permits Ipv4Header, Ipv6Header {

    /// Bytes of the header in front of the VRRP payload.
    int headerLength();

    /// Header and payload, as the header says.
    int totalLength();

    /// IPv4 TTL or IPv6 Hop Limit.
    int ttl();

    /// IPv4 Protocol or IPv6 Next Header.
    int protocol();

    InetAddress source();

    InetAddress destination();

    /// Bytes in one address of this family: 4 or 16.
    default int addressLength() {
        return source().getAddress().length;
    }

    /// A whole datagram as a receiver reads it: the header for the addresses' family (both IPv4
    /// or both IPv6), then `payload`.
    static byte[] datagram(InetAddress source, InetAddress destination, int ttl, int protocol, byte[] payload) {
        return switch (source) {
            case Inet4Address s4 -> Ipv4Header.datagram(s4, (Inet4Address) destination, ttl, protocol, payload);
            case Inet6Address s6 -> Ipv6Header.datagram(s6, (Inet6Address) destination, ttl, protocol, payload);
            default -> throw new IllegalArgumentException("neither IPv4 nor IPv6: " + source);
        };
    }

    /// Decodes the header at the start of `datagram` by its version nibble.
    static IpHeader decode(byte[] datagram, int length) throws MalformedPacketException {
        if (length < 1 || datagram.length < length) {
            throw new MalformedPacketException(MalformedPacketException.Reason.IP_HEADER_TRUNCATED,
                    "empty datagram");
        }
        int version = (datagram[0] & 0xf0) >>> 4;
        return switch (version) {
            case 4 -> Ipv4Header.decode(datagram, length);
            case 6 -> Ipv6Header.decode(datagram, length);
            default -> throw new MalformedPacketException(MalformedPacketException.Reason.BAD_IP_VERSION,
                    "IP version " + version + ", expected 4 or 6");
        };
    }
}
