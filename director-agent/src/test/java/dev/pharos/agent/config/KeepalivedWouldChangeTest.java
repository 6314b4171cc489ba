package dev.pharos.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/// What keepalived 2.2.7 runs otherwise than the file says (it logs the change and `keepalived -t`
/// exits 5): `check-config` refuses it, and so every edit, whose file is checked the same way.
/// Each case was found by HostileEditsFuzzTest against real `keepalived -t`.
class KeepalivedWouldChangeTest {

    private static List<String> errors(String text) {
        var e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(Path.of("t.conf"), text, ""));
        assertThat(e).as("the configuration must be refused").isNotNull();
        return e.errors().stream().map(Diagnostic::toString).toList();
    }

    private static void accepted(String text) throws ConfigException {
        ConfigLoader.parse(Path.of("t.conf"), text, "");
    }

    private static String service(String head, String body) {
        return "virtual_server " + head + " {\n    lb_algo rr\n" + body + "}\n";
    }

    @Test
    void persistenceBeyondThirtyOneDays() throws ConfigException {
        assertThat(errors(service("192.0.2.1 80", "    persistence_timeout 2678401\n"
                + "    real_server 198.51.100.1 80 {\n    }\n")))
                .containsExactly("t.conf:3:25: error: persistence_timeout 2678401 is outside 1–2678400");
        accepted(service("192.0.2.1 80", "    persistence_timeout 2678400\n    real_server 198.51.100.1 80 {\n    }\n"));
    }

    @Test
    void quorumZero() throws ConfigException {
        // The parser refuses it in a file; the rule in Validator catches it in a model built otherwise.
        assertThat(errors(service("192.0.2.1 80", "    quorum 0\n    real_server 198.51.100.1 80 {\n    }\n")))
                .containsExactly("t.conf:3:12: error: quorum 0 is outside 1–2147483647");
        var parsed = ConfigLoader.parse(Path.of("t.conf"), service("192.0.2.1 80",
                "    quorum 1\n    real_server 198.51.100.1 80 {\n    }\n"), "").config();
        var vs = parsed.virtualServers().getFirst().withSettings(null, null, null, null, 0);
        var edited = new KeepalivedConfig(parsed.globalDefs(), parsed.vrrpScripts(), parsed.syncGroups(),
                parsed.vrrpInstances(), parsed.virtualServerGroups(), List.of(vs), parsed.extras());
        assertThat(ConfigLoader.validate(edited)).extracting(Diagnostic::message)
                .containsExactly("virtual_server 192.0.2.1 80: quorum 0 is below 1 (keepalived resets it)");
        accepted(service("192.0.2.1 80", "    quorum 1\n    real_server 198.51.100.1 80 {\n    }\n"));
    }

    @Test
    void portZeroWithoutPersistence() throws ConfigException {
        assertThat(errors(service("192.0.2.1 0", "    real_server 198.51.100.1 80 {\n    }\n")))
                .containsExactly("t.conf:1:1: error: virtual_server 192.0.2.1 0: port 0 (every port) needs "
                        + "persistence_timeout, as in keepalived");
        accepted(service("192.0.2.1 0", "    persistence_timeout 60\n    real_server 198.51.100.1 80 {\n    }\n"));
    }

    @Test
    void realServerOfTheOtherFamily() throws ConfigException {
        assertThat(errors(service("192.0.2.1 80", "    real_server 2001:db8::1 80 {\n    }\n")))
                .containsExactly("t.conf:3:5: error: virtual_server 192.0.2.1 80: real_server 2001:db8::1 is IPv6 but "
                        + "the service is IPv4 (keepalived skips it)");
        // A fwmark service takes the family of its first real server, as keepalived does.
        assertThat(errors(service("fwmark 7", "    real_server 2001:db8::1 {\n    }\n"
                + "    real_server 198.51.100.1 {\n    }\n")))
                .containsExactly("t.conf:5:5: error: virtual_server fwmark 7: real_server 198.51.100.1 is IPv4 but "
                        + "the service is IPv6 (keepalived skips it)");
        accepted(service("fwmark 7", "    real_server 2001:db8::1 {\n    }\n    real_server 2001:db8::2 {\n    }\n"));
    }

    @Test
    void portOnAFwmarkServicesRealServer() throws ConfigException {
        assertThat(errors(service("fwmark 7", "    real_server 198.51.100.1 80 {\n    }\n")))
                .containsExactly("t.conf:3:5: error: virtual_server fwmark 7: real_server 198.51.100.1 has port 80, but a "
                        + "fwmark service's real servers take none (keepalived clears it)");
    }

    @Test
    void directRoutingCannotChangeThePortAndEditsDoNotTry() throws Exception {
        // A file may: Pharos's user-space balancer proxies DR, so only a warning.
        var loaded = ConfigLoader.parse(Path.of("t.conf"), service("192.0.2.1 80",
                "    lb_kind DR\n    real_server 198.51.100.1 8080 {\n    }\n"), "");
        assertThat(loaded.warnings()).extracting(Diagnostic::toString).contains("t.conf:4:5: warning: virtual_server "
                + "192.0.2.1 80: real_server 198.51.100.1 has port 8080, but lb_kind DR cannot change the port: keepalived "
                + "resets it to the service's 80 (only Pharos's user-space balancer uses 8080)");
        // An edit does not make such a pair: not by adding, nor moving, nor changing the kind.
        var c = ConfigLoader.parse(Path.of("t.conf"), service("192.0.2.1 80", "    lb_kind TUN\n"
                + "    real_server 198.51.100.1 80 {\n    }\n") + service("192.0.2.2 81", "    lb_kind NAT\n"
                + "    real_server 198.51.100.2 8081 {\n    }\n"), "").config();
        var address = java.net.InetAddress.getByName("198.51.100.3");
        assertThat(catchThrowableOfType(ConfigEdits.EditException.class, () -> ConfigEdits.addRealServer(c,
                "udp/192.0.2.1:80", address, 8080, null, false))).hasMessage("real server 198.51.100.3 port 8080: "
                + "lb_kind TUN cannot change the port, so it must be udp/192.0.2.1:80's 80 (keepalived resets another)");
        assertThat(ConfigEdits.addRealServer(c, "udp/192.0.2.1:80", address, null, null, false).config()
                .virtualServers().getFirst().realServers()).hasSize(2);
        assertThat(catchThrowableOfType(ConfigEdits.EditException.class, () -> ConfigEdits.moveRealServer(c,
                "udp/192.0.2.2:81", "198.51.100.2:8081", "udp/192.0.2.1:80", null))).isNotNull();
        assertThat(ConfigEdits.moveRealServer(c, "udp/192.0.2.2:81", "198.51.100.2:8081", "udp/192.0.2.1:80", 80)
                .config().virtualServers().getFirst().realServers()).hasSize(2);
        assertThat(catchThrowableOfType(ConfigEdits.EditException.class, () -> ConfigEdits.updateVirtualServer(c,
                "udp/192.0.2.2:81", null, VirtualServerDef.LbKind.DR, null, null, null))).isNotNull();
    }

    @Test
    void aLineLongerThanKeepalivedReads() throws ConfigException {
        // " router_id " is 11 characters: 1012 more make the longest line keepalived reads whole.
        accepted("global_defs {\n router_id " + "a".repeat(1012) + "\n}\n");
        assertThat(errors("global_defs {\n router_id " + "a".repeat(1013) + "\n}\n"))
                .containsExactly("t.conf:2:1024: error: line of 1024 characters: keepalived reads 1023 and takes the "
                        + "rest for a new line; shorten it");
    }
}
