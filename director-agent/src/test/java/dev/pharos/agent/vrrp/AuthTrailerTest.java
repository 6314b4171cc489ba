package dev.pharos.agent.vrrp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pharos.agent.vrrp.AuthHmacSettings.AntiReplay;
import dev.pharos.agent.vrrp.AuthHmacSettings.Key;
import dev.pharos.agent.vrrp.AuthHmacSettings.Mode;
import dev.pharos.agent.vrrp.HmacAuthenticator.Failure;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/// Byte-exact tests of the `auth_hmac` trailer and its HMAC against keepalived 2.4.3 (built from
/// its v2.4.3 tag): three IPv4 adverts captured with tcpdump in a network namespace, VRID 51,
/// priority 200, 1 s, VIPs 192.0.2.100 and .101, sent from 192.0.2.1 signed with key 7; and one
/// IPv6 advert, for the codec's address-family neutrality.
class AuthTrailerTest {

    private static final HexFormat HEX = HexFormat.of();
    /// VRRPv3 to 224.0.0.18.
    static final String V3_MULTICAST = "45c0004000010000ff701879c0000201e0000012"
            + "3133c8020064df06c0000264c0000265"
            + "010700006b16e939cb540000" + "9561edd605d7e29fd1dd5df22e4121a6";
    /// VRRPv2 (no legacy authentication) to 224.0.0.18.
    static final String V2_MULTICAST = "45c0004800010000ff701871c0000201e0000012"
            + "2133c802000191fec0000264c00002650000000000000000"
            + "010700006b16e9410baa0000" + "b5d143c3bf27976792a1371e0b64f87a";
    /// VRRPv3 unicast to the peer 192.0.2.2 (the other peer, .3, got the same trailer).
    static final String V3_UNICAST = "45c0004000010000ff703689c0000201c0000202"
            + "3133c8020064fd16c0000264c0000265"
            + "010700006b16e94831dd0000" + "2ca8a7ca6fa104c7f84455e5716e9e03";
    /// VRRPv3 over IPv6 from fe80::ff:fe00:1 to ff02::12 (VRID 61, priority 200, 1 s, VIP
    /// 2001:db8::100, key 1): the VRRP payload as the raw socket gives it, no IPv6 header. Its
    /// checksum (written by the kernel) covers the trailer; the HMAC leaves the checksum out.
    static final String V3_IPV6_PAYLOAD = "313dc80100647f6d20010db8000000000000000000000100"
            + "010100006b16f2095bfc0000" + "bf17db1f4e521a58a45ef38f32ecd320";
    static final byte[] KEY_1 = HEX.parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    /// Written `key 7 pharos-golden-ascii-key-of-32-bytes!` in keepalived.conf: `!` starts a
    /// comment there, so the key is the 35 bytes before it.
    static final byte[] KEY_7 = "pharos-golden-ascii-key-of-32-bytes".getBytes(StandardCharsets.US_ASCII);
    private static final Inet4Address SOURCE = VrrpPacketTest.ip("192.0.2.1");
    private static final List<Inet4Address> VIPS = List.of(VrrpPacketTest.ip("192.0.2.100"),
            VrrpPacketTest.ip("192.0.2.101"));

    private static byte[] bytes(String hex) {
        return HEX.parseHex(hex);
    }

    private static int pduLength(byte[] d) {
        return d.length - 20 - AuthTrailer.LENGTH;
    }

    /// The instant a trailer's sequence was taken (its seconds and fraction).
    static Instant instantOf(byte[] datagram) {
        var t = trailerOf(datagram);
        long fraction = (t.sequence() >>> 16) & 0xffff;
        long nanos = (fraction * 1_000_000_000L + 65_535) / 65_536; // the smallest nanos giving this fraction
        return Instant.ofEpochSecond(t.seconds(), nanos);
    }

    static AuthTrailer trailerOf(byte[] datagram) {
        try {
            return AuthTrailer.decode(datagram, 20 + pduLength(datagram));
        } catch (MalformedPacketException e) {
            throw new AssertionError(e);
        }
    }

    static AuthHmacSettings settings(Mode mode, AntiReplay antiReplay) {
        return new AuthHmacSettings(mode, List.of(new Key(1, KEY_1), new Key(7, KEY_7)), 7, antiReplay,
                Duration.ofSeconds(5));
    }

    @Test
    void decodesKeepalivedsTrailers() throws MalformedPacketException {
        var d = bytes(V3_MULTICAST);
        var r = VrrpPacket.decode(d, d.length);
        assertThat(r.trailed()).isTrue();
        assertThat(r.packet()).isEqualTo(VrrpPacket.v3(51, 200, Duration.ofSeconds(1), VIPS));
        var t = trailerOf(d);
        assertThat(t.keyId()).isEqualTo(7);
        assertThat(t.sequence()).isEqualTo(0x6b16e939_cb54_0000L);
        assertThat(t.seconds()).isEqualTo(0x6b16e939L);
        assertThat(HEX.formatHex(t.hmac())).isEqualTo("9561edd605d7e29fd1dd5df22e4121a6");
        var v2 = bytes(V2_MULTICAST);
        var r2 = VrrpPacket.decode(v2, v2.length);
        assertThat(r2.trailed()).isTrue();
        assertThat(r2.packet()).isEqualTo(VrrpPacket.v2(51, 200, Duration.ofSeconds(1), AuthType.NONE, "", VIPS));
        var u = bytes(V3_UNICAST);
        assertThat(VrrpPacket.decode(u, u.length).trailed()).isTrue();
    }

    @Test
    void encodesTheSameTwentyEightBytes() {
        for (var hex : List.of(V3_MULTICAST, V2_MULTICAST, V3_UNICAST)) {
            var d = bytes(hex);
            assertThat(trailerOf(d).encode()).isEqualTo(Arrays.copyOfRange(d, d.length - AuthTrailer.LENGTH, d.length));
        }
    }

    @Test
    void hmacOfKeepalivedsAdvertsVerifiesWithItsKey() {
        for (var hex : List.of(V3_MULTICAST, V2_MULTICAST, V3_UNICAST)) {
            var d = bytes(hex);
            int version = (d[20] & 0xff) >>> 4;
            var mac = new AuthHmac(KEY_7).compute(SOURCE, version, 51, d, 20, pduLength(d));
            assertThat(mac).as(hex).isEqualTo(trailerOf(d).hmac());
            assertThat(new AuthHmac(KEY_1).compute(SOURCE, version, 51, d, 20, pduLength(d)))
                    .as("another key").isNotEqualTo(trailerOf(d).hmac());
        }
    }

    /// Pharos's own advert, signed at the instant keepalived signed its own, is keepalived's
    /// datagram byte for byte (encode, then trailer).
    @Test
    void signsAsKeepalivedDoes() {
        record Case(String hex, VrrpPacket packet, Inet4Address destination) {
        }
        var cases = List.of(
                new Case(V3_MULTICAST, VrrpPacket.v3(51, 200, Duration.ofSeconds(1), VIPS), VrrpTransport.MULTICAST_GROUP),
                new Case(V2_MULTICAST, VrrpPacket.v2(51, 200, Duration.ofSeconds(1), AuthType.NONE, "", VIPS),
                        VrrpTransport.MULTICAST_GROUP),
                new Case(V3_UNICAST, VrrpPacket.v3(51, 200, Duration.ofSeconds(1), VIPS), VrrpPacketTest.ip("192.0.2.2")));
        for (var c : cases) {
            var d = bytes(c.hex());
            var signer = new HmacAuthenticator(settings(Mode.ENFORCE, AntiReplay.TIME),
                    InstantSource.fixed(instantOf(d)), List.of());
            var pdu = c.packet().encode(SOURCE, c.destination());
            var buf = Arrays.copyOf(pdu, pdu.length + AuthTrailer.LENGTH);
            signer.sign(buf, 0, pdu.length, SOURCE, c.packet().version().wireValue(), 51);
            assertThat(HEX.formatHex(buf)).as(c.hex()).isEqualTo(HEX.formatHex(Arrays.copyOfRange(d, 20, d.length)));
        }
    }

    /// The same codec over IPv6: the pseudo-header says 6 and carries the 16-byte link-local source.
    @Test
    void verifiesAndSignsKeepalivedsIpv6AdvertByteForByte() throws Exception {
        var d = bytes(V3_IPV6_PAYLOAD);
        var source = InetAddress.getByName("fe80::ff:fe00:1");
        int pdu = d.length - AuthTrailer.LENGTH;
        var trailer = AuthTrailer.decode(d, pdu);
        assertThat(trailer.keyId()).isEqualTo(1);
        assertThat(new AuthHmac(KEY_1).compute(source, 3, 61, d, 0, pdu)).isEqualTo(trailer.hmac());
        assertThat(new AuthHmac(KEY_1).compute(VrrpPacketTest.ip("192.0.2.1"), 3, 61, d, 0, pdu))
                .as("an IPv4 source").isNotEqualTo(trailer.hmac());
        long fraction = (trailer.sequence() >>> 16) & 0xffff;
        var at = Instant.ofEpochSecond(trailer.seconds(), (fraction * 1_000_000_000L + 65_535) / 65_536);
        var clock = InstantSource.fixed(at);
        var auth = new HmacAuthenticator(new AuthHmacSettings(Mode.ENFORCE, List.of(new Key(1, KEY_1)), 1,
                AntiReplay.TIME, Duration.ofSeconds(5)), clock, List.of());
        assertThat(auth.verify(d, 0, pdu, true, source, 3, 61, false)).isNull();
        var buf = Arrays.copyOf(d, d.length);
        Arrays.fill(buf, pdu, buf.length, (byte) 0);
        new HmacAuthenticator(new AuthHmacSettings(Mode.ENFORCE, List.of(new Key(1, KEY_1)), 1, AntiReplay.TIME,
                Duration.ofSeconds(5)), clock, List.of()).sign(buf, 0, pdu, source, 3, 61);
        assertThat(HEX.formatHex(buf)).isEqualTo(V3_IPV6_PAYLOAD);
    }

    @Test
    void theHmacLeavesTheChecksumOut() {
        var d = bytes(V3_MULTICAST);
        d[26] ^= 0x5a;
        d[27] ^= 0x33;
        assertThat(new AuthHmac(KEY_7).compute(SOURCE, 3, 51, d, 20, pduLength(d))).isEqualTo(trailerOf(d).hmac());
    }

    @Test
    void theChecksumLeavesTheTrailerOut() throws MalformedPacketException {
        var d = bytes(V3_MULTICAST);
        d[d.length - 1] ^= 0x01; // the HMAC no longer verifies, but the PDU is still well-formed
        assertThat(VrrpPacket.decode(d, d.length).trailed()).isTrue();
    }

    @Test
    void verifiesAtTheCaptureTimeAndRefusesItsReplay() {
        var d = bytes(V3_MULTICAST);
        var auth = new HmacAuthenticator(settings(Mode.ENFORCE, AntiReplay.TIME), InstantSource.fixed(instantOf(d)),
                List.of());
        assertThat(auth.verify(d, 20, pduLength(d), true, SOURCE, 3, 51, false)).isNull();
        assertThat(auth.verify(d, 20, pduLength(d), true, SOURCE, 3, 51, false)).isEqualTo(Failure.REPLAY);
    }

    @Test
    void unicastAcceptsAPeerAndRefusesAnyoneElse() {
        var d = bytes(V3_UNICAST);
        var clock = InstantSource.fixed(instantOf(d));
        var peerOfOne = new HmacAuthenticator(settings(Mode.ENFORCE, AntiReplay.TIME), clock, List.of(SOURCE));
        assertThat(peerOfOne.verify(d, 20, pduLength(d), true, SOURCE, 3, 51, true)).isNull();
        var peerOfOther = new HmacAuthenticator(settings(Mode.ENFORCE, AntiReplay.TIME), clock,
                List.of(VrrpPacketTest.ip("192.0.2.9")));
        assertThat(peerOfOther.verify(d, 20, pduLength(d), true, SOURCE, 3, 51, true)).isEqualTo(Failure.NOT_A_PEER);
    }

    // --- rejections -------------------------------------------------------------------------

    private static Failure verify(byte[] d, Mode mode, InstantSource clock) {
        var auth = new HmacAuthenticator(settings(mode, AntiReplay.TIME), clock, List.of());
        return auth.verify(d, 20, pduLength(d), true, SOURCE, (d[20] & 0xff) >>> 4, 51, false);
    }

    private static Failure verify(byte[] d) {
        return verify(d, Mode.ENFORCE, InstantSource.fixed(instantOf(bytes(V3_MULTICAST))));
    }

    @Test
    void refusesAnotherTrailerType() {
        var d = bytes(V3_MULTICAST);
        d[d.length - AuthTrailer.LENGTH] = 2;
        assertThat(verify(d)).isEqualTo(Failure.MALFORMED);
        assertThatThrownBy(() -> AuthTrailer.decode(d, d.length - AuthTrailer.LENGTH))
                .isInstanceOf(MalformedPacketException.class).hasMessageContaining("type 2");
    }

    @Test
    void refusesReservedBits() {
        var d = bytes(V3_MULTICAST);
        d[d.length - AuthTrailer.LENGTH + 3] = 1;
        assertThat(verify(d)).isEqualTo(Failure.MALFORMED);
        assertThatThrownBy(() -> AuthTrailer.decode(d, d.length - AuthTrailer.LENGTH))
                .isInstanceOf(MalformedPacketException.class)
                .extracting(e -> ((MalformedPacketException) e).reason())
                .isEqualTo(MalformedPacketException.Reason.BAD_AUTH_TRAILER);
    }

    @Test
    void refusesATruncatedTrailer() {
        var d = bytes(V3_MULTICAST);
        assertThatThrownBy(() -> AuthTrailer.decode(d, d.length - AuthTrailer.LENGTH + 1))
                .isInstanceOf(MalformedPacketException.class).hasMessageContaining("27 bytes");
    }

    @Test
    void refusesAnUnknownKeyId() {
        var d = bytes(V3_MULTICAST);
        d[d.length - AuthTrailer.LENGTH + 1] = 9;
        assertThat(verify(d)).isEqualTo(Failure.UNKNOWN_KEY);
    }

    @Test
    void refusesAnotherKeysHmac() {
        var d = bytes(V3_MULTICAST);
        d[d.length - AuthTrailer.LENGTH + 1] = 1; // claims key 1, signed with key 7
        assertThat(verify(d)).isEqualTo(Failure.BAD_HMAC);
    }

    @Test
    void refusesAnAlteredAdvert() {
        var d = bytes(V3_MULTICAST);
        d[22] = (byte) 254; // priority 200 -> 254
        assertThat(verify(d)).isEqualTo(Failure.BAD_HMAC);
        var s = bytes(V3_MULTICAST);
        s[s.length - 20] ^= 1; // the sequence's counter
        assertThat(verify(s)).isEqualTo(Failure.BAD_HMAC);
    }

    @Test
    void refusesAnotherSourceOrVridOrVersion() {
        var d = bytes(V3_MULTICAST);
        var clock = InstantSource.fixed(instantOf(d));
        var auth = new HmacAuthenticator(settings(Mode.ENFORCE, AntiReplay.TIME), clock, List.of());
        assertThat(auth.verify(d, 20, pduLength(d), true, VrrpPacketTest.ip("192.0.2.7"), 3, 51, false))
                .isEqualTo(Failure.BAD_HMAC);
        assertThat(auth.verify(d, 20, pduLength(d), true, SOURCE, 3, 52, false)).isEqualTo(Failure.BAD_HMAC);
        assertThat(auth.verify(d, 20, pduLength(d), true, SOURCE, 2, 51, false)).isEqualTo(Failure.BAD_HMAC);
    }

    @Test
    void refusesAStaleTrailerInTimeModeOnly() {
        var d = bytes(V3_MULTICAST);
        var late = InstantSource.fixed(instantOf(d).plusSeconds(6));
        assertThat(verify(d, Mode.ENFORCE, late)).isEqualTo(Failure.STALE);
        var early = InstantSource.fixed(instantOf(d).minusSeconds(6));
        assertThat(verify(d, Mode.ENFORCE, early)).isEqualTo(Failure.STALE);
        assertThat(verify(d, Mode.ENFORCE, InstantSource.fixed(instantOf(d).plusSeconds(5)))).isNull();
        var monotonic = new HmacAuthenticator(settings(Mode.ENFORCE, AntiReplay.MONOTONIC), late, List.of());
        assertThat(monotonic.verify(d, 20, pduLength(d), true, SOURCE, 3, 51, false)).isNull();
    }

    @Test
    void enforceRefusesAnUnsignedAdvertTheMigrationModesTakeIt() {
        var d = bytes(VrrpPacketTest.KEEPALIVED_V3);
        var clock = InstantSource.fixed(Instant.EPOCH);
        for (var mode : Mode.values()) {
            var auth = new HmacAuthenticator(settings(mode, AntiReplay.TIME), clock, List.of());
            assertThat(auth.verify(d, 20, d.length - 20, false, SOURCE, 3, 93, false)).as("%s", mode)
                    .isEqualTo(mode == Mode.ENFORCE ? Failure.MISSING : null);
        }
    }

    @Test
    void receiveOnlyVerifiesWhatComesButSignsNothing() {
        var d = bytes(V3_MULTICAST);
        assertThat(verify(d, Mode.RECEIVE_ONLY, InstantSource.fixed(instantOf(d)))).isNull();
        var b = bytes(V3_MULTICAST);
        b[b.length - 1] ^= 1;
        assertThat(verify(b, Mode.RECEIVE_ONLY, InstantSource.fixed(instantOf(d)))).isEqualTo(Failure.BAD_HMAC);
        assertThat(new HmacAuthenticator(settings(Mode.RECEIVE_ONLY, AntiReplay.TIME), InstantSource.system(),
                List.of()).signs()).isFalse();
        assertThat(Mode.PERMISSIVE.signs()).isTrue();
        assertThat(Mode.ENFORCE.signs()).isTrue();
    }

    @Test
    void aTrailerOfAnotherLengthIsALengthError() {
        var d = bytes(V3_MULTICAST);
        var shorter = Arrays.copyOf(d, d.length - 1);
        shorter[3] = (byte) (shorter.length); // IP total length
        assertThatThrownBy(() -> VrrpPacket.decode(shorter, shorter.length)).isInstanceOf(MalformedPacketException.class)
                .extracting(e -> ((MalformedPacketException) e).reason())
                .isIn(MalformedPacketException.Reason.BAD_LENGTH, MalformedPacketException.Reason.BAD_CHECKSUM);
    }

    // --- sequence numbers -------------------------------------------------------------------

    @Test
    void sequencesGrowWithinOneClockTick() {
        var d = bytes(V3_MULTICAST);
        var signer = new HmacAuthenticator(settings(Mode.ENFORCE, AntiReplay.TIME), InstantSource.fixed(instantOf(d)),
                List.of());
        var buf = Arrays.copyOfRange(d, 20, d.length);
        signer.sign(buf, 0, 16, SOURCE, 3, 51);
        long first = trailerOf(prefixed(buf)).sequence();
        signer.sign(buf, 0, 16, SOURCE, 3, 51);
        assertThat(trailerOf(prefixed(buf)).sequence()).isEqualTo(first + 1);
    }

    @Test
    void aClockSteppedBackBeyondTheWindowRestartsTheSequenceInTimeModeOnly() {
        var now = new AtomicReference<>(Instant.ofEpochSecond(2_000_000_000L));
        InstantSource clock = now::get;
        var buf = new byte[16 + AuthTrailer.LENGTH];
        buf[0] = 0x31;
        var time = new HmacAuthenticator(settings(Mode.ENFORCE, AntiReplay.TIME), clock, List.of());
        var mono = new HmacAuthenticator(settings(Mode.ENFORCE, AntiReplay.MONOTONIC), clock, List.of());
        time.sign(buf, 0, 16, SOURCE, 3, 51);
        long before = trailerOf(prefixed(buf)).sequence();
        mono.sign(buf, 0, 16, SOURCE, 3, 51);
        now.set(now.get().minusSeconds(60));
        time.sign(buf, 0, 16, SOURCE, 3, 51);
        assertThat(trailerOf(prefixed(buf)).seconds()).isEqualTo(2_000_000_000L - 60);
        mono.sign(buf, 0, 16, SOURCE, 3, 51);
        assertThat(trailerOf(prefixed(buf)).sequence()).isEqualTo(before + 1);
    }

    @Test
    void aMulticastSenderForgottenAfterFourOthersIsAcceptedAgain() {
        var d = bytes(V3_MULTICAST);
        var clock = InstantSource.fixed(instantOf(d));
        var settings = new AuthHmacSettings(Mode.ENFORCE, List.of(new Key(7, KEY_7)), 7, AntiReplay.MONOTONIC,
                Duration.ofSeconds(5));
        var receiver = new HmacAuthenticator(settings, clock, List.of());
        assertThat(receiver.verify(d, 20, pduLength(d), true, SOURCE, 3, 51, false)).isNull();
        for (int i = 2; i < 2 + HmacAuthenticator.MULTICAST_SENDERS; i++) {
            var other = VrrpPacketTest.ip("192.0.2." + (10 + i));
            var signer = new HmacAuthenticator(settings, clock, List.of());
            var buf = Arrays.copyOfRange(d, 20, d.length);
            signer.sign(buf, 0, 16, other, 3, 51);
            assertThat(receiver.verify(buf, 0, 16, true, other, 3, 51, false)).isNull();
        }
        // SOURCE's mark was the least recently used, so its replay is taken as a new sender's advert.
        assertThat(receiver.verify(d, 20, pduLength(d), true, SOURCE, 3, 51, false)).isNull();
    }

    @Test
    void serialNumberOrderSurvivesTheWrap() {
        assertThat(HmacAuthenticator.after(1, 0)).isTrue();
        assertThat(HmacAuthenticator.after(0, -1)).isTrue();
        assertThat(HmacAuthenticator.after(Long.MIN_VALUE + 1, Long.MAX_VALUE)).isTrue();
        assertThat(HmacAuthenticator.after(5, 5)).isFalse();
        assertThat(HmacAuthenticator.after(4, 5)).isFalse();
    }

    @Test
    void settingsRefuseWhatKeepalivedRefuses() {
        assertThatThrownBy(() -> new Key(0, KEY_1)).hasMessageContaining("outside 1–255");
        assertThatThrownBy(() -> new Key(1, new byte[31])).hasMessageContaining("32–64");
        assertThatThrownBy(() -> new Key(1, new byte[65])).hasMessageContaining("32–64");
        assertThatThrownBy(() -> new AuthHmacSettings(Mode.ENFORCE, List.of(new Key(1, KEY_1)), 2, AntiReplay.TIME,
                Duration.ofSeconds(5))).hasMessageContaining("active_key 2");
        assertThatThrownBy(() -> new AuthHmacSettings(Mode.ENFORCE, List.of(new Key(1, KEY_1), new Key(1, KEY_7)), 1,
                AntiReplay.TIME, Duration.ofSeconds(5))).hasMessageContaining("twice");
        assertThatThrownBy(() -> new AuthHmacSettings(Mode.ENFORCE, List.of(new Key(1, KEY_1)), 1, AntiReplay.TIME,
                Duration.ofSeconds(301))).hasMessageContaining("1–300");
        assertThat(new Key(1, KEY_1).toString()).doesNotContain("0001");
    }

    @Test
    void theDefaultWindowIsThreeIntervalsWithinFiveTo300Seconds() {
        assertThat(AuthHmacSettings.defaultWindow(Duration.ofMillis(500))).isEqualTo(Duration.ofSeconds(5));
        assertThat(AuthHmacSettings.defaultWindow(Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(5));
        assertThat(AuthHmacSettings.defaultWindow(Duration.ofSeconds(2))).isEqualTo(Duration.ofSeconds(6));
        assertThat(AuthHmacSettings.defaultWindow(Duration.ofSeconds(200))).isEqualTo(Duration.ofSeconds(300));
    }

    /// `buf` (a PDU and trailer) behind a 20-byte placeholder, as [#trailerOf] expects.
    private static byte[] prefixed(byte[] buf) {
        var out = new byte[20 + buf.length];
        System.arraycopy(buf, 0, out, 20, buf.length);
        return out;
    }
}
