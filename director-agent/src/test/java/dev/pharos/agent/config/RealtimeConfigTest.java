package dev.pharos.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/// `vrrp_rt_priority` and `vrrp_no_swap` in `global_defs`, read as keepalived 2.2.7's
/// `vrrp_rt_priority_handler` (get_realtime_priority) and `vrrp_no_swap_handler` read them, and
/// written back.
class RealtimeConfigTest {

    private static final String INSTANCE = """
            vrrp_instance VI_1 {
                interface eth0
                virtual_router_id 90
                priority 100
                virtual_ipaddress {
                    192.0.2.11
                }
            }
            """;

    private static LoadedConfig load(String lines) throws ConfigException {
        return ConfigLoader.parse(Path.of("t.conf"), "global_defs {\n    " + lines + "\n}\n" + INSTANCE);
    }

    private static List<String> errors(String lines) {
        var e = catchThrowableOfType(ConfigException.class, () -> load(lines));
        assertThat(e).as("the configuration must be refused").isNotNull();
        return e.errors().stream().map(Diagnostic::toString).toList();
    }

    @Test
    void aPriorityAndNoSwap() throws Exception {
        var loaded = load("vrrp_rt_priority 50\n    vrrp_no_swap");
        var g = loaded.config().globalDefs();
        assertThat(g.vrrpRtPriority()).isEqualTo(50);
        assertThat(g.vrrpNoSwap()).isTrue();
        assertThat(g.extras()).isEmpty();
        assertThat(loaded.warnings()).isEmpty();
    }

    @Test
    void absentMeansNormalSchedulingAndNoLock() throws Exception {
        var g = load("router_id r1").config().globalDefs();
        assertThat(g.vrrpRtPriority()).isNull();
        assertThat(g.vrrpNoSwap()).isNull();
    }

    @Test
    void aPriorityOutsideSchedRrIsBroughtIntoItWithAWarning() throws Exception {
        var low = load("vrrp_rt_priority 0");
        assertThat(low.config().globalDefs().vrrpRtPriority()).isEqualTo(1);
        assertThat(low.warnings()).extracting(Diagnostic::toString).containsExactly(
                "t.conf:2:22: warning: vrrp_rt_priority 0 is outside 1–99, the priorities of SCHED_RR: keepalived"
                        + " uses 1, and so does Pharos");
        var high = load("vrrp_rt_priority 150");
        assertThat(high.config().globalDefs().vrrpRtPriority()).isEqualTo(99);
        assertThat(high.warnings()).extracting(Diagnostic::message).anyMatch(m -> m.contains("keepalived uses 99"));
        assertThat(load("vrrp_rt_priority -7").config().globalDefs().vrrpRtPriority()).isEqualTo(1);
        assertThat(load("vrrp_rt_priority 99").warnings()).isEmpty();
        assertThat(load("vrrp_rt_priority 1").warnings()).isEmpty();
    }

    @Test
    void aPriorityMustBeAWholeNumber() {
        assertThat(errors("vrrp_rt_priority fifty")).containsExactly(
                "t.conf:2:22: error: vrrp_rt_priority must be a whole number, not 'fifty'");
        assertThat(errors("vrrp_rt_priority 5.5")).containsExactly(
                "t.conf:2:22: error: vrrp_rt_priority must be a whole number, not '5.5'");
    }

    @Test
    void aPriorityNeedsAValue() {
        assertThat(errors("vrrp_rt_priority")).containsExactly("t.conf:2:5: error: vrrp_rt_priority needs a value");
    }

    @Test
    void noSwapTakesNoValue() throws Exception {
        var loaded = load("vrrp_no_swap off");
        assertThat(loaded.config().globalDefs().vrrpNoSwap()).isTrue();
        assertThat(loaded.warnings()).extracting(Diagnostic::message).anyMatch(m -> m.contains("still turns vrrp_no_swap on"));
    }

    @Test
    void aLaterBlockReplacesThePriority() throws Exception {
        var g = ConfigLoader.parse(Path.of("t.conf"), "global_defs {\n    vrrp_rt_priority 20\n    vrrp_no_swap\n}\n"
                + "global_defs {\n    vrrp_rt_priority 30\n}\n" + INSTANCE).config().globalDefs();
        assertThat(g.vrrpRtPriority()).isEqualTo(30);
        assertThat(g.vrrpNoSwap()).isTrue();
    }

    @Test
    void writtenBackAsRead() throws Exception {
        var config = load("vrrp_rt_priority 150\n    vrrp_no_swap").config();
        var text = ConfigWriter.write(config);
        assertThat(text).contains("    vrrp_rt_priority 99\n").contains("    vrrp_no_swap\n");
        assertThat(ConfigLoader.parse(Path.of("t.conf"), text).config()).isEqualTo(config);
        assertThat(ConfigWriter.write(load("router_id r1").config())).doesNotContain("vrrp_rt_priority", "vrrp_no_swap");
    }

    @Test
    void throughJsonAndBack() throws Exception {
        var config = load("vrrp_rt_priority 40\n    vrrp_no_swap").config();
        assertThat(ConfigJson.fromJson(ConfigJson.toJson(config), Path.of("t.json"))).isEqualTo(config);
    }
}
