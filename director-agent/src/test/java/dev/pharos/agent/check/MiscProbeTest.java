package dev.pharos.agent.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pharos.testing.Netns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// MISC_CHECK: exit codes, dynamic weight, arguments without a shell, and a hanging script
/// ended with everything it started.
class MiscProbeTest {

    @TempDir
    Path dir;

    private Path script(String name, String body) throws IOException {
        var file = dir.resolve(name);
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }

    private static ProbeResult run(boolean dynamic, Duration timeout, String... command) {
        return new MiscProbe(new CheckSpec.MiscCheck(List.of(command), timeout, dynamic,
                CheckSchedulerTest.timing(1, 0, 1, 0, false))).attempt();
    }

    private static ProbeResult run(boolean dynamic, String... command) {
        return run(dynamic, Duration.ofSeconds(20), command);
    }

    @Test
    void exitZeroIsUpAnythingElseIsDownWithTheCode() throws Exception {
        var s = script("exit.sh", "exit $1");
        assertThat(run(false, s.toString(), "0")).isEqualTo(ProbeResult.up());
        assertThat(run(false, s.toString(), "1")).isEqualTo(ProbeResult.down("script exit 1"));
        assertThat(run(false, s.toString(), "7")).isEqualTo(ProbeResult.down("script exit 7"));
    }

    @Test
    void withMiscDynamicExitTwoTo255IsUpWithWeightExitMinusTwo() throws Exception {
        var s = script("exit.sh", "exit $1");
        assertThat(run(true, s.toString(), "0")).isEqualTo(ProbeResult.up());
        assertThat(run(true, s.toString(), "1")).isEqualTo(ProbeResult.down("script exit 1"));
        assertThat(run(true, s.toString(), "2")).isEqualTo(new ProbeResult.DynamicWeight(0));
        assertThat(run(true, s.toString(), "12")).isEqualTo(new ProbeResult.DynamicWeight(10));
        assertThat(run(true, s.toString(), "255")).isEqualTo(new ProbeResult.DynamicWeight(253));
    }

    @Test
    void argumentsArePassedAsTheyAreWithoutAShell() throws Exception {
        var out = dir.resolve("args");
        var s = script("args.sh", "printf '%s|' \"$@\" > " + out);
        assertThat(run(false, s.toString(), "two words", "$HOME", "a;b")).isEqualTo(ProbeResult.up());
        assertThat(Files.readString(out)).isEqualTo("two words|$HOME|a;b|");
    }

    @Test
    void aProgramThatCannotStartIsDown() {
        var result = run(false, dir.resolve("missing.sh").toString());
        assertThat(result).isInstanceOf(ProbeResult.Down.class);
        assertThat(((ProbeResult.Down) result).reason()).startsWith("cannot run " + dir.resolve("missing.sh"));
    }

    @Test
    void aHangingScriptIsKilledWithItsChildrenAndOrphansAtTheTimeout() throws Exception {
        var pids = dir.resolve("pids");
        // A child in the background, and an orphan whose parent (a subshell) exits at once.
        var s = script("hang.sh", "sleep 300 &\necho $! >> " + pids + "\n(sleep 301 & echo $! >> " + pids
                + ")\necho $$ >> " + pids + "\nsleep 302\n");
        long start = System.nanoTime();
        assertThat(run(false, Duration.ofMillis(500), s.toString())).isEqualTo(ProbeResult.down("script timed out after 500ms"));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        var started = Files.readAllLines(pids).stream().map(String::trim).map(Long::parseLong).toList();
        assertThat(started).hasSize(3);
        assertThat(Netns.await(Duration.ofSeconds(10), () -> started.stream().noneMatch(MiscProbeTest::running)))
                .as("every process of the script ended: %s", started).isTrue();
    }

    @Test
    void aScriptThatIgnoresSigtermIsKilledAfterTheGrace() throws Exception {
        var pids = dir.resolve("pids");
        var s = script("stubborn.sh", "trap '' TERM\necho $$ >> " + pids + "\nwhile true; do sleep 1; done\n");
        long start = System.nanoTime();
        assertThat(run(false, Duration.ofMillis(300), s.toString())).isEqualTo(ProbeResult.down("script timed out after 300ms"));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
        long pid = Long.parseLong(Files.readString(pids).trim());
        assertThat(Netns.await(Duration.ofSeconds(10), () -> !running(pid))).isTrue();
    }

    @Test
    void theScriptRunsAsTheConfiguredUserAndGroup() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "switching users needs root");
        // A directory the unprivileged user can enter, with a place it may write to.
        var shared = Files.createTempDirectory(Path.of("/tmp"), "pharos-misc-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        try {
            var out = Files.createDirectory(shared.resolve("out"));
            Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rwxrwxrwx"));
            var s = shared.resolve("whoami.sh");
            Files.writeString(s, "#!/bin/sh\necho \"$(id -un) $(id -gn)\" > " + out.resolve("id") + "\n");
            Files.setPosixFilePermissions(s, PosixFilePermissions.fromString("rwxr-xr-x"));
            var timing = CheckSchedulerTest.timing(1, 0, 1, 0, false);
            var asNobody = new MiscProbe(new CheckSpec.MiscCheck(List.of(s.toString()), Duration.ofSeconds(20), false,
                    "nobody", null, timing));
            assertThat(asNobody.attempt()).isEqualTo(ProbeResult.up());
            assertThat(Files.readString(out.resolve("id")).strip()).isEqualTo("nobody nogroup");
            var unknown = new MiscProbe(new CheckSpec.MiscCheck(List.of(s.toString()), Duration.ofSeconds(20), false,
                    "no-such-user-here", null, timing));
            assertThat(unknown.attempt()).isEqualTo(ProbeResult.down("cannot run as user no-such-user-here: no such user"));
        } finally {
            try (var files = Files.walk(shared)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /// Alive and not a zombie waiting for a parent that does not reap.
    static boolean running(long pid) {
        try {
            var stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            var state = stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
            return !state.equals("Z") && !state.equals("X");
        } catch (IOException e) {
            return false;
        }
    }
}
