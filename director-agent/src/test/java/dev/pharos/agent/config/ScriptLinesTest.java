package dev.pharos.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/// How the parser keeps script lines: keepalived's values (command, user, group) for notify
/// lines, only the first value for `script` and `misc_path`, with a warning wherever keepalived
/// silently drops something.
class ScriptLinesTest {

    private static LoadedConfig load(String text) throws ConfigException {
        return ConfigLoader.parse(Path.of("s.conf"), text);
    }

    private static String instance(String lines) {
        return "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 1\n" + lines + "\n}\n";
    }

    @Test
    void notifyLinesKeepTheCommandUserAndGroupInTheFormKeepalivedReads() throws ConfigException {
        var i = load(instance("""
                notify_master "/x/n.sh a 'b c'" nobody nogroup
                notify_backup '/x/n.sh a' nobody
                notify_fault /x/n.sh nobody
                notify_stop "/x/n.sh"
                """)).config().vrrpInstances().getFirst();
        assertThat(i.notifyMaster()).isEqualTo("\"/x/n.sh a 'b c'\" nobody nogroup");
        assertThat(i.notifyBackup()).isEqualTo("\"/x/n.sh a\" nobody");
        assertThat(i.notifyFault()).isEqualTo("/x/n.sh nobody");
        assertThat(i.notifyStop()).isEqualTo("/x/n.sh");
        assertThat(ScriptLine.parse(i.notifyBackup())).isEqualTo(
                new ScriptLine(java.util.List.of("/x/n.sh", "a"), "nobody", null));
    }

    @Test
    void valuesAfterTheGroupAreWarnedAboutAndDropped() throws ConfigException {
        var loaded = load(instance("notify_master /x/n.sh nobody nogroup extra"));
        assertThat(loaded.config().vrrpInstances().getFirst().notifyMaster()).isEqualTo("/x/n.sh nobody nogroup");
        assertThat(loaded.warnings()).extracting(Diagnostic::toString).anySatisfy(w -> assertThat(w)
                .contains("notify_master: keepalived reads a command, a user and a group; extra is ignored"));
    }

    @Test
    void scriptAndMiscPathRunOnlyTheirFirstValueAsInKeepalived() throws ConfigException {
        var loaded = load("vrrp_script chk {\n    script /bin/pgrep -x nginx\n    user nobody nogroup\n}\n");
        var s = loaded.config().vrrpScripts().getFirst();
        assertThat(s.script()).isEqualTo("/bin/pgrep");
        assertThat(s.user()).isEqualTo("nobody nogroup");
        assertThat(loaded.warnings()).extracting(Diagnostic::toString).anySatisfy(w -> assertThat(w)
                .contains("script: keepalived runs only '/bin/pgrep' and ignores -x nginx")
                .contains("script \"/bin/pgrep -x nginx\""));
    }

    @Test
    void enableScriptSecurityIsOnWhateverFollowsAsInKeepalived() throws ConfigException {
        var loaded = load("global_defs {\n    enable_script_security false\n}\n");
        assertThat(loaded.config().globalDefs().enableScriptSecurity()).isTrue();
        assertThat(loaded.warnings()).extracting(Diagnostic::toString)
                .anySatisfy(w -> assertThat(w).contains("enable_script_security takes no value"));
        assertThat(ConfigWriter.write(loaded.config())).contains("    enable_script_security\n");
    }

    @Test
    void anUnterminatedSingleQuoteIsAnErrorNamingTheKeyword() {
        try {
            load(instance("notify_master '/x/n.sh a"));
            throw new AssertionError("accepted");
        } catch (ConfigException e) {
            assertThat(e.getMessage()).contains("notify_master").contains("missing a terminating '");
        }
    }

    @Test
    void escapesOutsideQuotesSurviveTheWriterAsOctal() throws ConfigException {
        var c = load(instance("notify_master /x/n.sh\\ta\\041 nobody")).config();
        var line = c.vrrpInstances().getFirst().notifyMaster();
        assertThat(ScriptLine.parse(line)).isEqualTo(new ScriptLine(java.util.List.of("/x/n.sh", "a!"), "nobody", null));
        var written = ConfigWriter.write(c);
        assertThat(written).contains("notify_master /x/n.sh\\011a\\041 nobody\n");
        assertThat(ConfigLoader.parse(Path.of("w.conf"), written).config()).isEqualTo(c);
    }
}
