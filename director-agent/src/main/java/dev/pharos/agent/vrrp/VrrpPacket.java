package dev.pharos.agent.vrrp;

import static dev.pharos.agent.vrrp.MalformedPacketException.Reason.AH_NOT_SUPPORTED;
import static dev.pharos.agent.vrrp.MalformedPacketException.Reason.BAD_ADDRESS;
import static dev.pharos.agent.vrrp.MalformedPacketException.Reason.BAD_AUTH_TYPE;
import static dev.pharos.agent.vrrp.MalformedPacketException.Reason.BAD_CHECKSUM;
import static dev.pharos.agent.vrrp.MalformedPacketException.Reason.BAD_LENGTH;
import static dev.pharos.agent.vrrp.MalformedPacketException.Reason.BAD_TTL;
import static dev.pharos.agent.vrrp.MalformedPacketException.Reason.BAD_TYPE;
import static dev.pharos.agent.vrrp.MalformedPacketException.Reason.BAD_VERSION;
import static dev.pharos.agent.vrrp.MalformedPacketException.Reason.NOT_VRRP;
import static dev.pharos.agent.vrrp.MalformedPacketException.Reason.TOO_SHORT;

import dev.pharos.agent.api.Addresses;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/// A VRRP advertisement (RFC 3768 §5.1 for v2 over IPv4, RFC 5798 §5.1 for v3 over IPv4 and
/// IPv6) and its pure codec: [#decode] turns a received IP datagram into a packet or throws one
/// [MalformedPacketException]; [#encode] gives the VRRP payload a raw socket sends.
///
/// Wire choices follow keepalived 2.2.7 (`vrrp.c`): the v2 Adver Int is whole seconds; v2 PASS
/// authentication is 8 bytes after the address list, zero-padded, inside the checksum; the v3
/// Max Adver Int is 12 bits of centiseconds with the 4 reserved bits zero, and the v3 IPv4 checksum
/// covers the pseudo-header (source, destination, zero, protocol 112, VRRP length); over IPv6 the
/// pseudo-header is RFC 8200 §8.1's (source, destination, 32-bit length, zeros, next header 112).
///
/// The VRRP message is the header, the addresses and (v2) the authentication data; its length is
/// [#length], and the checks that a datagram holds exactly that are in one place ([#decode]), so
/// that a trailer after the message can be admitted there.
///
/// Only syntax is checked here. Whether the VRID, authentication, interval or address list are the
/// ones configured is decided by the instance, because only it knows the configuration.
///
/// @param version          2 or 3
/// @param vrid             Virtual Rtr ID, 1–255
/// @param priority         0 (master stops), 1–254, or 255 (address owner)
/// @param maxAdverInterval v2: whole seconds 1–255; v3: centiseconds 1–4095
/// @param authType         v2 authentication type; always [AuthType#NONE] for v3
/// @param authData         the 8 authentication bytes of v2 (zeros for v3 and NONE); copied
/// @param addresses        the IPvX Address(es) field, at most 255, all IPv4 or all IPv6 (v3 only)
public record VrrpPacket(VrrpVersion version, int vrid, int priority, Duration maxAdverInterval,
        AuthType authType, byte[] authData, List<InetAddress> addresses) {

    /// VRRP type ADVERTISEMENT, the only type defined (RFC 5798 §5.2.2).
    public static final int TYPE_ADVERTISEMENT = 1;
    /// Length of the v2 authentication data (RFC 3768 §5.3.10; keepalived's `VRRP_AUTH_LEN`).
    public static final int AUTH_DATA_LENGTH = 8;
    static final int HEADER_LENGTH = 8;
    private static final int AH_HEADER_LENGTH = 24;
    private static final Duration CENTISECOND = Duration.ofMillis(10);

    public VrrpPacket {
        if (vrid < 1 || vrid > 255) {
            throw new IllegalArgumentException("VRID " + vrid + " is outside 1–255");
        }
        if (priority < 0 || priority > 255) {
            throw new IllegalArgumentException("priority " + priority + " is outside 0–255");
        }
        if (addresses.size() > 255) {
            throw new IllegalArgumentException(addresses.size() + " addresses; at most 255 fit");
        }
        if (authData.length != AUTH_DATA_LENGTH) {
            throw new IllegalArgumentException("authentication data must be 8 bytes");
        }
        switch (version) {
            case V2 -> {
                long s = maxAdverInterval.toSeconds();
                if (s < 1 || s > 255 || !Duration.ofSeconds(s).equals(maxAdverInterval)) {
                    throw new IllegalArgumentException("VRRPv2 advert interval " + maxAdverInterval
                            + " must be whole seconds 1–255");
                }
            }
            case V3 -> {
                long cs = maxAdverInterval.toMillis() / 10;
                if (cs < 1 || cs > 4095 || !CENTISECOND.multipliedBy(cs).equals(maxAdverInterval)) {
                    throw new IllegalArgumentException("VRRPv3 advert interval " + maxAdverInterval
                            + " must be whole centiseconds 1–4095");
                }
                if (authType != AuthType.NONE) {
                    throw new IllegalArgumentException("VRRPv3 has no authentication (RFC 5798 §9)");
                }
            }
        }
        if (!addresses.isEmpty()) {
            var family = addresses.getFirst().getClass();
            if (!addresses.stream().allMatch(family::isInstance)) {
                throw new IllegalArgumentException("an advert's addresses are all IPv4 or all IPv6");
            }
            if (version == VrrpVersion.V2 && addresses.getFirst() instanceof Inet6Address) {
                throw new IllegalArgumentException("VRRPv2 is IPv4 only (RFC 3768); IPv6 needs version 3");
            }
        }
        authData = authData.clone();
        addresses = List.copyOf(addresses);
    }

    /// A VRRPv3 advert.
    public static VrrpPacket v3(int vrid, int priority, Duration interval, List<? extends InetAddress> addresses) {
        return new VrrpPacket(VrrpVersion.V3, vrid, priority, interval, AuthType.NONE,
                new byte[AUTH_DATA_LENGTH], List.copyOf(addresses));
    }

    /// A VRRPv2 advert; `password` is used only with [AuthType#PASS] (see [#passwordBytes]).
    public static VrrpPacket v2(int vrid, int priority, Duration interval, AuthType authType,
            String password, List<? extends InetAddress> addresses) {
        var data = authType == AuthType.PASS ? passwordBytes(password) : new byte[AUTH_DATA_LENGTH];
        return new VrrpPacket(VrrpVersion.V2, vrid, priority, interval, authType, data, List.copyOf(addresses));
    }

    /// keepalived's `auth_pass` on the wire: the UTF-8 bytes, cut to 8, zero-padded to 8.
    public static byte[] passwordBytes(String password) {
        return Arrays.copyOf(password.getBytes(StandardCharsets.UTF_8), AUTH_DATA_LENGTH);
    }

    @Override
    public byte[] authData() {
        return authData.clone();
    }

    /// Whether the authentication bytes equal `expected` (constant time, as keepalived compares).
    public boolean authDataEquals(byte[] expected) {
        return MessageDigest.isEqual(authData, expected);
    }

    /// The length of the VRRP payload this packet encodes to.
    public int length() {
        int each = addresses.isEmpty() ? 0 : addresses.getFirst().getAddress().length;
        return messageLength(version, each, addresses.size());
    }

    /// Header, `count` addresses of `addressLength` bytes, and the v2 authentication data.
    private static int messageLength(VrrpVersion version, int addressLength, int count) {
        return HEADER_LENGTH + addressLength * count + (version == VrrpVersion.V2 ? AUTH_DATA_LENGTH : 0);
    }

    /// The VRRP payload (no IP header). `source` and `destination` are the addresses the datagram
    /// will carry, both IPv4 or both IPv6 as the advert's addresses; only v3 uses them, in the
    /// checksum's pseudo-header.
    public byte[] encode(InetAddress source, InetAddress destination) {
        if (source.getClass() != destination.getClass()
                || !addresses.isEmpty() && addresses.getFirst().getClass() != source.getClass()) {
            throw new IllegalArgumentException("an advert from " + Addresses.text(source) + " to "
                    + Addresses.text(destination) + " cannot carry "
                    + addresses.stream().map(Addresses::text).toList());
        }
        if (version == VrrpVersion.V2 && source instanceof Inet6Address) {
            throw new IllegalArgumentException("VRRPv2 is IPv4 only (RFC 3768)");
        }
        var b = new byte[length()];
        b[0] = (byte) ((version.wireValue() << 4) | TYPE_ADVERTISEMENT);
        b[1] = (byte) vrid;
        b[2] = (byte) priority;
        b[3] = (byte) addresses.size();
        switch (version) {
            case V2 -> {
                b[4] = (byte) authType.wireValue();
                b[5] = (byte) maxAdverInterval.toSeconds();
            }
            case V3 -> {
                int cs = (int) (maxAdverInterval.toMillis() / 10);
                b[4] = (byte) ((cs >>> 8) & 0x0f); // the 4 reserved bits stay zero
                b[5] = (byte) cs;
            }
        }
        int off = HEADER_LENGTH;
        for (var a : addresses) {
            var raw = a.getAddress();
            System.arraycopy(raw, 0, b, off, raw.length);
            off += raw.length;
        }
        if (version == VrrpVersion.V2) {
            System.arraycopy(authData, 0, b, off, AUTH_DATA_LENGTH);
        }
        int checksum = checksum(version, b, 0, b.length, source, destination);
        b[6] = (byte) (checksum >>> 8);
        b[7] = (byte) checksum;
        return b;
    }

    /// A decoded datagram: the IP header the socket delivered and the advert inside it.
    public record Received(IpHeader ip, VrrpPacket packet) {
        /// Whether an `auth_hmac` [AuthTrailer] follows the PDU (which starts after the IP header).
        public boolean trailed() {
            return ip.totalLength() - ip.headerLength() > packet.length();
        }
    }

    /// Decodes a whole IPv4 or IPv6 datagram (`length` bytes of `datagram`). The checks run in
    /// FRRouting vrrpd's order: length, TTL (hop limit) 255 when multicast, version, checksum,
    /// type, count/size, addresses; the first failure is thrown.
    public static Received decode(byte[] datagram, int length) throws MalformedPacketException {
        var ip = IpHeader.decode(datagram, length);
        if (ip.protocol() == Ipv4Header.PROTOCOL_AH) {
            throw new MalformedPacketException(AH_NOT_SUPPORTED, "advert from " + Addresses.text(ip.source())
                    + " is wrapped in IPsec AH (keepalived auth_type AH), which Pharos does not verify");
        }
        if (ip.protocol() != Ipv4Header.PROTOCOL_VRRP) {
            throw new MalformedPacketException(NOT_VRRP, "IP protocol " + ip.protocol() + ", expected 112");
        }
        int off = ip.headerLength();
        int len = ip.totalLength() - off;
        if (len < HEADER_LENGTH) {
            throw new MalformedPacketException(TOO_SHORT, "VRRP part of " + len + " bytes, at least 8 needed");
        }
        boolean ipv6 = ip instanceof Ipv6Header;
        // RFC 5798 §7.1: a router MUST discard an advert whose TTL (IPv6: Hop Limit) is not 255:
        // it came from off-link. Deviation from RFC 5798 §7.1: only multicast adverts are held to
        // it. keepalived 2.2.7 checks no TTL on a unicast instance (vrrp.c vrrp_check_packet, "but
        // not if unicast") and sends its IPv6 unicast adverts with the default hop limit (64); a
        // unicast advert reaches only a unicast instance (the instance drops it otherwise).
        if (ip.ttl() != Ipv4Header.VRRP_TTL && ip.destination().isMulticastAddress()) {
            throw new MalformedPacketException(BAD_TTL, (ipv6 ? "hop limit " : "TTL ") + ip.ttl() + ", must be 255");
        }
        int versionNibble = (datagram[off] & 0xf0) >>> 4;
        var version = VrrpVersion.fromWireOrNull(versionNibble);
        if (version == null) {
            throw new MalformedPacketException(BAD_VERSION, "VRRP version " + versionNibble + ", expected 2 or 3");
        }
        if (ipv6 && version == VrrpVersion.V2) {
            throw new MalformedPacketException(BAD_VERSION, "VRRPv2 over IPv6: RFC 3768 is IPv4 only");
        }
        int count = datagram[off + 3] & 0xff;
        int addressLength = ip.addressLength();
        int expected = messageLength(version, addressLength, count);
        // keepalived 2.4 auth_hmac: a trailer may follow the PDU, outside its checksum ([Received#trailed]).
        int pduLength = len == expected + AuthTrailer.LENGTH ? expected : len;
        int computed = checksum(version, datagram, off, pduLength, ip.source(), ip.destination());
        if (computed != 0) {
            throw new MalformedPacketException(BAD_CHECKSUM, "VRRP checksum 0x"
                    + HexFormat.of().toHexDigits((short) Ipv4Header.u16(datagram, off + 6)) + " does not verify");
        }
        int type = datagram[off] & 0x0f;
        if (type != TYPE_ADVERTISEMENT) {
            throw new MalformedPacketException(BAD_TYPE, "VRRP type " + type + ", expected 1 (advertisement)");
        }
        var authType = switch (version) {
            case V2 -> AuthType.fromWireOrNull(datagram[off + 4] & 0xff);
            case V3 -> AuthType.NONE;
        };
        if (authType == null) {
            throw new MalformedPacketException(BAD_AUTH_TYPE,
                    "VRRPv2 auth type " + (datagram[off + 4] & 0xff) + ", expected 0, 1 or 2");
        }
        var interval = switch (version) {
            case V2 -> Duration.ofSeconds(datagram[off + 5] & 0xff);
            case V3 -> CENTISECOND.multipliedBy(Ipv4Header.u16(datagram, off + 4) & 0x0fff);
        };
        if (pduLength != expected) {
            throw new MalformedPacketException(BAD_LENGTH, "VRRP part of " + len + " bytes, but "
                    + count + " addresses make " + expected);
        }
        // RFC 9568 §7.1 (erratum 8301): a Max Advertise Interval of 0 is discarded.
        if (interval.isZero()) {
            throw new MalformedPacketException(BAD_LENGTH, "advert interval 0 is not allowed");
        }
        var addresses = new InetAddress[count];
        for (int i = 0; i < count; i++) {
            int at = off + HEADER_LENGTH + addressLength * i;
            InetAddress a = ipv6 ? Ipv6Header.address(datagram, at) : Ipv4Header.address(datagram, at);
            if (a.isAnyLocalAddress() || a.isMulticastAddress() || a instanceof Inet4Address a4 && isBroadcast(a4)) {
                throw new MalformedPacketException(BAD_ADDRESS,
                        "address " + (i + 1) + " of " + count + " is " + Addresses.text(a));
            }
            addresses[i] = a;
        }
        var authData = version == VrrpVersion.V2
                ? Arrays.copyOfRange(datagram, off + expected - AUTH_DATA_LENGTH, off + expected)
                : new byte[AUTH_DATA_LENGTH];
        var packet = new VrrpPacket(version, datagram[off + 1] & 0xff, datagram[off + 2] & 0xff,
                interval, authType, authData, List.of(addresses));
        return new Received(ip, packet);
    }

    private static boolean isBroadcast(Inet4Address a) {
        for (byte x : a.getAddress()) {
            if (x != (byte) 0xff) {
                return false;
            }
        }
        return true;
    }

    /// v2: over the VRRP message only (RFC 3768 §5.3.8). v3: the pseudo-header first (RFC 5798
    /// §5.2.8), over IPv4 as keepalived does unless `old_unicast_checksum` is set; over IPv6 it is
    /// RFC 8200 §8.1's, which keepalived leaves to the kernel (`IPV6_CHECKSUM`, offset 6).
    private static int checksum(VrrpVersion version, byte[] b, int off, int len,
            InetAddress source, InetAddress destination) {
        var sum = new InternetChecksum();
        if (version == VrrpVersion.V3 && source instanceof Inet6Address) {
            var pseudo = new byte[40];
            System.arraycopy(source.getAddress(), 0, pseudo, 0, 16);
            System.arraycopy(destination.getAddress(), 0, pseudo, 16, 16);
            pseudo[34] = (byte) (len >>> 8);
            pseudo[35] = (byte) len;
            pseudo[39] = (byte) Ipv4Header.PROTOCOL_VRRP;
            sum.add(pseudo, 0, pseudo.length);
        } else if (version == VrrpVersion.V3) {
            var pseudo = new byte[12];
            System.arraycopy(source.getAddress(), 0, pseudo, 0, 4);
            System.arraycopy(destination.getAddress(), 0, pseudo, 4, 4);
            pseudo[9] = (byte) Ipv4Header.PROTOCOL_VRRP;
            pseudo[10] = (byte) (len >>> 8);
            pseudo[11] = (byte) len;
            sum.add(pseudo, 0, pseudo.length);
        }
        return sum.add(b, off, len).finish();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VrrpPacket p && version == p.version && vrid == p.vrid
                && priority == p.priority && maxAdverInterval.equals(p.maxAdverInterval)
                && authType == p.authType && Arrays.equals(authData, p.authData)
                && addresses.equals(p.addresses);
    }

    @Override
    public int hashCode() {
        return Objects.hash(version, vrid, priority, maxAdverInterval, authType,
                Arrays.hashCode(authData), addresses);
    }

    @Override
    public String toString() {
        return "VRRPv" + version.wireValue() + "[vrid=" + vrid + ", priority=" + priority
                + ", interval=" + maxAdverInterval + ", auth=" + authType + ", addresses="
                + addresses.stream().map(Addresses::text).toList() + "]";
    }
}
