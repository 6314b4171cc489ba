package dev.pharos.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.config.ConfigException;
import dev.pharos.agent.config.ConfigLoader;
import dev.pharos.agent.config.Diagnostic;
import dev.pharos.agent.vrrp.VrrpSettings.MasterAnswers;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/// `lower_prio_no_advert` and `higher_prio_send_advert` from the file to the engine's settings, as
/// keepalived 2.2.7's `vrrp_complete_instance` resolves them: the instance's line, else strict
/// mode's value, else `global_defs`'s `vrrp_*` default, else off; strict mode resets a contrary
/// instance line with a warning at it.
class AdvertAnswersMappingTest {

    private static String file(String global, String body) {
        return "global_defs {\n" + global + "}\nvrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 1\n"
                + "    virtual_ipaddress {\n        192.0.2.100/24\n    }\n" + body + "}\n";
    }

    private static MasterAnswers answers(String global, String body) throws ConfigException {
        var loaded = ConfigLoader.parse(Path.of("t.conf"), file(global, body), "");
        return VrrpMapping.map(loaded.config()).instances().getFirst().answers();
    }

    private static List<String> warnings(String global, String body) throws ConfigException {
        return ConfigLoader.parse(Path.of("t.conf"), file(global, body), "").warnings().stream()
                .map(Diagnostic::toString).toList();
    }

    @Test
    void keepalivedsDefaultsAnswerALowerPriorityAndStepDownSilently() throws Exception {
        assertThat(answers("", "")).isEqualTo(new MasterAnswers(false, false));
        assertThat(warnings("", "    lower_prio_no_advert\n")).noneMatch(w -> w.contains("does not implement"));
    }

    @Test
    void theInstanceLineWinsOverGlobalDefsAndTheLastLineWins() throws Exception {
        assertThat(answers("    vrrp_lower_prio_no_advert\n    vrrp_higher_prio_send_advert true\n", ""))
                .isEqualTo(new MasterAnswers(true, true));
        assertThat(answers("    vrrp_lower_prio_no_advert\n", "    lower_prio_no_advert off\n"))
                .isEqualTo(new MasterAnswers(false, false));
        assertThat(answers("", "    higher_prio_send_advert\n    higher_prio_send_advert no\n    lower_prio_no_advert yes\n"))
                .isEqualTo(new MasterAnswers(true, false));
    }

    @Test
    void strictModeDiscardsLowerAdvertsAndResetsAContraryLineWithAWarning() throws Exception {
        assertThat(answers("    vrrp_strict\n    vrrp_higher_prio_send_advert\n", ""))
                .isEqualTo(new MasterAnswers(true, false));
        var body = "    strict_mode\n    lower_prio_no_advert false\n    higher_prio_send_advert\n";
        assertThat(answers("", body)).isEqualTo(new MasterAnswers(true, false));
        assertThat(warnings("", body))
                .anyMatch(w -> w.startsWith("t.conf:10:5: warning: vrrp_instance VI_1: strict mode")
                        && w.contains("requires lower_prio_no_advert"))
                .anyMatch(w -> w.startsWith("t.conf:11:5: warning: vrrp_instance VI_1: strict mode")
                        && w.contains("requires higher_prio_send_advert off"));
        assertThat(answers("", "    strict_mode off\n    higher_prio_send_advert\n")).isEqualTo(new MasterAnswers(false, true));
    }
}
