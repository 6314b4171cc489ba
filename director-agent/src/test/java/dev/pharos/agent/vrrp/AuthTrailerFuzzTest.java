package dev.pharos.agent.vrrp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.pharos.agent.vrrp.AuthHmacSettings.AntiReplay;
import dev.pharos.agent.vrrp.AuthHmacSettings.Mode;
import java.net.InetAddress;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/// Mutated keepalived 2.4.3 adverts and random bytes through the receive path of an `auth_hmac`
/// instance (codec, then trailer and HMAC): only [MalformedPacketException] or a refusal ever comes
/// out, and no mutation of a signed byte is accepted.
class AuthTrailerFuzzTest {

    private static final long SEED = 0xa17_4ac5L;
    private static final long BUDGET_NANOS = 5_000_000_000L;
    private static final int CASES = 20_000;

    /// What the instance would do with the datagram: null when accepted.
    private static Object receive(HmacAuthenticator auth, byte[] d) {
        try {
            var r = VrrpPacket.decode(d, d.length);
            return auth.verify(d, r.ip().headerLength(), r.packet().length(), r.trailed(), r.ip().source(),
                    r.packet().version().wireValue(), r.packet().vrid(), false);
        } catch (MalformedPacketException e) {
            assertThat(e.getMessage()).isNotBlank();
            return e.reason();
        } catch (RuntimeException e) {
            fail("threw %s on %s", e, HexFormat.of().formatHex(d));
            return e;
        }
    }

    @Test
    void mutationsAreRefusedAndNothingElseIsThrown() {
        var rnd = new SplittableRandom(SEED);
        var goldens = List.of(AuthTrailerTest.V3_MULTICAST, AuthTrailerTest.V2_MULTICAST);
        var start = System.nanoTime();
        int cases = 0;
        int accepted = 0;
        while (cases < CASES && System.nanoTime() - start < BUDGET_NANOS) {
            var golden = HexFormat.of().parseHex(goldens.get(rnd.nextInt(goldens.size())));
            var auth = new HmacAuthenticator(AuthTrailerTest.settings(Mode.ENFORCE, AntiReplay.MONOTONIC),
                    InstantSource.fixed(AuthTrailerTest.instantOf(golden)), List.of());
            var d = golden.clone();
            int flips = 1 + rnd.nextInt(4);
            for (int f = 0; f < flips; f++) {
                int at = rnd.nextInt(d.length);
                d[at] = (byte) (rnd.nextBoolean() ? rnd.nextInt(256) : d[at] ^ (1 << rnd.nextInt(8)));
            }
            boolean signedByteChanged = false;
            for (int at = 0; at < d.length; at++) {
                // The IP header and the VRRP checksum are outside the HMAC; the source address is in it.
                boolean signed = at >= 12 && at < 16 || at >= 20 && at != 26 && at != 27;
                signedByteChanged |= signed && d[at] != golden[at];
            }
            if (receive(auth, d) == null) {
                accepted++;
                assertThat(signedByteChanged).as("accepted although a signed byte changed: %s",
                        HexFormat.of().formatHex(d)).isFalse();
            }
            cases++;
        }
        var random = new SplittableRandom(SEED + 1);
        var auth = new HmacAuthenticator(AuthTrailerTest.settings(Mode.PERMISSIVE, AntiReplay.TIME),
                InstantSource.system(), List.of());
        for (int i = 0; i < 2_000 && System.nanoTime() - start < 2 * BUDGET_NANOS; i++) {
            var d = new byte[random.nextInt(120)];
            random.nextBytes(d);
            if (d.length > 20 && random.nextBoolean()) {
                d[0] = 0x45;
                d[9] = 112;
                d[2] = 0;
                d[3] = (byte) d.length;
            }
            receive(auth, d);
        }
        assertThat(cases).isGreaterThan(1_000);
        assertThat(accepted).as("some mutations touch only unsigned bytes").isPositive();
    }

    @Test
    void theSourceAddressIsSigned() throws Exception {
        var d = HexFormat.of().parseHex(AuthTrailerTest.V3_MULTICAST);
        var auth = new HmacAuthenticator(AuthTrailerTest.settings(Mode.ENFORCE, AntiReplay.MONOTONIC),
                InstantSource.fixed(AuthTrailerTest.instantOf(d)), List.of());
        var r = VrrpPacket.decode(d, d.length);
        assertThat(auth.verify(d, 20, r.packet().length(), true, InetAddress.getByName("192.0.2.3"), 3, 51, false))
                .isEqualTo(HmacAuthenticator.Failure.BAD_HMAC);
    }
}
