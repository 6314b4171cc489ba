package dev.pharos.agent.vrrp;

import static dev.pharos.agent.vrrp.MalformedPacketException.Reason.BAD_IP_VERSION;
import static dev.pharos.agent.vrrp.MalformedPacketException.Reason.IP_HEADER_TRUNCATED;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/// The fixed IPv6 header (RFC 8200 §3) in front of a VRRP advert. A raw `AF_INET6` socket does
/// not deliver it: `agent.linux` rebuilds it from the ancillary data (`IPV6_HOPLIMIT`,
/// `IPV6_PKTINFO`) and the sender's address, so the engine sees an IPv6 advert as it sees an
/// IPv4 one, header first. Extension headers are never in front of the payload here: Next Header
/// is the payload's protocol.
///
/// @param payloadLength the Payload Length field
/// @param nextHeader    112 for VRRP
/// @param hopLimit      Hop Limit, 255 for VRRP (RFC 5798 §5.1.2.3)
public record Ipv6Header(int payloadLength, int nextHeader, int hopLimit, Inet6Address source,
        Inet6Address destination) implements IpHeader {

    static final int LENGTH = 40;

    /// Decodes the fixed header at the start of `datagram`, of which `length` bytes were received.
    public static Ipv6Header decode(byte[] datagram, int length) throws MalformedPacketException {
        if (length < LENGTH || datagram.length < length) {
            throw new MalformedPacketException(IP_HEADER_TRUNCATED,
                    "datagram of " + length + " bytes is shorter than an IPv6 header (40)");
        }
        int version = (datagram[0] & 0xf0) >>> 4;
        if (version != 6) {
            throw new MalformedPacketException(BAD_IP_VERSION, "IP version " + version + ", expected 6");
        }
        int payload = Ipv4Header.u16(datagram, 4);
        if (payload > length - LENGTH) {
            throw new MalformedPacketException(IP_HEADER_TRUNCATED, "IPv6 payload length " + payload
                    + " does not fit the " + (length - LENGTH) + " bytes received after the header");
        }
        return new Ipv6Header(payload, datagram[6] & 0xff, datagram[7] & 0xff, address(datagram, 8),
                address(datagram, 24));
    }

    /// A fixed header (traffic class CS6 as keepalived sends, flow label 0) for a payload of
    /// `payloadLength` bytes.
    public static byte[] encode(Inet6Address source, Inet6Address destination, int hopLimit, int nextHeader,
            int payloadLength) {
        var b = new byte[LENGTH];
        b[0] = 0x6c; // version 6, traffic class 0xc0 (CS6) across the nibbles
        b[4] = (byte) (payloadLength >>> 8);
        b[5] = (byte) payloadLength;
        b[6] = (byte) nextHeader;
        b[7] = (byte) hopLimit;
        System.arraycopy(source.getAddress(), 0, b, 8, 16);
        System.arraycopy(destination.getAddress(), 0, b, 24, 16);
        return b;
    }

    /// `encode` followed by the payload: a whole datagram.
    public static byte[] datagram(Inet6Address source, Inet6Address destination, int hopLimit, int nextHeader,
            byte[] payload) {
        var header = encode(source, destination, hopLimit, nextHeader, payload.length);
        var all = Arrays.copyOf(header, LENGTH + payload.length);
        System.arraycopy(payload, 0, all, LENGTH, payload.length);
        return all;
    }

    @Override
    public int headerLength() {
        return LENGTH;
    }

    @Override
    public int totalLength() {
        return LENGTH + payloadLength;
    }

    @Override
    public int ttl() {
        return hopLimit;
    }

    @Override
    public int protocol() {
        return nextHeader;
    }

    /// Sixteen bytes at `off` as an address without a scope: the interface is the instance's.
    static Inet6Address address(byte[] b, int off) {
        try {
            return (Inet6Address) InetAddress.getByAddress(null, Arrays.copyOfRange(b, off, off + 16));
        } catch (UnknownHostException e) {
            throw new AssertionError("16 bytes are always an IPv6 address", e);
        }
    }
}
