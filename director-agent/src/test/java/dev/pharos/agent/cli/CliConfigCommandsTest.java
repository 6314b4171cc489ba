package dev.pharos.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliConfigCommandsTest {

    private static final Path SEED = Path.of("src/test/resources/config/seed/lvs-master.conf").toAbsolutePath();

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void checkConfigAcceptsTheSeedWithItsWarning() {
        var r = run("check-config", "-f", SEED.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains(SEED + ":22:3: warning: nat_mask is obsolete");
    }

    @Test
    void checkConfigReportsEveryErrorWithPositionAndExitsOne(@TempDir Path dir) throws Exception {
        var bad = dir.resolve("bad.conf");
        Files.writeString(bad, "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 300\n    priorty 1\n}\n");
        var r = run("check-config", "-f", bad.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().lines()).containsExactly(
                bad + ":3:23: error: virtual_router_id 300 is outside 1–255",
                bad + ":4:5: error: unknown keyword 'priorty' in vrrp_instance VI_1; did you mean 'priority'?");
        assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void checkConfigOfAMissingFileIsOneClearLine(@TempDir Path dir) {
        var r = run("check-config", "-f", dir.resolve("nope.conf").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo(dir.resolve("nope.conf") + ":1:1: error: cannot read "
                + dir.resolve("nope.conf") + ": no such file");
    }

    @Test
    void convertToJsonAndBackGivesTheSameKeepalivedText(@TempDir Path dir) throws Exception {
        var toJson = run("convert", "-f", SEED.toString(), "--to", "json");
        assertThat(toJson.exit()).isZero();
        assertThat(toJson.out()).contains("\"virtualRouterId\" : 90");
        var json = dir.resolve("seed.json");
        Files.writeString(json, toJson.out());
        var back = run("convert", "-f", json.toString(), "--to", "keepalived");
        var direct = run("convert", "-f", SEED.toString(), "--to", "keepalived");
        assertThat(back.exit()).isZero();
        assertThat(back.out()).isEqualTo(direct.out()).contains("virtual_router_id 93");
    }

    @Test
    void badCommandLineIsAUsageErrorNotATrace() {
        var r = run("convert", "-f", SEED.toString(), "--to", "yaml");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--to").doesNotContain("\tat ");
        assertThat(run("no-such-command").exit()).isEqualTo(2);
    }
}
