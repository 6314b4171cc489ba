package dev.pharos.agent.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pharos.agent.config.Argv;
import dev.pharos.agent.config.ScriptLine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// The parts of the script rules that need no second user: keepalived's splitting of a notify
/// line, and the refusal when the agent cannot switch users.
class ScriptPolicyTest {

    @Test
    void aNotifyLineSplitsIntoCommandUserAndGroupAsKeepalivedReadsIt() {
        assertThat(ScriptLine.parse("\"/x/notify.sh arg 'two words'\" nobody nogroup"))
                .isEqualTo(new ScriptLine(List.of("/x/notify.sh", "arg", "two words"), "nobody", "nogroup"));
        assertThat(ScriptLine.parse("/x/notify.sh nobody")).isEqualTo(new ScriptLine(List.of("/x/notify.sh"), "nobody", null));
        // unquoted arguments are the user and group, as in keepalived
        assertThat(ScriptLine.parse("/x/notify.sh arg")).isEqualTo(new ScriptLine(List.of("/x/notify.sh"), "arg", null));
        assertThat(ScriptLine.parse("/x/notify.sh")).isEqualTo(new ScriptLine(List.of("/x/notify.sh"), null, null));
    }

    @Test
    void theSplitterFollowsKeepalivedsQuotesAndEscapes() {
        assertThat(Argv.split("a\"b c\"d 'e f' g\\ h \\x41\\101\\t")).containsExactly("ab cd", "e f", "g h", "AA\t");
        assertThat(Argv.split("  ")).isEmpty();
        assertThat(Argv.split("\"\"")).containsExactly("");
    }

    @Test
    void anUnterminatedQuoteOrTrailingBackslashIsAnError() {
        for (var bad : List.of("\"open", "'open", "end\\")) {
            try {
                Argv.split(bad);
                throw new AssertionError("accepted " + bad);
            } catch (IllegalArgumentException e) {
                assertThat(e.getMessage()).contains(bad);
            }
        }
    }

    @Test
    void anAgentWithoutCapabilitiesRefusesAScriptOfAnotherUserNamingScriptUserAndCapability(@TempDir Path dir)
            throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/getent")), "needs getent");
        var script = dir.resolve("notify.sh");
        Files.writeString(script, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        var unprivileged = new Host(4242, 4242, false, false);
        var policy = ScriptPolicy.forHost(false, null, null, unprivileged);
        var verdict = policy.notify("notify", List.of(script.toString()), "nobody", null);
        assertThat(verdict).isInstanceOf(ScriptPolicy.Disabled.class);
        assertThat(policy.messages()).anySatisfy(m -> assertThat(m).contains(script.toString()).contains("nobody")
                .contains("CAP_SETUID").contains("CAP_SETGID").contains("uid 4242"));
        // its own user needs nothing
        var own = ScriptPolicy.forHost(false, null, null, new Host(65534, 65534, false, false))
                .notify("notify", List.of(script.toString()), "nobody", null);
        assertThat(own).isEqualTo(new ScriptPolicy.Run(List.of(script.toString()), new Identity("nobody", 65534, 65534)));
    }

    @Test
    void withoutScriptSecurityScriptsDrawTheSecurityViolationLine(@TempDir Path dir) throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "the file must be root's");
        var script = dir.resolve("notify.sh");
        Files.writeString(script, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxrwxrwx"));
        var policy = ScriptPolicy.forHost(false, null, null, new Host(0, 0, true, true));
        assertThat(policy.notify("notify", List.of(script.toString()), "root", null)).isInstanceOf(ScriptPolicy.Run.class);
        policy.finish("scripts");
        assertThat(policy.messages()).contains("Unsafe permissions found for script '" + script + "'.",
                "SECURITY VIOLATION - scripts are being executed but script_security not enabled. There are insecure scripts.");
    }

    @Test
    void anUnknownUserOrGroupDropsTheScriptAsKeepalivedDoes() {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/getent")), "needs getent");
        var policy = ScriptPolicy.forHost(false, null, null, new Host(0, 0, true, true));
        assertThat(policy.notify("notify", List.of("/bin/true"), "no-such-user-here", null))
                .isInstanceOf(ScriptPolicy.Disabled.class);
        assertThat(policy.notify("notify", List.of("/bin/true"), "nobody", "no-such-group-here"))
                .isInstanceOf(ScriptPolicy.Disabled.class);
        // getent would find uid 0 by number; keepalived's getpwnam looks up names only
        assertThat(policy.notify("notify", List.of("/bin/true"), "0", null)).isInstanceOf(ScriptPolicy.Disabled.class);
        assertThat(policy.messages()).containsSubsequence("Script user 'no-such-user-here' does not exist",
                "Invalid user/group for notify script /bin/true - ignoring",
                "Script group 'no-such-group-here' does not exist",
                "Invalid user/group for notify script /bin/true - ignoring");
    }

    @Test
    void aLinkKeepsItsNameWhenItNamesTheSameFileAndTheLinksTargetIsCheckedToo(@TempDir Path dir) throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "the files must be root's");
        var script = dir.resolve("real.sh");
        Files.writeString(script, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        var alias = Files.createSymbolicLink(dir.resolve("alias.sh"), script);
        var root = new Host(0, 0, true, true);
        var policy = ScriptPolicy.forHost(true, null, null, root);
        assertThat(policy.notify("notify", List.of(alias.toString(), "x"), "root", null))
                .isEqualTo(new ScriptPolicy.Run(List.of(alias.toString(), "x"), new Identity("root", 0, 0)));

        // a safe link to a script in a directory anyone may write to is unsafe
        var open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        var hidden = open.resolve("real.sh");
        Files.copy(script, hidden);
        var link = Files.createSymbolicLink(dir.resolve("link.sh"), hidden);
        var strict = ScriptPolicy.forHost(true, null, null, root);
        assertThat(strict.notify("notify", List.of(link.toString()), "root", null)).isInstanceOf(ScriptPolicy.Disabled.class);
        assertThat(strict.messages()).contains("Unsafe permissions found for script '" + hidden + "' - disabling.");
    }

    @Test
    void aBareProgramNameIsFoundInPathAndNamedInTheLog() {
        assumeTrue("root".equals(System.getProperty("user.name")), "runs as root");
        var policy = new ScriptPolicy(false, null, null, new Host(0, 0, true, true), RunAs.setpriv(), "/nonexistent:/bin");
        var verdict = policy.notify("notify", List.of("true", "a"), "root", null);
        assertThat(verdict).isInstanceOf(ScriptPolicy.Run.class);
        assertThat(((ScriptPolicy.Run) verdict).argv().getFirst()).isIn("/bin/true", "/usr/bin/true");
        assertThat(policy.messages().getFirst()).startsWith("WARNING - script `true` resolved by path search to `/bin/true`");
        assertThat(policy.notify("notify", List.of("no-such-program-here"), "root", null))
                .isInstanceOf(ScriptPolicy.Disabled.class);
        assertThat(policy.messages()).contains("Cannot find script no-such-program-here in path - disabling");
    }
}
