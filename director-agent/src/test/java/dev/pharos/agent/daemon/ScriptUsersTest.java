package dev.pharos.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pharos.agent.config.ConfigLoader;
import dev.pharos.agent.config.ConfigWriter;
import dev.pharos.agent.config.KeepalivedConfig;
import dev.pharos.agent.vrrp.ScriptRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// keepalived's script users and script security with real scripts and real users: each script
/// writes `id -u`, `id -g`, `id -G` and its arguments into a file, so what ran as whom is seen,
/// not assumed. Users: `nobody`/`nogroup` and one system user made for this class (removed after).
/// The scripts live in a root-owned 0755 directory under the temporary directory; `/tmp` itself is
/// root's and sticky, which keepalived accepts.
class ScriptUsersTest {

    private static String testUser;
    private static int testUid;
    private static int testGid;

    @TempDir
    Path dir;
    private Path bin;
    private Path out;

    @BeforeAll
    static void user() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root (to switch users)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs util-linux setpriv");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/useradd")), "needs useradd");
        assumeTrue(run("id", "-u", "keepalived_script").exit != 0, "a keepalived_script user exists here");
        var name = "pharos-t" + UUID.randomUUID().toString().substring(0, 8);
        var made = run("/usr/sbin/useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name);
        assumeTrue(made.exit == 0, "useradd failed: " + made.output);
        testUser = name;
        testUid = Integer.parseInt(run("id", "-u", name).output.trim());
        testGid = Integer.parseInt(run("id", "-g", name).output.trim());
    }

    @AfterAll
    static void removeUser() throws Exception {
        if (testUser != null) {
            run("/usr/sbin/userdel", testUser);
        }
    }

    @BeforeEach
    void directories() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        bin = Files.createDirectory(dir.resolve("bin"));
        Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
        out = Files.createDirectory(dir.resolve("out"));
        chmod("1777", out);
    }

    // ---- who runs it

    @Test
    void quotedCommandWithArgumentsThenUserRunsAsThatUser() throws Exception {
        var script = script(bin, "notify.sh", "rwxr-xr-x");
        var c = config("", "notify_master \"" + script + " arg1 'two words'\" nobody");
        assertThat(runMaster(c, "notify")).isEqualTo("65534 65534 65534 |arg1|two words|");
    }

    @Test
    void unquotedCommandThenUserAndGroupRunsAsThem() throws Exception {
        var script = script(bin, "notify.sh", "rwxr-xr-x");
        var c = config("", "notify_master " + script + " " + testUser + " nogroup");
        assertThat(runMaster(c, "notify")).isEqualTo(testUid + " 65534 65534 |");
    }

    @Test
    void scriptUserIsTheDefaultForScriptsWithoutOne() throws Exception {
        var script = script(bin, "notify.sh", "rwxr-xr-x");
        var c = config("global_defs {\n    script_user " + testUser + " nogroup\n}\n",
                "notify_master \"" + script + " x\"");
        assertThat(runMaster(c, "notify")).isEqualTo(testUid + " 65534 65534 |x|");
    }

    @Test
    void withoutScriptUserOrKeepalivedScriptTheAgentsOwnUserRuns() throws Exception {
        var script = script(bin, "notify.sh", "rwxr-xr-x");
        var c = config("", "notify_master " + script);
        assertThat(runMaster(c, "notify")).startsWith("0 0 ");
    }

    @Test
    void aTrackedScriptRunsAsItsUser() throws Exception {
        var script = script(bin, "check.sh", "rwxr-xr-x");
        var c = parse("""
                vrrp_script chk {
                    script "%s checking"
                    user %s
                }
                vrrp_instance VI_1 {
                    interface lo
                    virtual_router_id 51
                    track_script {
                        chk
                    }
                }
                """.formatted(script, testUser));
        var tracked = VrrpMapping.map(c).instances().getFirst().trackScripts();
        assertThat(tracked).hasSize(1);
        assertThat(execute(tracked.getFirst().command(), "check")).isEqualTo(testUid + " " + testGid + " " + testGid
                + " |checking|");
    }

    @Test
    void whatTheWriterEmitsRunsAsTheSameUsers() throws Exception {
        var script = script(bin, "notify.sh", "rwxr-xr-x");
        var c = config("global_defs {\n    enable_script_security\n}\n",
                "notify_master \"" + script + " arg1\" nobody\n    notify_backup " + script + " " + testUser + " nogroup");
        var written = ConfigWriter.write(c);
        assertThat(written).contains("notify_master \"" + script + " arg1\" nobody\n")
                .contains("notify_backup " + script + " " + testUser + " nogroup\n");
        var again = parse(written);
        assertThat(again).isEqualTo(c);
        assertThat(runMaster(again, "notify")).isEqualTo("65534 65534 65534 |arg1|");
        var backup = VrrpMapping.map(again).instances().getFirst().notifyCommands().backup();
        assertThat(execute(backup, "notify")).isEqualTo(testUid + " 65534 65534 |");
    }

    // ---- whether it runs (enable_script_security)

    @Test
    void aWorldWritableScriptRunAsRootIsDisabledUnderScriptSecurity() throws Exception {
        var script = script(bin, "notify.sh", "rwxrwxrwx");
        var c = config("global_defs {\n    enable_script_security\n}\n", "notify_master " + script + " root");
        assertThat(VrrpMapping.map(c).instances().getFirst().notifyCommands().master()).isEmpty();
    }

    @Test
    void aScriptInAWorldWritableDirectoryIsDisabledUnderScriptSecurity() throws Exception {
        var open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        var script = script(open, "notify.sh", "rwxr-xr-x");
        var c = config("global_defs {\n    enable_script_security\n}\n", "notify_master " + script + " root");
        assertThat(VrrpMapping.map(c).instances().getFirst().notifyCommands().master()).isEmpty();
    }

    @Test
    void aTrackedScriptThatIsUnsafeIsTakenOffTheInstance() throws Exception {
        var script = script(bin, "check.sh", "rwxrwxrwx");
        var c = parse("""
                global_defs {
                    enable_script_security
                }
                vrrp_script chk {
                    script "%s"
                    user root
                }
                vrrp_instance VI_1 {
                    interface lo
                    virtual_router_id 51
                    track_script {
                        chk
                    }
                }
                """.formatted(script));
        assertThat(VrrpMapping.map(c).instances().getFirst().trackScripts()).isEmpty();
    }

    @Test
    void aStickyWorldWritableDirectoryOwnedByRootIsAccepted() throws Exception {
        var sticky = Files.createDirectory(dir.resolve("sticky"));
        chmod("1777", sticky);
        var script = script(sticky, "notify.sh", "rwxr-xr-x");
        var c = config("global_defs {\n    enable_script_security\n}\n", "notify_master " + script + " root");
        assertThat(runMaster(c, "notify")).startsWith("0 0 ");
    }

    @Test
    void aScriptNotOwnedByRootIsUnsafeForRootButFineForItsOwnUser() throws Exception {
        var script = script(bin, "notify.sh", "rwxr-xr-x");
        run("chown", testUser, script.toString());
        var asRoot = config("global_defs {\n    enable_script_security\n}\n", "notify_master " + script + " root");
        assertThat(VrrpMapping.map(asRoot).instances().getFirst().notifyCommands().master()).isEmpty();
        // keepalived checks the path only for scripts that run as root (uid or gid 0)
        var asUser = config("global_defs {\n    enable_script_security\n}\n",
                "notify_master " + script + " " + testUser + " nogroup");
        assertThat(runMaster(asUser, "notify")).isEqualTo(testUid + " 65534 65534 |");
    }

    @Test
    void withoutScriptSecurityAnUnsafeScriptStillRuns() throws Exception {
        var script = script(bin, "notify.sh", "rwxrwxrwx");
        var c = config("", "notify_master " + script + " root");
        assertThat(runMaster(c, "notify")).startsWith("0 0 ");
    }

    @Test
    void underScriptSecurityAScriptWithoutUserNeedsScriptUserOrKeepalivedScript() throws Exception {
        var script = script(bin, "notify.sh", "rwxr-xr-x");
        var c = config("global_defs {\n    enable_script_security\n}\n", "notify_master " + script);
        assertThat(VrrpMapping.map(c).instances().getFirst().notifyCommands().master()).isEmpty();
    }

    @Test
    void aMiscCheckRunsAsItsUserAndAnUnsafeOneIsTakenOffItsRealServer() throws Exception {
        var script = script(bin, "misc.sh", "rwxr-xr-x");
        var unsafe = script(bin, "unsafe.sh", "rwxrwxrwx");
        var c = parse("""
                global_defs {
                    enable_script_security
                }
                virtual_server 192.0.2.1 80 {
                    protocol TCP
                    real_server 192.0.2.2 80 {
                        MISC_CHECK {
                            misc_path "%s probe"
                            user %s nogroup
                        }
                    }
                    real_server 192.0.2.3 80 {
                        MISC_CHECK {
                            misc_path %s
                            user root
                        }
                    }
                }
                """.formatted(script, testUser, unsafe));
        var plan = dev.pharos.agent.check.CheckPlan.from(c).secured(VrrpMapping.policy(c));
        assertThat(plan.realServers().get(1).checks()).as("the unsafe MISC_CHECK is removed").isEmpty();
        var misc = (dev.pharos.agent.check.CheckSpec.MiscCheck) plan.realServers().getFirst().checks().getFirst();
        assertThat(new dev.pharos.agent.check.MiscProbe(misc).attempt()).isEqualTo(dev.pharos.agent.check.ProbeResult.up());
        assertThat(Files.readString(out.resolve("misc"))).isEqualTo(testUid + " 65534 65534 |probe|");
    }

    // ---- keepalived itself

    /// Real keepalived runs what Pharos writes as the same users, with the group as the only
    /// supplementary group: the written form means to keepalived what it means to Pharos.
    @Test
    void keepalivedRunsTheWrittenNotifyLinesAsTheSameUsers() throws Exception {
        assumeTrue(dev.pharos.testing.Netns.available() && dev.pharos.testing.Keepalived.installed(),
                "needs network namespaces and keepalived");
        var master = script(bin, "master.sh", "rwxr-xr-x");
        var generic = script(bin, "generic.sh", "rwxr-xr-x");
        var model = parse("""
                global_defs {
                    enable_script_security
                }
                vrrp_instance VI_1 {
                    state MASTER
                    interface ens33
                    virtual_router_id 71
                    priority 150
                    advert_int 1
                    virtual_ipaddress {
                        192.0.2.71/32
                    }
                    notify_master "%s arg1 'two words'" %s nogroup
                    notify %s nobody
                }
                """.formatted(master, testUser, generic));
        var written = ConfigWriter.write(model);
        try (var net = dev.pharos.testing.Netns.create()) {
            var host = net.hostWithInterface("k", "ens33", "192.0.2.70/24");
            try (var keepalived = dev.pharos.testing.Keepalived.start(host, dir.resolve("k"), "k", written)) {
                assertThat(dev.pharos.testing.Netns.await(Duration.ofSeconds(20), () -> Files.exists(out.resolve("master"))
                        && Files.exists(out.resolve("generic")))).as(keepalived.log()).isTrue();
                assertThat(dev.pharos.testing.Netns.await(Duration.ofSeconds(10),
                        () -> read(out.resolve("generic")).equals("65534 65534 65534 |INSTANCE|VI_1|MASTER|150|")))
                        .as(read(out.resolve("generic")) + "\n" + keepalived.log()).isTrue();
            }
        }
        var byKeepalived = Files.readString(out.resolve("master"));
        assertThat(byKeepalived).isEqualTo(testUid + " 65534 65534 |arg1|two words|");
        // and Pharos, from the same written text
        assertThat(runMaster(parse(written), "master")).isEqualTo(byKeepalived);
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "";
        }
    }

    // ---- helpers

    /// A script that writes `uid gid groups | args` (each argument followed by `|`) to out/NAME.
    private Path script(Path where, String name, String mode) throws IOException {
        var s = where.resolve(name);
        var target = out.resolve(name.replace(".sh", ""));
        Files.writeString(s, "#!/bin/sh\nf=" + target + "\nprintf '%s %s %s |' \"$(id -u)\" \"$(id -g)\" \"$(id -G)\" > $f\n"
                + "for a in \"$@\"; do printf '%s|' \"$a\" >> $f; done\n");
        Files.setPosixFilePermissions(s, PosixFilePermissions.fromString(mode));
        return s;
    }

    private static KeepalivedConfig config(String globals, String notifyLines) throws Exception {
        return parse(globals + """
                vrrp_instance VI_1 {
                    interface lo
                    virtual_router_id 51
                    %s
                }
                """.formatted(notifyLines));
    }

    private static KeepalivedConfig parse(String text) throws Exception {
        return ConfigLoader.parse(Path.of("scripts.conf"), text, "").config();
    }

    private String runMaster(KeepalivedConfig c, String outName) throws Exception {
        var master = VrrpMapping.map(c).instances().getFirst().notifyCommands().master();
        assertThat(master).as("notify_master is disabled").isNotEmpty();
        return execute(master, outName);
    }

    /// Runs `argv` as the agent would and returns what the script wrote ("" when it wrote nothing).
    private String execute(List<String> argv, String outName) throws Exception {
        var target = out.resolve(outName);
        Files.deleteIfExists(target);
        var result = new ScriptRunner(1).run(argv, Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS);
        assertThat(result.problem()).as("running " + argv).isEmpty();
        return Files.exists(target) ? Files.readString(target) : "";
    }

    /// PosixFilePermissions has no sticky bit.
    private static void chmod(String mode, Path p) throws Exception {
        assertThat(run("chmod", mode, p.toString()).exit).isZero();
    }

    private record Ran(int exit, String output) {
    }

    private static Ran run(String... command) throws Exception {
        var p = new ProcessBuilder(command).redirectErrorStream(true).start();
        var output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Ran(-1, "timed out");
        }
        return new Ran(p.exitValue(), output);
    }
}
