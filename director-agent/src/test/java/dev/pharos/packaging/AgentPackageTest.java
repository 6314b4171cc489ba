package dev.pharos.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.pharos.testing.Netns;

/// The agent's Debian package as an administrator meets it (`./mvnw -Ppackage` builds it, then
/// runs these tests): lintian finds no errors; it installs with `dpkg -i` into a fresh Debian 12
/// root with no JDK, where `director-agent check-config` uses the package's AOT cache and
/// `director-agent run` on the seed's configuration becomes master in a network namespace; the
/// unit passes `systemd-analyze verify`; reinstalling (the upgrade path) and purging work.
@Tag("package")
class AgentPackageTest {

    private static final Path SEED = Path.of("src/main/resources/dev/pharos/agent/lab/seed/lvs-master.conf");
    private static final Duration COMMAND = Duration.ofMinutes(2);
    private static final String WANTS = "/etc/systemd/system/multi-user.target.wants/pharos-agent.service";

    @Test
    void lintianReportsNoErrors() {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/lintian")), "lintian is not installed");
        var r = Netns.exec(Duration.ofMinutes(10), "lintian", "--tag-display-limit", "0", deb().toString());
        assertThat(r.output().lines().filter(l -> l.startsWith("E: ")).toList()).as(r.output()).isEmpty();
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    @Test
    void installsIntoAFreshDebianAndRunsWithoutAJdk() throws IOException {
        try (var root = DebianRoot.create()) {
            Files.copy(deb(), root.path("/tmp/pharos-agent.deb"));
            assertThat(root.exec(COMMAND, "sh", "-c", "command -v java || ls -d /usr/lib/jvm").exitCode())
                    .as("no Java in the fresh root").isNotZero();

            ok(root.exec(COMMAND, "dpkg", "-i", "/tmp/pharos-agent.deb"), "dpkg -i");
            ok(root.exec(COMMAND, "getent", "passwd", "pharos"), "the system user");
            assertThat(root.exec(COMMAND, "stat", "-c", "%U:%G %a", "/etc/pharos").output().trim())
                    .isEqualTo("root:pharos 2770");
            // A link to /usr/lib/systemd/system/…, which only resolves inside the root.
            assertThat(Files.isSymbolicLink(root.path(WANTS))).as("enabled, to start once configured").isTrue();
            ok(root.exec(COMMAND, "systemd-analyze", "verify", "pharos-agent.service"), "systemd-analyze verify");

            Files.copy(SEED, root.path("/etc/pharos/keepalived.conf"));
            ok(root.exec(COMMAND, "director-agent", "check-config", "-f", "/etc/pharos/keepalived.conf"), "check-config");
            // AOTMode=on: the JVM refuses to start unless it uses the AOT cache, so the installed
            // jar and runtime are the ones it was made for.
            ok(root.exec(COMMAND, "env", "JAVA_TOOL_OPTIONS=-XX:AOTMode=on", "director-agent", "check-config", "-f",
                    "/etc/pharos/keepalived.conf"), "check-config with the AOT cache required");

            runsAsMaster(root);

            ok(root.exec(COMMAND, "dpkg", "-i", "/tmp/pharos-agent.deb"), "reinstall over itself (an upgrade)");
            ok(root.exec(COMMAND, "dpkg", "--purge", "pharos-agent"), "dpkg --purge");
            assertThat(root.path("/usr/lib/pharos-agent")).doesNotExist();
            assertThat(root.path("/etc/pharos/agent.env")).doesNotExist();
            assertThat(root.path("/var/lib/pharos")).doesNotExist();
            assertThat(Files.isSymbolicLink(root.path(WANTS))).as("no longer enabled").isFalse();
            assertThat(root.path("/etc/pharos/keepalived.conf")).as("the administrator's configuration stays").exists();
        }
    }

    /// `director-agent run` on the seed's lvs-master (documentation addresses) in its own network
    /// namespace: VI_1 (priority 100, alone) becomes master and adds its VIP; SIGTERM stops it.
    private static void runsAsMaster(DebianRoot root) throws IOException {
        try (var net = Netns.create()) {
            var host = net.host("pkg", "192.0.2.1/24");
            var log = Files.createTempFile("pharos-agent-pkg", ".log");
            try {
                var command = new ArrayList<>(root.chrooted("director-agent", "run", "-f", "/etc/pharos/keepalived.conf",
                        "--control-socket", "/run/pharos/agent.sock", "--state-dir", "/var/lib/pharos"));
                var agent = host.start(log, command.toArray(String[]::new));
                assertThat(Netns.await(Duration.ofSeconds(60), () -> read(log).contains("(VI_1) Entering MASTER STATE")
                        && host.addresses("eth0").contains("192.0.2.100")))
                        .as("the installed agent becomes master of VI_1%n%s", read(log)).isTrue();
                var state = Netns.exec(COMMAND, concat(List.of("ip", "netns", "exec", host.name()),
                        root.chrooted("director-agent", "status", "--control-socket", "/run/pharos/agent.sock")));
                assertThat(state.output()).as("status through the control socket").contains("VI_1").contains("MASTER");
                Netns.stop(agent, Duration.ofSeconds(20));
                assertThat(agent.exitValue()).as("a graceful stop%n%s", read(log)).isZero();
                assertThat(read(log)).doesNotContain("Exception");
            } finally {
                Files.deleteIfExists(log);
            }
        }
    }

    /// The package the build made: exactly one.
    static Path deb() {
        try (var files = Files.list(Path.of("target"))) {
            var debs = files.filter(f -> f.getFileName().toString().matches("pharos-agent_.*_amd64\\.deb")).toList();
            assertThat(debs).as("target/pharos-agent_*_amd64.deb: ./mvnw -Ppackage makes it").hasSize(1);
            return debs.getFirst();
        } catch (IOException e) {
            throw new IllegalStateException("no target directory: build with ./mvnw -Ppackage", e);
        }
    }

    private static void ok(Netns.Result r, String what) {
        assertThat(r.exitCode()).as("%s%n%s", what, r.output()).isZero();
    }

    private static String[] concat(List<String> a, List<String> b) {
        var all = new ArrayList<>(a);
        all.addAll(b);
        return all.toArray(String[]::new);
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }
}
