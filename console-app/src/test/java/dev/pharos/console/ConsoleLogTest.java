package dev.pharos.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.LogManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// The console logs to its file, and only warnings reach the terminal that started it.
class ConsoleLogTest {

    @Test
    void infoGoesToTheFileAndOnlyWarningsToTheTerminal(@TempDir Path dir) throws Exception {
        var terminal = new ByteArrayOutputStream();
        var oldErr = System.err;
        System.setErr(new PrintStream(terminal, true, StandardCharsets.UTF_8));
        try {
            var where = ConsoleLog.install(dir.resolve("pharos").resolve("console.log"));
            assertThat(where).isEqualTo(dir.resolve("pharos").resolve("console.log") + ".0");
            var log = System.getLogger("dev.pharos.console.test");
            log.log(System.Logger.Level.INFO, "connected to lvs-master");
            log.log(System.Logger.Level.WARNING, "lvs-backup: host key changed");
        } finally {
            System.setErr(oldErr);
            LogManager.getLogManager().readConfiguration(); // the JVM's defaults for the other tests
        }
        var file = Files.readString(dir.resolve("pharos").resolve("console.log.0"));
        assertThat(file).contains("connected to lvs-master").contains("lvs-backup: host key changed");
        assertThat(terminal.toString(StandardCharsets.UTF_8)).contains("lvs-backup: host key changed")
                .doesNotContain("connected to lvs-master");
    }
}
