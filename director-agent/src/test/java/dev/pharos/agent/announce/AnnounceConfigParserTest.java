package dev.pharos.agent.announce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.pharos.agent.config.ConfigException;
import dev.pharos.agent.config.Diagnostic;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/// `announce.conf` in keepalived's syntax: a whole file read, the defaults, and each mistake an
/// error at its `file:line:col`, all reported at once; random damage is an error, never a crash.
class AnnounceConfigParserTest {

    static final Path FILE = Path.of("/etc/pharos/announce.conf");

    static final String GOOD = """
            # this director announces two VIPs through BIRD
            announce {
                daemon bird
                socket /run/bird/bird.ctl
                recheck 2.5
                warmup 0
                vip 192.0.2.10
                vip 2001:db8::10 {
                    protocol web_v6
                }
            }
            """;

    @Test
    void readsAWholeFile() throws Exception {
        var c = AnnounceConfigParser.parse(GOOD, FILE);
        assertThat(c.daemon()).isEqualTo(AnnounceConfig.Daemon.BIRD);
        assertThat(c.socket()).isEqualTo(Path.of("/run/bird/bird.ctl"));
        assertThat(c.recheck()).isEqualTo(Duration.ofMillis(2500));
        assertThat(c.warmup()).isEqualTo(Duration.ZERO);
        assertThat(c.withdrawDelay()).isEqualTo(AnnounceConfig.DEFAULT_WITHDRAW_DELAY);
        assertThat(c.vips()).containsExactly(
                new AnnounceConfig.Vip(InetAddress.ofLiteral("192.0.2.10"), "pharos_192_0_2_10"),
                new AnnounceConfig.Vip(InetAddress.ofLiteral("2001:db8::10"), "web_v6"));
        assertThat(BirdDaemon.declaration(c.vips().getFirst()))
                .isEqualTo("protocol static pharos_192_0_2_10 { disabled; ipv4; route 192.0.2.10/32 blackhole; }");
    }

    @Test
    void everyMistakeIsAnErrorAtItsPlace() {
        var text = """
                announce {
                    daemon quagga
                    socket bird.ctl
                    recheck 0.01
                    warmup soon
                    vip 192.0.2.300
                    vip 192.0.2.10
                    vip 192.0.2.10
                    vip 192.0.2.11 {
                        protocol 9lives
                        colour blue
                    }
                    bgp_asn 64500
                }
                """;
        var e = catchThrowableOfType(ConfigException.class, () -> AnnounceConfigParser.parse(text, FILE));
        assertThat(e.diagnostics()).extracting(Diagnostic::toString).containsExactly(
                FILE + ":2:12: error: unknown routing daemon 'quagga': Pharos drives bird or frr",
                FILE + ":3:12: error: socket needs an absolute path, e.g. /run/bird/bird.ctl",
                FILE + ":4:13: error: recheck 0.01 is outside 0.1–3600 s",
                FILE + ":5:12: error: warmup needs seconds (e.g. 2 or 0.5), not 'soon'",
                FILE + ":6:9: error: '192.0.2.300' is not an IPv4 or IPv6 address",
                FILE + ":8:9: error: vip 192.0.2.10 is given twice",
                FILE + ":10:18: error: '9lives' is not a BIRD protocol name (letters, digits and _)",
                FILE + ":11:9: error: unknown keyword 'colour' in vip (protocol)",
                FILE + ":13:5: error: unknown keyword 'bgp_asn' in announce (daemon, socket, recheck, warmup,"
                        + " withdraw_delay, sloppy_tcp, vip)",
                FILE + ":1:1: error: announce needs daemon bird or daemon frr",
                FILE + ":1:1: error: announce needs the routing daemon's socket, e.g. socket /run/bird/bird.ctl");
    }

    @Test
    void aFileWithoutTheBlockSaysSo() {
        var empty = catchThrowableOfType(ConfigException.class, () -> AnnounceConfigParser.parse("# nothing\n", FILE));
        assertThat(empty.diagnostics()).extracting(Diagnostic::toString)
                .containsExactly(FILE + ":1:1: error: no announce { … } block: nothing to announce");
        var other = catchThrowableOfType(ConfigException.class,
                () -> AnnounceConfigParser.parse("vrrp_instance VI_1 {\n}\n", FILE));
        assertThat(other.diagnostics()).extracting(Diagnostic::toString).containsExactly(
                FILE + ":1:1: error: unknown keyword 'vrrp_instance': this file has one announce { … } block");
    }

    /// Bytes flipped, dropped and repeated in a good file: each result parses or is a
    /// ConfigException, nothing else.
    @Test
    void damagedFilesAreErrorsNeverCrashes() {
        var random = new Random(20261207);
        var chars = "{}\"!#\n \t0123456789./:abc_\\$@~".toCharArray();
        for (int round = 0; round < 3000; round++) {
            var text = new StringBuilder(GOOD);
            for (int k = 1 + random.nextInt(4); k > 0 && !text.isEmpty(); k--) {
                int at = random.nextInt(text.length());
                switch (random.nextInt(3)) {
                    case 0 -> text.setCharAt(at, chars[random.nextInt(chars.length)]);
                    case 1 -> text.deleteCharAt(at);
                    default -> text.insert(at, text.substring(at, Math.min(text.length(), at + random.nextInt(20))));
                }
            }
            try {
                AnnounceConfigParser.parse(text.toString(), FILE);
            } catch (ConfigException expected) {
                assertThat(expected.diagnostics()).isNotEmpty();
            }
        }
    }
}
