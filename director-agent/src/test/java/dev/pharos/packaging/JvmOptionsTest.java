package dev.pharos.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/// The daemon starts with the same JVM options whether systemd starts it (the unit's ExecStart)
/// or an operator does (`director-agent run`, the launcher): both are written out in full, since
/// the unit runs `java` itself, and a flag changed in one only would make bench/balancer and
/// bench/rest, which read the unit, measure something no hand-started agent runs.
class JvmOptionsTest {

    private static final Path UNIT = Path.of("src/main/systemd/pharos-agent.service");
    private static final Path LAUNCHER = Path.of("src/main/sh/director-agent");

    @Test
    void theLaunchersRunHasTheUnitsOptionsLessItsClassDataArchive() throws IOException {
        var unit = Files.readString(UNIT).replace("\\\n", " ");
        var exec = unit.lines().filter(l -> l.startsWith("ExecStart=")).findFirst().orElseThrow();
        var unitOptions = optionsBeforeJar(exec.substring("ExecStart=".length())).stream()
                .filter(w -> !w.startsWith("-XX:SharedArchiveFile=") && !w.equals("-XX:+AutoCreateSharedArchive"))
                .toList();

        var launcher = Files.readString(LAUNCHER).replace("\\\n", " ");
        var lines = launcher.lines().toList();
        var runBranch = lines.indexOf("if [ \"${1:-}\" = run ]; then");
        assertThat(runBranch).as("the launcher's `run` branch").isNotNegative();
        var runExec = lines.get(runBranch + 1).trim();
        assertThat(runExec).startsWith("exec \"$java\" ");

        assertThat(optionsBeforeJar(runExec.substring("exec ".length())))
                .as("director-agent run's JVM options against the unit's (less the archive)")
                .containsExactlyElementsOf(unitOptions);
        assertThat(unitOptions).contains("-XX:+UseSerialGC", "-Xmx256m");
    }

    /// Native access comes from the jar's manifest, not from `--enable-native-access`: the JDK's
    /// class-data archive was made without that option, and given it the JVM drops the archive's
    /// module graph (0.4 MB of the balancer's peak RSS, and `[error][cds]` lines on stdout at every start).
    @Test
    void nativeAccessIsTheJarsNotAnOptionThatCostsTheArchivedModuleGraph() throws IOException {
        var unit = Files.readString(UNIT).replace("\\\n", " ");
        var exec = unit.lines().filter(l -> l.startsWith("ExecStart=")).findFirst().orElseThrow();
        assertThat(optionsBeforeJar(exec.substring("ExecStart=".length())))
                .noneMatch(w -> w.startsWith("--enable-native-access"));
        assertThat(Files.readString(Path.of("pom.xml")))
                .as("the agent jar's manifest (maven-shade-plugin's ManifestResourceTransformer)")
                .contains("<Enable-Native-Access>ALL-UNNAMED</Enable-Native-Access>");
    }

    /// The words between the java command and `-jar`.
    private static List<String> optionsBeforeJar(String command) {
        var words = List.of(command.trim().split("\\s+"));
        return words.subList(1, words.indexOf("-jar"));
    }
}
