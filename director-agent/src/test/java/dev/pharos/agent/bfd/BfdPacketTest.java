package dev.pharos.agent.bfd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pharos.agent.bfd.MalformedPacketException.Reason;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/// Byte-exact codec tests. The fixtures are UDP payloads captured with tcpdump between two
/// Debian keepalived 2.2.7 `bfd_instance`s in network namespaces (2026-12-07): TO_A with
/// min_rx 40, min_tx 60, idle_tx 2000, multiplier 4; TO_B with min_rx 50, min_tx 50, multiplier 3.
class BfdPacketTest {

    private static final HexFormat HEX = HexFormat.of();
    /// TO_A, Down, before it hears anything: idle_tx 2 s advertised, Your Discriminator zero.
    static final String DOWN = "20400418" + "c9622647" + "00000000" + "001e8480" + "00009c40" + "00000000";
    /// TO_B going Up, starting its Poll Sequence for min_tx 50 ms.
    static final String UP_POLL = "20e00318" + "dd8c50e2" + "c9622647" + "0000c350" + "0000c350" + "00000000";
    /// TO_A's answer: Up with Final, min_tx 60 ms.
    static final String UP_FINAL = "20d00418" + "c9622647" + "dd8c50e2" + "0000ea60" + "00009c40" + "00000000";
    /// TO_A after its detection time expired (diag 1), with a fresh discriminator.
    static final String DOWN_EXPIRED = "21400418" + "c562ad31" + "00000000" + "001e8480" + "00009c40" + "00000000";
    /// TO_B after that: Down, diag 3 (Neighbor Signaled Session Down).
    static final String DOWN_SIGNALED = "23400318" + "36906e5b" + "c562ad31" + "000f4240" + "0000c350" + "00000000";

    private static BfdPacket decode(String hex) throws MalformedPacketException {
        return BfdPacket.decode(HEX.parseHex(hex));
    }

    private static Reason reasonOf(byte[] payload) {
        try {
            BfdPacket.decode(payload);
        } catch (MalformedPacketException e) {
            assertThat(e.getMessage()).isNotBlank();
            return e.reason();
        }
        throw new AssertionError("decoded although malformed: " + HEX.formatHex(payload));
    }

    private static byte[] patched(String hex, int index, int value) {
        var b = HEX.parseHex(hex);
        b[index] = (byte) value;
        return b;
    }

    @Test
    void decodesKeepalivedsDownPacket() throws Exception {
        var p = decode(DOWN);
        assertThat(p.state()).isEqualTo(BfdState.DOWN);
        assertThat(p.diagnostic()).isEqualTo(BfdDiagnostic.NO_DIAGNOSTIC);
        assertThat(p.poll()).isFalse();
        assertThat(p.fin()).isFalse();
        assertThat(p.detectMult()).isEqualTo(4);
        assertThat(p.myDiscriminator()).isEqualTo(0xc9622647);
        assertThat(p.yourDiscriminator()).isZero();
        assertThat(p.desiredMinTxInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(p.requiredMinRxInterval()).isEqualTo(Duration.ofMillis(40));
        assertThat(p.requiredMinEchoRxInterval()).isZero();
    }

    @Test
    void decodesPollAndFinal() throws Exception {
        var poll = decode(UP_POLL);
        assertThat(poll.state()).isEqualTo(BfdState.UP);
        assertThat(poll.poll()).isTrue();
        assertThat(poll.fin()).isFalse();
        assertThat(poll.desiredMinTxInterval()).isEqualTo(Duration.ofMillis(50));
        var fin = decode(UP_FINAL);
        assertThat(fin.fin()).isTrue();
        assertThat(fin.poll()).isFalse();
        assertThat(fin.yourDiscriminator()).isEqualTo(poll.myDiscriminator());
        assertThat(fin.desiredMinTxInterval()).isEqualTo(Duration.ofMillis(60));
    }

    @Test
    void decodesDiagnostics() throws Exception {
        assertThat(decode(DOWN_EXPIRED).diagnostic()).isEqualTo(BfdDiagnostic.CONTROL_DETECTION_TIME_EXPIRED);
        assertThat(decode(DOWN_SIGNALED).diagnostic()).isEqualTo(BfdDiagnostic.NEIGHBOR_SIGNALED_SESSION_DOWN);
        assertThat(decode(DOWN_SIGNALED).state()).isEqualTo(BfdState.DOWN);
    }

    @Test
    void encodesEachFixtureByteForByte() throws Exception {
        for (var hex : new String[] {DOWN, UP_POLL, UP_FINAL, DOWN_EXPIRED, DOWN_SIGNALED}) {
            assertThat(HEX.formatHex(decode(hex).encode())).as(hex).isEqualTo(hex);
        }
    }

    @Test
    void encodesWhatItIsGiven() throws Exception {
        var p = new BfdPacket(BfdDiagnostic.ADMINISTRATIVELY_DOWN, BfdState.ADMIN_DOWN, false, false, false, false, 5,
                1, 2, Duration.ofSeconds(1), Duration.ofMillis(10), Duration.ZERO);
        assertThat(HEX.formatHex(p.encode())).isEqualTo("27000518" + "00000001" + "00000002" + "000f4240" + "00002710"
                + "00000000");
        assertThat(BfdPacket.decode(p.encode())).isEqualTo(p);
    }

    @Test
    void acceptsTrailingBytesBeyondTheLengthField() throws Exception {
        var b = HEX.parseHex(DOWN + "0000");
        assertThat(BfdPacket.decode(b)).isEqualTo(decode(DOWN));
    }

    @Test
    void rejectsShortPackets() {
        assertThat(reasonOf(new byte[0])).isEqualTo(Reason.TOO_SHORT);
        assertThat(reasonOf(HEX.parseHex(DOWN.substring(0, 46)))).isEqualTo(Reason.TOO_SHORT);
    }

    @Test
    void rejectsOtherVersions() {
        assertThat(reasonOf(patched(DOWN, 0, 0x00))).isEqualTo(Reason.BAD_VERSION);
        assertThat(reasonOf(patched(DOWN, 0, 0x40))).isEqualTo(Reason.BAD_VERSION);
    }

    @Test
    void rejectsALengthFieldThatDoesNotFit() {
        assertThat(reasonOf(patched(DOWN, 3, 23))).isEqualTo(Reason.BAD_LENGTH);
        assertThat(reasonOf(patched(DOWN, 3, 25))).isEqualTo(Reason.BAD_LENGTH);
    }

    @Test
    void rejectsZeroDetectMult() {
        assertThat(reasonOf(patched(DOWN, 2, 0))).isEqualTo(Reason.ZERO_DETECT_MULT);
    }

    @Test
    void rejectsMultipoint() {
        assertThat(reasonOf(patched(DOWN, 1, 0x41))).isEqualTo(Reason.MULTIPOINT);
    }

    @Test
    void rejectsZeroMyDiscriminator() {
        var b = HEX.parseHex(DOWN);
        b[4] = b[5] = b[6] = b[7] = 0;
        assertThat(reasonOf(b)).isEqualTo(Reason.ZERO_MY_DISCRIMINATOR);
    }

    @Test
    void rejectsZeroYourDiscriminatorOutsideDownAndAdminDown() {
        assertThat(reasonOf(patched(DOWN, 1, 0x80))).as("Init").isEqualTo(Reason.ZERO_YOUR_DISCRIMINATOR);
        assertThat(reasonOf(patched(DOWN, 1, 0xC0))).as("Up").isEqualTo(Reason.ZERO_YOUR_DISCRIMINATOR);
    }

    @Test
    void acceptsZeroYourDiscriminatorInAdminDown() throws Exception {
        assertThat(BfdPacket.decode(patched(DOWN, 1, 0x00)).state()).isEqualTo(BfdState.ADMIN_DOWN);
    }

    @Test
    void rejectsAuthentication() {
        var b = patched(DOWN, 1, 0x44);
        assertThat(reasonOf(b)).isEqualTo(Reason.AUTHENTICATION);
    }

    @Test
    void rejectsPollWithFinal() {
        assertThat(reasonOf(patched(UP_POLL, 1, 0xF0))).isEqualTo(Reason.POLL_AND_FINAL);
    }

    @Test
    void rejectsUndefinedDiagnostics() {
        assertThat(reasonOf(patched(DOWN, 0, 0x29))).isEqualTo(Reason.BAD_DIAGNOSTIC);
        assertThat(reasonOf(patched(DOWN, 0, 0x3F))).isEqualTo(Reason.BAD_DIAGNOSTIC);
    }

    @Test
    void refusesToBuildWhatTheWireCannotCarry() {
        assertThatThrownBy(() -> new BfdPacket(BfdDiagnostic.NO_DIAGNOSTIC, BfdState.UP, true, true, false, false, 3, 1,
                2, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BfdPacket(BfdDiagnostic.NO_DIAGNOSTIC, BfdState.UP, false, false, false, false, 0,
                1, 2, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BfdPacket(BfdDiagnostic.NO_DIAGNOSTIC, BfdState.UP, false, false, false, false, 3,
                1, 2, Duration.ofHours(2), Duration.ofMillis(10), Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    /// Random payloads and single-byte mutations of the fixtures: the decoder returns a packet
    /// that encodes back to its first 24 bytes, or throws [MalformedPacketException] — never
    /// anything else.
    @Test
    void fuzzedPayloadsDecodeOrAreRejected() {
        var random = new Random(17);
        var fixtures = new String[] {DOWN, UP_POLL, UP_FINAL, DOWN_EXPIRED, DOWN_SIGNALED};
        int decoded = 0;
        for (int i = 0; i < 50_000; i++) {
            byte[] b;
            if (i % 2 == 0) {
                b = new byte[random.nextInt(40)];
                random.nextBytes(b);
                if (b.length > 0) {
                    b[0] = (byte) (0x20 | b[0] & 0x1F); // version 1 half the time, to reach later checks
                }
            } else {
                b = HEX.parseHex(fixtures[random.nextInt(fixtures.length)]);
                for (int m = 1 + random.nextInt(3); m > 0; m--) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                }
            }
            try {
                var p = BfdPacket.decode(b);
                decoded++;
                var again = p.encode();
                assertThat(again).hasSize(BfdPacket.LENGTH);
                assertThat(BfdPacket.decode(again)).isEqualTo(p);
            } catch (MalformedPacketException e) {
                assertThat(e.reason()).isNotNull();
            }
        }
        assertThat(decoded).as("some mutations stay valid").isPositive();
    }
}
