package dev.pharos.agent.vrrp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pharos.agent.vrrp.MalformedPacketException.Reason;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/// Byte-exact codec tests. The two positive fixtures were captured with tcpdump from Debian's
/// keepalived 2.2.7 in a network namespace (VRID 90 v2 PASS "1111", VRID 93 v3 50 cs).
class VrrpPacketTest {

    private static final HexFormat HEX = HexFormat.of();
    /// keepalived 2.2.7, VRRPv2, vrid 90, prio 100, PASS "1111", 1 s, VIPs 192.0.2.100/.101.
    static final String KEEPALIVED_V2 = "45c0002c00010000ff70188dc0000201e0000012"
            + "215a6402" + "01019275" + "c0000264" + "c0000265" + "3131313100000000";
    /// keepalived 2.2.7, VRRPv3, vrid 93, prio 98, 50 cs, VIP 192.0.2.200.
    static final String KEEPALIVED_V3 = "45c0002000010000ff701899c0000201e0000012"
            + "315d6201" + "00320716" + "c00002c8";

    static Inet4Address ip(String s) {
        try {
            return (Inet4Address) InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static final Inet4Address SRC = ip("192.0.2.1");
    private static final Inet4Address GROUP = ip("224.0.0.18");

    private static VrrpPacket.Received decode(String hex) throws MalformedPacketException {
        var b = HEX.parseHex(hex);
        return VrrpPacket.decode(b, b.length);
    }

    private static MalformedPacketException.Reason reasonOf(byte[] datagram) {
        try {
            VrrpPacket.decode(datagram, datagram.length);
        } catch (MalformedPacketException e) {
            assertThat(e.getMessage()).isNotBlank();
            return e.reason();
        }
        throw new AssertionError("decoded although malformed: " + HEX.formatHex(datagram));
    }

    /// The fixture with VRRP byte `index` (0-based after the IP header) set to `value` and the
    /// VRRP checksum recomputed, so a later check is reached.
    private static byte[] patched(String hex, int index, int value) {
        var b = HEX.parseHex(hex);
        b[20 + index] = (byte) value;
        fixChecksum(b);
        return b;
    }

    private static void fixChecksum(byte[] b) {
        b[26] = 0;
        b[27] = 0;
        int len = b.length - 20;
        var sum = new InternetChecksum();
        if ((b[20] & 0xf0) == 0x30) {
            var pseudo = new byte[12];
            System.arraycopy(b, 12, pseudo, 0, 8);
            pseudo[9] = 112;
            pseudo[10] = (byte) (len >>> 8);
            pseudo[11] = (byte) len;
            sum.add(pseudo, 0, 12);
        }
        int c = sum.add(b, 20, len).finish();
        b[26] = (byte) (c >>> 8);
        b[27] = (byte) c;
    }

    // ---- positive -------------------------------------------------------------------------

    @Test
    void decodesKeepalivedV2PassAdvert() throws Exception {
        var r = decode(KEEPALIVED_V2);
        assertThat(r.ip().ttl()).isEqualTo(255);
        assertThat(r.ip().source()).isEqualTo(SRC);
        assertThat(r.ip().destination()).isEqualTo(GROUP);
        var p = r.packet();
        assertThat(p.version()).isEqualTo(VrrpVersion.V2);
        assertThat(p.vrid()).isEqualTo(90);
        assertThat(p.priority()).isEqualTo(100);
        assertThat(p.authType()).isEqualTo(AuthType.PASS);
        assertThat(p.maxAdverInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(p.addresses()).containsExactly(ip("192.0.2.100"), ip("192.0.2.101"));
        assertThat(p.authDataEquals(VrrpPacket.passwordBytes("1111"))).isTrue();
        assertThat(p.authDataEquals(VrrpPacket.passwordBytes("1112"))).isFalse();
    }

    @Test
    void decodesKeepalivedV3Advert() throws Exception {
        var p = decode(KEEPALIVED_V3).packet();
        assertThat(p.version()).isEqualTo(VrrpVersion.V3);
        assertThat(p.vrid()).isEqualTo(93);
        assertThat(p.priority()).isEqualTo(98);
        assertThat(p.maxAdverInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(p.authType()).isEqualTo(AuthType.NONE);
        assertThat(p.addresses()).containsExactly(ip("192.0.2.200"));
    }

    @Test
    void encodesV2ByteForByteAsKeepalived() {
        var p = VrrpPacket.v2(90, 100, Duration.ofSeconds(1), AuthType.PASS, "1111",
                List.of(ip("192.0.2.100"), ip("192.0.2.101")));
        assertThat(HEX.formatHex(p.encode(SRC, GROUP))).isEqualTo(KEEPALIVED_V2.substring(40));
    }

    @Test
    void encodesV3ByteForByteAsKeepalived() {
        var p = VrrpPacket.v3(93, 98, Duration.ofMillis(500), List.of(ip("192.0.2.200")));
        assertThat(HEX.formatHex(p.encode(SRC, GROUP))).isEqualTo(KEEPALIVED_V3.substring(40));
    }

    @Test
    void roundTripsV2NoAuthV3PriorityZeroAndEmptyList() throws Exception {
        var packets = List.of(
                VrrpPacket.v2(1, 255, Duration.ofSeconds(255), AuthType.NONE, "ignored", List.of(ip("198.51.100.7"))),
                VrrpPacket.v2(7, 50, Duration.ofSeconds(3), AuthType.PASS, "longer-than-8", List.of()),
                VrrpPacket.v3(255, 0, Duration.ofMillis(40950), List.of(ip("203.0.113.1"), ip("203.0.113.2"))),
                VrrpPacket.v3(42, 1, Duration.ofMillis(10), List.of()));
        for (var p : packets) {
            var payload = p.encode(ip("203.0.113.9"), ip("203.0.113.10"));
            var datagram = Ipv4Header.datagram(ip("203.0.113.9"), ip("203.0.113.10"), 255, 112, payload);
            assertThat(VrrpPacket.decode(datagram, datagram.length).packet()).isEqualTo(p);
        }
    }

    @Test
    void passwordIsCutToEightBytesAndZeroPadded() {
        assertThat(HEX.formatHex(VrrpPacket.passwordBytes("1111"))).isEqualTo("3131313100000000");
        assertThat(HEX.formatHex(VrrpPacket.passwordBytes("abcdefghij"))).isEqualTo("6162636465666768");
    }

    @Test
    void acceptsEthernetPaddingAfterTotalLength() throws Exception {
        var b = Arrays.copyOf(HEX.parseHex(KEEPALIVED_V3), 46); // a short frame padded to 60 bytes
        assertThat(VrrpPacket.decode(b, b.length).packet().vrid()).isEqualTo(93);
    }

    @Test
    void encodedIpv4HeaderHasAValidChecksum() {
        var h = Ipv4Header.encode(SRC, GROUP, 255, 112, 12);
        assertThat(InternetChecksum.of(h, 0, h.length)).isZero();
    }

    // ---- negative: one per rejection path, in decode order -------------------------------------

    @Test
    void rejectsDatagramShorterThanIpHeader() {
        assertThat(reasonOf(HEX.parseHex("45c0002c0001"))).isEqualTo(Reason.IP_HEADER_TRUNCATED);
    }

    @Test
    void rejectsNeitherIpv4NorIpv6() {
        var b = HEX.parseHex(KEEPALIVED_V3);
        b[0] = 0x55;
        assertThat(reasonOf(b)).isEqualTo(Reason.BAD_IP_VERSION);
    }

    @Test
    void rejectsIhlBeyondDatagram() {
        var b = HEX.parseHex(KEEPALIVED_V3);
        b[0] = 0x4f; // 60-byte header in a 32-byte datagram
        assertThat(reasonOf(b)).isEqualTo(Reason.IP_HEADER_TRUNCATED);
    }

    @Test
    void rejectsTotalLengthBeyondReceived() {
        var b = HEX.parseHex(KEEPALIVED_V3);
        b[3] = 0x40;
        assertThat(reasonOf(b)).isEqualTo(Reason.IP_HEADER_TRUNCATED);
    }

    @Test
    void rejectsOtherProtocol() {
        var b = HEX.parseHex(KEEPALIVED_V3);
        b[9] = 17;
        assertThat(reasonOf(b)).isEqualTo(Reason.NOT_VRRP);
    }

    @Test
    void recognisesIpsecAh() {
        var b = HEX.parseHex(KEEPALIVED_V2);
        b[9] = 51;
        assertThat(reasonOf(b)).isEqualTo(Reason.AH_NOT_SUPPORTED);
    }

    @Test
    void rejectsVrrpPartShorterThanHeader() {
        var b = Arrays.copyOf(HEX.parseHex(KEEPALIVED_V3), 24);
        b[3] = 24;
        assertThat(reasonOf(b)).isEqualTo(Reason.TOO_SHORT);
    }

    @Test
    void rejectsTtlOtherThan255() {
        var b = HEX.parseHex(KEEPALIVED_V2);
        b[8] = (byte) 254; // forwarded once: came from off-link (RFC 5798 §7.1)
        assertThat(reasonOf(b)).isEqualTo(Reason.BAD_TTL);
    }

    @Test
    void rejectsUnknownVersion() {
        assertThat(reasonOf(patched(KEEPALIVED_V3, 0, 0x41))).isEqualTo(Reason.BAD_VERSION);
    }

    @Test
    void rejectsCorruptedChecksum() {
        var b = HEX.parseHex(KEEPALIVED_V2);
        b[b.length - 1] ^= 1; // last password pad byte: PASS data is inside the v2 checksum
        assertThat(reasonOf(b)).isEqualTo(Reason.BAD_CHECKSUM);
    }

    @Test
    void v3ChecksumCoversThePseudoHeader() {
        var b = HEX.parseHex(KEEPALIVED_V3);
        b[19] = 0x13; // same VRRP bytes, but sent to 224.0.0.19
        assertThat(reasonOf(b)).isEqualTo(Reason.BAD_CHECKSUM);
    }

    @Test
    void rejectsNonAdvertisementType() {
        assertThat(reasonOf(patched(KEEPALIVED_V3, 0, 0x32))).isEqualTo(Reason.BAD_TYPE);
    }

    @Test
    void rejectsUnknownV2AuthType() {
        assertThat(reasonOf(patched(KEEPALIVED_V2, 4, 3))).isEqualTo(Reason.BAD_AUTH_TYPE);
    }

    @Test
    void rejectsCountThatDoesNotMatchLength() {
        assertThat(reasonOf(patched(KEEPALIVED_V2, 3, 3))).isEqualTo(Reason.BAD_LENGTH);
        assertThat(reasonOf(patched(KEEPALIVED_V3, 3, 0))).isEqualTo(Reason.BAD_LENGTH);
    }

    @Test
    void rejectsZeroInterval() {
        var b = HEX.parseHex(KEEPALIVED_V3);
        b[24] = 0;
        b[25] = 0;
        fixChecksum(b);
        assertThat(reasonOf(b)).isEqualTo(Reason.BAD_LENGTH);
    }

    @Test
    void rejectsMulticastUnspecifiedAndBroadcastAddresses() {
        for (var a : List.of("e0000012", "00000000", "ffffffff")) {
            var b = HEX.parseHex(KEEPALIVED_V3.substring(0, KEEPALIVED_V3.length() - 8) + a);
            fixChecksum(b);
            assertThat(reasonOf(b)).as(a).isEqualTo(Reason.BAD_ADDRESS);
        }
    }

    @Test
    void refusesToBuildOutOfRangePackets() {
        var none = List.<Inet4Address>of();
        assertThatThrownBy(() -> VrrpPacket.v3(0, 100, Duration.ofSeconds(1), none))
                .hasMessageContaining("VRID 0");
        assertThatThrownBy(() -> VrrpPacket.v3(1, 256, Duration.ofSeconds(1), none))
                .hasMessageContaining("priority 256");
        assertThatThrownBy(() -> VrrpPacket.v3(1, 100, Duration.ofMillis(40960), none))
                .hasMessageContaining("centiseconds");
        assertThatThrownBy(() -> VrrpPacket.v2(1, 100, Duration.ofMillis(1500), AuthType.NONE, "", none))
                .hasMessageContaining("whole seconds");
    }
}
