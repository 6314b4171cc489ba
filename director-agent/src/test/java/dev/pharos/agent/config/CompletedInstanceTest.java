package dev.pharos.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.daemon.VrrpMapping;
import dev.pharos.agent.vrrp.InitialState;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/// What keepalived 2.2.7 changes in an instance once the whole file is read
/// (keepalived/vrrp/vrrp.c `vrrp_complete_instance`), and the global GARP intervals
/// (global_parser.c `vrrp_garp_interval_handler`, `vrrp_gna_interval_handler`).
class CompletedInstanceTest {

    private static List<String> diagnostics(String text) {
        try {
            return ConfigLoader.parse(Path.of("t.conf"), text, "").warnings().stream().map(Diagnostic::toString).toList();
        } catch (ConfigException e) {
            return e.diagnostics().stream().map(Diagnostic::toString).toList();
        }
    }

    private static KeepalivedConfig load(String text) throws ConfigException {
        return ConfigLoader.parse(Path.of("t.conf"), text, "").config();
    }

    private static String instance(String body) {
        return "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 1\n" + body
                + "    virtual_ipaddress {\n        192.0.2.10/24\n    }\n}\n";
    }

    private static final String AH = "    authentication {\n        auth_type AH\n        auth_pass 1111\n    }\n";

    private static InitialState started(String text) throws ConfigException {
        return VrrpMapping.map(load(text)).instances().getFirst().initialState();
    }

    @Test
    void aMasterWithAhAuthenticationThatIsNotTheOwnerStartsAsBackup() throws ConfigException {
        var text = instance("    state MASTER\n    priority 100\n" + AH);
        assertThat(diagnostics(text)).containsExactly("t.conf:4:5: warning: vrrp_instance VI_1 starts as BACKUP, not"
                + " MASTER: with AH authentication a MASTER that is not the address owner must hear an advert (for its"
                + " sequence number) before taking over; keepalived 2.2.7 starts it so (vrrp.c"
                + " vrrp_complete_instance), and so does Pharos");
        assertThat(started(text)).isEqualTo(InitialState.BACKUP);
    }

    @Test
    void theOwnerOrPassAuthenticationKeepsMaster() throws ConfigException {
        var owner = instance("    state MASTER\n    priority 255\n" + AH);
        assertThat(diagnostics(owner)).isEmpty();
        assertThat(started(owner)).isEqualTo(InitialState.MASTER);
        // no priority with state MASTER is keepalived's owner (255)
        assertThat(started(instance("    state MASTER\n" + AH))).isEqualTo(InitialState.MASTER);
        var pass = instance("    state MASTER\n    priority 100\n"
                + "    authentication {\n        auth_type PASS\n        auth_pass 1111\n    }\n");
        assertThat(diagnostics(pass)).isEmpty();
        assertThat(started(pass)).isEqualTo(InitialState.MASTER);
    }

    @Test
    void anUnsetPriorityIsTheOwnersForMasterAndOneHundredOtherwise() throws ConfigException {
        var master = VrrpMapping.map(load(instance("    state MASTER\n"))).instances().getFirst();
        assertThat(master.priority()).isEqualTo(255);
        var backup = VrrpMapping.map(load(instance("    state BACKUP\n"))).instances().getFirst();
        assertThat(backup.priority()).isEqualTo(100);
        assertThat(VrrpMapping.map(load(instance(""))).instances().getFirst().priority()).isEqualTo(100);
    }

    @Test
    void inStrictModeTheStateFollowsBeingTheOwner() throws ConfigException {
        var master = "global_defs {\n    vrrp_strict\n}\n" + instance("    state MASTER\n    priority 100\n");
        assertThat(diagnostics(master)).contains("t.conf:7:5: warning: vrrp_instance VI_1 starts as BACKUP, not MASTER:"
                + " in strict mode the initial state must match being the address owner (priority 255); keepalived"
                + " 2.2.7 starts it so (vrrp.c vrrp_complete_instance), and so does Pharos");
        assertThat(started(master)).isEqualTo(InitialState.BACKUP);
        var owner = instance("    strict_mode\n    state BACKUP\n    priority 255\n");
        assertThat(started(owner)).isEqualTo(InitialState.MASTER);
        var off = "global_defs {\n    vrrp_strict\n}\n" + instance("    strict_mode off\n    state MASTER\n    priority 100\n");
        assertThat(started(off)).isEqualTo(InitialState.MASTER);
    }

    @Test
    void strictModeRefusesAuthentication() {
        var text = instance("    state BACKUP\n    strict_mode on\n"
                + "    authentication {\n        auth_type PASS\n        auth_pass 1111\n    }\n");
        assertThat(diagnostics(text)).contains("t.conf:6:5: error: vrrp_instance VI_1: strict mode (vrrp_strict or"
                + " strict_mode) allows no authentication; keepalived 2.2.7 would run the instance without it: remove"
                + " the authentication block or the strict mode");
    }

    @Test
    void garpIntervalsAreMicrosecondsFromOneToUintMax() {
        var ok = "global_defs {\n    vrrp_garp_interval 0.000001\n    vrrp_gna_interval 4294.967295\n}\n"
                + instance("");
        assertThat(diagnostics(ok)).noneMatch(d -> d.contains("error"));
        var bad = "global_defs {\n    vrrp_garp_interval 0\n    vrrp_gna_interval 4294.967296\n}\n" + instance("");
        assertThat(diagnostics(bad)).contains(
                "t.conf:2:24: error: vrrp_garp_interval 0 s is outside 0.000001–4294.967295 s",
                "t.conf:3:23: error: vrrp_gna_interval 4294.967296 s is outside 0.000001–4294.967295 s");
    }
}
