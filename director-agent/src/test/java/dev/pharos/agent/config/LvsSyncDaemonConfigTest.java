package dev.pharos.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/// `lvs_sync_daemon` in `global_defs`, read as keepalived 2.2.7's `lvs_syncd_handler` reads it,
/// checked against the instances, and written back.
class LvsSyncDaemonConfigTest {

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

    private static LoadedConfig load(String syncLine) throws ConfigException {
        return ConfigLoader.parse(Path.of("t.conf"), "global_defs {\n    " + syncLine + "\n}\n" + INSTANCE);
    }

    private static List<String> errors(String syncLine) {
        var e = catchThrowableOfType(ConfigException.class, () -> load(syncLine));
        assertThat(e).as("the configuration must be refused").isNotNull();
        return e.errors().stream().map(Diagnostic::toString).toList();
    }

    @Test
    void everyOption() throws Exception {
        var s = load("lvs_sync_daemon eth0 VI_1 id 7 maxlen 1400 port 8849 ttl 2 group 239.1.2.3").config().globalDefs()
                .lvsSyncDaemon();
        assertThat(s).isEqualTo(new LvsSyncDaemon("eth0", "VI_1", 7, 1400, 8849, 2,
                InetAddress.getByName("239.1.2.3")));
        assertThat(s.effectiveSyncId(90)).isEqualTo(7);
    }

    @Test
    void theSyncIdDefaultsToTheInstancesVrid() throws Exception {
        var s = load("lvs_sync_daemon eth0 inst VI_1").config().globalDefs().lvsSyncDaemon();
        assertThat(s).isEqualTo(new LvsSyncDaemon("eth0", "VI_1", null, null, null, null, null));
        assertThat(s.effectiveSyncId(90)).isEqualTo(90);
        assertThat(new LvsSyncDaemon("eth0", null, null, null, null, null, null).effectiveSyncId(null)).isZero();
    }

    @Test
    void theOlderFormWithABareSyncIdIsReadWithAWarning() throws Exception {
        var loaded = load("lvs_sync_daemon eth0 VI_1 5");
        assertThat(loaded.config().globalDefs().lvsSyncDaemon().syncId()).isEqualTo(5);
        assertThat(loaded.warnings()).anyMatch(w -> w.message().contains("write the sync id as 'id 5'"));
        assertThat(loaded.warnings()).noneMatch(w -> w.message().contains("does not implement"));
    }

    @Test
    void theFirstOneWins() throws Exception {
        var loaded = ConfigLoader.parse(Path.of("t.conf"), "global_defs {\n    lvs_sync_daemon eth0 VI_1\n"
                + "    lvs_sync_daemon eth1 VI_1\n}\n" + INSTANCE);
        assertThat(loaded.config().globalDefs().lvsSyncDaemon().interfaceName()).isEqualTo("eth0");
        assertThat(loaded.warnings()).anyMatch(w -> w.message().contains("keepalived keeps the first one"));
    }

    @Test
    void writtenBackAsRead() throws Exception {
        var config = load("lvs_sync_daemon eth0 VI_1 id 7 ttl 2 group 239.1.2.3").config();
        var text = ConfigWriter.write(config);
        assertThat(text).contains("lvs_sync_daemon eth0 inst VI_1 id 7 ttl 2 group 239.1.2.3");
        assertThat(ConfigLoader.parse(Path.of("t.conf"), text).config()).isEqualTo(config);
    }

    @Test
    void throughJsonAndBack() throws Exception {
        var config = load("lvs_sync_daemon eth0 VI_1 id 7 maxlen 1400 port 8849 ttl 2 group ff02::81").config();
        assertThat(ConfigJson.fromJson(ConfigJson.toJson(config), Path.of("t.json"))).isEqualTo(config);
    }

    @Test
    void anUndefinedInstance() {
        assertThat(errors("lvs_sync_daemon eth0 VI_9")).anyMatch(e -> e.contains(
                "lvs_sync_daemon names VRRP instance VI_9, which is not defined"));
    }

    @Test
    void noInterface() {
        assertThat(errors("lvs_sync_daemon")).containsExactly(
                "t.conf:2:5: error: lvs_sync_daemon needs an interface: lvs_sync_daemon INTERFACE VRRP_INSTANCE");
    }

    @Test
    void anInterfaceNameTooLong() {
        assertThat(errors("lvs_sync_daemon eth0123456789abcd VI_1")).containsExactly(
                "t.conf:2:21: error: lvs_sync_daemon: interface name 'eth0123456789abcd' is longer than 15 characters");
    }

    @Test
    void valuesOutOfRange() {
        assertThat(errors("lvs_sync_daemon eth0 VI_1 id 256")).containsExactly(
                "t.conf:2:34: error: lvs_sync_daemon id 256 is outside 0–255");
        assertThat(errors("lvs_sync_daemon eth0 VI_1 maxlen 65508")).containsExactly(
                "t.conf:2:38: error: lvs_sync_daemon maxlen 65508 is outside 1–65507");
        assertThat(errors("lvs_sync_daemon eth0 VI_1 port 0")).containsExactly(
                "t.conf:2:36: error: lvs_sync_daemon port 0 is outside 1–65535");
        assertThat(errors("lvs_sync_daemon eth0 VI_1 ttl 0")).containsExactly(
                "t.conf:2:35: error: lvs_sync_daemon ttl 0 is outside 1–255");
    }

    @Test
    void aGroupThatIsNotMulticast() {
        assertThat(errors("lvs_sync_daemon eth0 VI_1 group 192.0.2.1")).containsExactly(
                "t.conf:2:37: error: lvs_sync_daemon group 192.0.2.1 is not a multicast address");
    }

    @Test
    void aMissingValue() {
        assertThat(errors("lvs_sync_daemon eth0 VI_1 ttl")).containsExactly(
                "t.conf:2:31: error: lvs_sync_daemon: no value after 'ttl'");
    }

    @Test
    void anUnknownOption() {
        assertThat(errors("lvs_sync_daemon eth0 VI_1 5 mtu 9000")).contains(
                "t.conf:2:33: error: lvs_sync_daemon: unknown option 'mtu' (inst, id, maxlen, port, ttl or group)");
    }
}
