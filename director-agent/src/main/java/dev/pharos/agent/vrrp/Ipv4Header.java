package dev.pharos.agent.vrrp;

import static dev.pharos.agent.vrrp.MalformedPacketException.Reason.BAD_IP_VERSION;
import static dev.pharos.agent.vrrp.MalformedPacketException.Reason.IP_HEADER_TRUNCATED;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/// The IPv4 header (RFC 791) in front of a VRRP advert as a raw `IPPROTO_VRRP` socket delivers
/// it; decoded so that the TTL (RFC 5798 §7.1) and the pseudo-header addresses are available.
///
/// @param headerLength bytes of the header including options (IHL × 4)
/// @param totalLength  the header's Total Length field
/// @param ttl          Time To Live
/// @param protocol     112 for VRRP, 51 for IPsec AH
public record Ipv4Header(int headerLength, int totalLength, int ttl, int protocol,
        Inet4Address source, Inet4Address destination) implements IpHeader {

    /// IP protocol number of VRRP (RFC 5798 §5.1.1.4).
    public static final int PROTOCOL_VRRP = 112;
    /// IP protocol number of IPsec AH (RFC 4302), used by keepalived's `auth_type AH`.
    public static final int PROTOCOL_AH = 51;
    /// The TTL (IPv4) or Hop Limit (IPv6) every VRRP advert is sent with and must arrive with
    /// (RFC 5798 §5.1.1.3, §5.1.2.3).
    public static final int VRRP_TTL = 255;
    static final int MIN_LENGTH = 20;

    /// Decodes the header at the start of `datagram`, of which `length` bytes were received.
    /// Checks only what is needed to find the payload: version 4, IHL, and that Total Length is
    /// not more than was received (less is allowed: Ethernet pads short frames).
    public static Ipv4Header decode(byte[] datagram, int length) throws MalformedPacketException {
        if (length < MIN_LENGTH || datagram.length < length) {
            throw new MalformedPacketException(IP_HEADER_TRUNCATED,
                    "datagram of " + length + " bytes is shorter than an IPv4 header (20)");
        }
        int version = (datagram[0] & 0xf0) >>> 4;
        if (version != 4) {
            throw new MalformedPacketException(BAD_IP_VERSION, "IP version " + version + ", expected 4");
        }
        int ihl = (datagram[0] & 0x0f) * 4;
        int total = u16(datagram, 2);
        if (ihl < MIN_LENGTH || ihl > length || total < ihl || total > length) {
            throw new MalformedPacketException(IP_HEADER_TRUNCATED, "IPv4 header length " + ihl
                    + " / total length " + total + " do not fit the " + length + " bytes received");
        }
        return new Ipv4Header(ihl, total, datagram[8] & 0xff, datagram[9] & 0xff,
                address(datagram, 12), address(datagram, 16));
    }

    /// A 20-byte header (no options, DF clear, ID 0) with a valid header checksum, for a payload
    /// of `payloadLength` bytes; what a raw socket's kernel would put in front of an advert.
    public static byte[] encode(Inet4Address source, Inet4Address destination, int ttl,
            int protocol, int payloadLength) {
        var b = new byte[MIN_LENGTH];
        b[0] = 0x45;
        b[1] = (byte) 0xc0; // DSCP CS6 (network control), as keepalived sets on its socket
        int total = MIN_LENGTH + payloadLength;
        b[2] = (byte) (total >>> 8);
        b[3] = (byte) total;
        b[8] = (byte) ttl;
        b[9] = (byte) protocol;
        System.arraycopy(source.getAddress(), 0, b, 12, 4);
        System.arraycopy(destination.getAddress(), 0, b, 16, 4);
        int checksum = InternetChecksum.of(b, 0, MIN_LENGTH);
        b[10] = (byte) (checksum >>> 8);
        b[11] = (byte) checksum;
        return b;
    }

    /// `encode` followed by the payload: a whole datagram.
    public static byte[] datagram(Inet4Address source, Inet4Address destination, int ttl,
            int protocol, byte[] payload) {
        var header = encode(source, destination, ttl, protocol, payload.length);
        var all = Arrays.copyOf(header, header.length + payload.length);
        System.arraycopy(payload, 0, all, header.length, payload.length);
        return all;
    }

    static int u16(byte[] b, int off) {
        return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
    }

    static Inet4Address address(byte[] b, int off) {
        try {
            return (Inet4Address) InetAddress.getByAddress(Arrays.copyOfRange(b, off, off + 4));
        } catch (UnknownHostException e) {
            throw new AssertionError("4 bytes are always an IPv4 address", e);
        }
    }
}
