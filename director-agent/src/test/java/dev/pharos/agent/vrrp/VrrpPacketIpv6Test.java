package dev.pharos.agent.vrrp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pharos.agent.vrrp.MalformedPacketException.Reason;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/// Byte-exact codec tests of VRRPv3 over IPv6 (RFC 5798 §5.1.2, §5.2.8). The fixture was captured
/// with tcpdump from Debian's keepalived 2.2.7 in a network namespace: VRID 61, priority 150,
/// 100 cs, VIPs 2001:db8::61 and 2001:db8:0:1::62, from fe80::ff:fe00:a to ff02::12.
class VrrpPacketIpv6Test {

    private static final HexFormat HEX = HexFormat.of();
    static final String KEEPALIVED_V3_IPV6 = "6c001bb1002870ff" + "fe80000000000000000000fffe00000a"
            + "ff020000000000000000000000000012" + "313d96020064deed" + "20010db8000000000000000000000061"
            + "20010db8000000010000000000000062";
    private static final Inet6Address LINK_LOCAL = ip6("fe80::ff:fe00:a");
    private static final Inet6Address VIP1 = ip6("2001:db8::61");
    private static final Inet6Address VIP2 = ip6("2001:db8:0:1::62");

    static Inet6Address ip6(String s) {
        try {
            return (Inet6Address) InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] fixture() {
        return HEX.parseHex(KEEPALIVED_V3_IPV6);
    }

    private static Reason reasonOf(byte[] datagram) {
        return reasonOf(datagram, datagram.length);
    }

    private static Reason reasonOf(byte[] datagram, int length) {
        try {
            VrrpPacket.decode(datagram, length);
        } catch (MalformedPacketException e) {
            assertThat(e.getMessage()).isNotBlank();
            return e.reason();
        }
        throw new AssertionError("decoded although malformed: " + HEX.formatHex(datagram));
    }

    /// The fixture with VRRP byte `index` set to `value` and the checksum recomputed.
    private static byte[] patched(int index, int value) {
        var b = fixture();
        b[40 + index] = (byte) value;
        fixChecksum(b);
        return b;
    }

    private static void fixChecksum(byte[] b) {
        int len = ((b[4] & 0xff) << 8) | (b[5] & 0xff);
        b[46] = 0;
        b[47] = 0;
        var sum = new InternetChecksum();
        var pseudo = new byte[40];
        System.arraycopy(b, 8, pseudo, 0, 32);
        pseudo[34] = (byte) (len >>> 8);
        pseudo[35] = (byte) len;
        pseudo[39] = 112;
        sum.add(pseudo, 0, 40);
        int c = sum.add(b, 40, len).finish();
        b[46] = (byte) (c >>> 8);
        b[47] = (byte) c;
    }

    @Test
    void decodesKeepalivedsIpv6Advert() throws Exception {
        var r = VrrpPacket.decode(fixture(), fixture().length);
        assertThat(r.ip()).isInstanceOf(Ipv6Header.class);
        assertThat(r.ip().source()).isEqualTo(LINK_LOCAL);
        assertThat(r.ip().destination()).isEqualTo(VrrpTransport.MULTICAST_GROUP_V6);
        assertThat(r.ip().ttl()).isEqualTo(255);
        var p = r.packet();
        assertThat(p.version()).isEqualTo(VrrpVersion.V3);
        assertThat(p.vrid()).isEqualTo(61);
        assertThat(p.priority()).isEqualTo(150);
        assertThat(p.maxAdverInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(p.addresses()).containsExactly(VIP1, VIP2);
    }

    @Test
    void encodesByteForByteAsKeepalived() {
        var p = VrrpPacket.v3(61, 150, Duration.ofSeconds(1), List.of(VIP1, VIP2));
        var payload = p.encode(LINK_LOCAL, VrrpTransport.MULTICAST_GROUP_V6);
        assertThat(HEX.formatHex(payload)).isEqualTo(KEEPALIVED_V3_IPV6.substring(80));
        assertThat(p.length()).isEqualTo(40);
    }

    @Test
    void roundTripsThroughARebuiltHeader() throws Exception {
        for (var addresses : List.of(List.<Inet6Address>of(), List.of(VIP1), List.of(VIP2, VIP1))) {
            var p = VrrpPacket.v3(7, 0, Duration.ofMillis(4095 * 10), addresses);
            var datagram = IpHeader.datagram(LINK_LOCAL, VrrpTransport.MULTICAST_GROUP_V6, 255, 112,
                    p.encode(LINK_LOCAL, VrrpTransport.MULTICAST_GROUP_V6));
            assertThat(VrrpPacket.decode(datagram, datagram.length).packet()).isEqualTo(p);
        }
    }

    @Test
    void theChecksumCoversTheIpv6PseudoHeader() {
        var b = fixture();
        b[23] ^= 1; // another link-local source: the VRRP bytes are unchanged
        assertThat(reasonOf(b)).isEqualTo(Reason.BAD_CHECKSUM);
        var c = fixture();
        c[47] ^= 1;
        assertThat(reasonOf(c)).isEqualTo(Reason.BAD_CHECKSUM);
    }

    @Test
    void rejectsAHopLimitOtherThan255() {
        var b = fixture();
        b[7] = (byte) 254;
        assertThat(reasonOf(b)).isEqualTo(Reason.BAD_TTL);
        b[7] = 0; // what the transport writes when the kernel gave no hop limit
        assertThat(reasonOf(b)).isEqualTo(Reason.BAD_TTL);
    }

    @Test
    void aUnicastAdvertIsNotHeldToHopLimit255AsKeepalivedSendsThemWith64() throws Exception {
        var p = VrrpPacket.v3(61, 150, Duration.ofSeconds(1), List.of(VIP1));
        var peer = ip6("2001:db8::2");
        var source = ip6("2001:db8::1");
        var datagram = IpHeader.datagram(source, peer, 64, 112, p.encode(source, peer));
        assertThat(VrrpPacket.decode(datagram, datagram.length).packet()).isEqualTo(p);
    }

    @Test
    void rejectsVrrpV2OverIpv6() {
        assertThat(reasonOf(patched(0, 0x21))).isEqualTo(Reason.BAD_VERSION);
    }

    @Test
    void rejectsATruncatedHeaderAndAPayloadLengthBeyondWhatArrived() {
        assertThat(reasonOf(fixture(), 39)).isEqualTo(Reason.IP_HEADER_TRUNCATED);
        var b = fixture();
        b[5] = (byte) 41;
        assertThat(reasonOf(b)).isEqualTo(Reason.IP_HEADER_TRUNCATED);
        assertThat(reasonOf(new byte[0])).isEqualTo(Reason.IP_HEADER_TRUNCATED);
    }

    @Test
    void rejectsIpVersionsOtherThanFourAndSix() {
        var b = fixture();
        b[0] = 0x5c;
        assertThat(reasonOf(b)).isEqualTo(Reason.BAD_IP_VERSION);
    }

    @Test
    void rejectsAnotherNextHeader() {
        var b = fixture();
        b[6] = 17;
        assertThat(reasonOf(b)).isEqualTo(Reason.NOT_VRRP);
    }

    @Test
    void countsIpv6AddressesAsSixteenBytes() {
        // Three IPv4-sized addresses would be 12 bytes; the 32 bytes hold two IPv6 ones.
        assertThat(reasonOf(patched(3, 3))).isEqualTo(Reason.BAD_LENGTH);
        assertThat(reasonOf(patched(3, 8))).isEqualTo(Reason.BAD_LENGTH);
    }

    @Test
    void rejectsMulticastAndUnspecifiedAddresses() {
        var multicast = fixture();
        multicast[48] = (byte) 0xff;
        fixChecksum(multicast);
        assertThat(reasonOf(multicast)).isEqualTo(Reason.BAD_ADDRESS);
        var unspecified = fixture();
        Arrays.fill(unspecified, 64, 80, (byte) 0);
        fixChecksum(unspecified);
        assertThat(reasonOf(unspecified)).isEqualTo(Reason.BAD_ADDRESS);
    }

    @Test
    void refusesMixedFamiliesAndVrrpV2WithIpv6() throws Exception {
        var v4 = (Inet4Address) InetAddress.getByName("192.0.2.1");
        assertThatThrownBy(() -> VrrpPacket.v3(1, 100, Duration.ofSeconds(1), List.of(VIP1, v4)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("all IPv4 or all IPv6");
        assertThatThrownBy(() -> VrrpPacket.v2(1, 100, Duration.ofSeconds(1), AuthType.NONE, "", List.of(VIP1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("IPv4 only");
        var p = VrrpPacket.v3(1, 100, Duration.ofSeconds(1), List.of(VIP1));
        assertThatThrownBy(() -> p.encode(v4, VrrpTransport.MULTICAST_GROUP))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> p.encode(LINK_LOCAL, VrrpTransport.MULTICAST_GROUP))
                .isInstanceOf(IllegalArgumentException.class);
        var empty = VrrpPacket.v2(1, 100, Duration.ofSeconds(1), AuthType.NONE, "", List.of());
        assertThatThrownBy(() -> empty.encode(LINK_LOCAL, VrrpTransport.MULTICAST_GROUP_V6))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("IPv4 only");
    }

    @Test
    void theRebuiltHeaderDecodesToWhatWasWritten() throws Exception {
        var h = Ipv6Header.encode(LINK_LOCAL, VrrpTransport.MULTICAST_GROUP_V6, 255, 112, 24);
        assertThat(HEX.formatHex(h, 0, 8)).isEqualTo("6c000000001870ff");
        var whole = Arrays.copyOf(h, 64);
        var d = Ipv6Header.decode(whole, whole.length);
        assertThat(d).isEqualTo(new Ipv6Header(24, 112, 255, LINK_LOCAL, VrrpTransport.MULTICAST_GROUP_V6));
        assertThat(d.totalLength()).isEqualTo(64);
        assertThat(d.addressLength()).isEqualTo(16);
    }
}
