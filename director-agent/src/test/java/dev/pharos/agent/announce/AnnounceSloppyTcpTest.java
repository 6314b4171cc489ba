package dev.pharos.agent.announce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.pharos.agent.config.ConfigException;
import dev.pharos.agent.config.Diagnostic;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/// `sloppy_tcp` in `announce.conf`: on unless written off, in keepalived's spellings of on and off.
class AnnounceSloppyTcpTest {

    private static final Path FILE = Path.of("/etc/pharos/announce.conf");

    private static String file(String line) {
        return "announce {\n    daemon bird\n    socket /run/bird/bird.ctl\n" + line + "    vip 192.0.2.10\n}\n";
    }

    @Test
    void onByDefault() throws Exception {
        assertThat(AnnounceConfigParser.parse(file(""), FILE).sloppyTcp()).isTrue();
    }

    @Test
    void offAndOnInEachSpelling() throws Exception {
        for (var off : new String[] {"off", "no", "false"}) {
            assertThat(AnnounceConfigParser.parse(file("    sloppy_tcp " + off + "\n"), FILE).sloppyTcp()).as(off)
                    .isFalse();
        }
        for (var on : new String[] {"on", "yes", "true"}) {
            assertThat(AnnounceConfigParser.parse(file("    sloppy_tcp off\n    sloppy_tcp " + on + "\n"), FILE)
                    .sloppyTcp()).as(on).isTrue();
        }
        assertThat(AnnounceConfigParser.parse(file("    sloppy_tcp off\n    sloppy_tcp\n"), FILE).sloppyTcp())
                .isTrue();
    }

    @Test
    void anyOtherWordIsAnError() {
        var e = catchThrowableOfType(ConfigException.class,
                () -> AnnounceConfigParser.parse(file("    sloppy_tcp 2\n    sloppy_tcp on off\n"), FILE));
        assertThat(e.diagnostics()).extracting(Diagnostic::toString).containsExactly(
                FILE + ":4:16: error: sloppy_tcp is on or off, not '2'",
                FILE + ":5:19: error: sloppy_tcp takes one value: sloppy_tcp on|off");
    }
}
