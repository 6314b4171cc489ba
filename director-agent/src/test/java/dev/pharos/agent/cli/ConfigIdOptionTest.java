package dev.pharos.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// `-i`/`--config-id` on check-config, convert and run, as keepalived's `-i`: `@ID` lines and
/// `${_INSTANCE}` follow it.
class ConfigIdOptionTest {

    private static final String CONFIG = """
            global_defs {
                router_id ${_INSTANCE}
            }
            vrrp_instance VI_1 {
                interface eth0
                virtual_router_id 7
            @lb1    priority 150
            @^lb1   priority 100
            }
            """;

    @Test
    void convertAndCheckConfigReadTheLinesOfTheGivenId(@TempDir Path dir) throws Exception {
        var file = dir.resolve("k.conf");
        Files.writeString(file, CONFIG);
        var lb1 = CliConfigCommandsTest.run("convert", "-i", "lb1", "-f", file.toString(), "--to", "keepalived");
        assertThat(lb1.exit()).isZero();
        assertThat(lb1.out()).contains("router_id lb1").contains("priority 150").doesNotContain("priority 100");
        var lb2 = CliConfigCommandsTest.run("convert", "--config-id", "lb2", "-f", file.toString(), "--to", "keepalived");
        assertThat(lb2.out()).contains("router_id lb2").contains("priority 100").doesNotContain("priority 150");
        Files.writeString(file, "@lb1 bogus_keyword\n" + CONFIG);
        assertThat(CliConfigCommandsTest.run("check-config", "-i", "lb2", "-f", file.toString()).exit()).isZero();
        assertThat(CliConfigCommandsTest.run("check-config", "-i", "lb1", "-f", file.toString()).exit()).isEqualTo(1);
    }

    @Test
    void runTakesTheOptionToo() {
        var usage = Main.commandLine().getSubcommands().get("run").getUsageMessage();
        assertThat(usage).contains("-i, --config-id=ID").contains("${_INSTANCE}");
    }
}
