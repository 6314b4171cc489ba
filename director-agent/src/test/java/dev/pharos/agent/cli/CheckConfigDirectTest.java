package dev.pharos.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// check-config's way around picocli ([CheckConfigCommand#direct]): it takes the plain forms only,
/// and for them says exactly what the picocli command says, with the same exit code.
class CheckConfigDirectTest {

    private static final Path SEED = Path.of("src/test/resources/config/seed/lvs-master.conf").toAbsolutePath();

    @Test
    void takesThePlainFormsOfFileAndConfigId() {
        assertThat(CheckConfigCommand.direct(args("check-config", "-f", "k.conf")))
                .contains(new CheckConfigCommand.Direct(Path.of("k.conf"), null));
        assertThat(CheckConfigCommand.direct(args("check-config", "--file", "k.conf", "-i", "lb1")))
                .contains(new CheckConfigCommand.Direct(Path.of("k.conf"), "lb1"));
        assertThat(CheckConfigCommand.direct(args("check-config", "--config-id=lb2", "--file=/etc/k.conf")))
                .contains(new CheckConfigCommand.Direct(Path.of("/etc/k.conf"), "lb2"));
    }

    @Test
    void leavesEveryOtherFormToPicocli() {
        for (var line : List.of(
                args("check-config"),
                args("check-config", "--help"),
                args("check-config", "-f"),
                args("check-config", "-i", "lb1"),
                args("check-config", "-fk.conf", "-i", "lb1"),
                args("check-config", "-f=k.conf", "-i", "lb1"),
                args("check-config", "-f", "k.conf", "-f", "l.conf"),
                args("check-config", "-f", "k.conf", "-i", "a", "--config-id", "b"),
                args("check-config", "-f", "k.conf", "extra"),
                args("check-config", "-f", "--", "k.conf"),
                args("check-config", "-f", "-i"),
                args("check-config", "--file=", "-i", "lb1"),
                args("check-config", "-f", "k.conf", "--debug", "x"),
                args("convert", "-f", "k.conf"),
                args("help", "check-config", "x"))) {
            assertThat(CheckConfigCommand.direct(line)).as(String.join(" ", line)).isEmpty();
        }
    }

    @Test
    void saysWhatPicocliSaysWithTheSameExitCode(@TempDir Path dir) throws Exception {
        var bad = dir.resolve("bad.conf");
        Files.writeString(bad, "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 300\n    priorty 1\n}\n");
        var ids = dir.resolve("ids.conf");
        Files.writeString(ids, "@lb1 bogus_keyword\nglobal_defs {\n    router_id ${_INSTANCE}\n}\n");
        for (var line : List.of(
                args("check-config", "-f", SEED.toString()),
                args("check-config", "-f", bad.toString()),
                args("check-config", "-f", dir.resolve("nope.conf").toString()),
                args("check-config", "-i", "lb1", "-f", ids.toString()),
                args("check-config", "--config-id=lb2", "--file", ids.toString()))) {
            var direct = CheckConfigCommand.direct(line).orElseThrow();
            var err = new StringWriter();
            int exit = direct.run(new PrintWriter(err, true));
            var picocli = CliConfigCommandsTest.run(line);
            assertThat(err.toString()).as(String.join(" ", line)).isEqualTo(picocli.err());
            assertThat(exit).as(String.join(" ", line)).isEqualTo(picocli.exit());
        }
    }

    private static String[] args(String... args) {
        return args;
    }
}
