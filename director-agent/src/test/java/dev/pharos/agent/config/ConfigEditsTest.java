package dev.pharos.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/// The operator's edits on the seed's lvs-master configuration.
class ConfigEditsTest {

    static final Path SEED = Path.of("src/test/resources/config/seed/lvs-master.conf");

    private static KeepalivedConfig seed() throws Exception {
        return ConfigLoader.load(SEED, "").config();
    }

    @Test
    void idsFollowTheProtocolAndAddress() throws Exception {
        var c = seed();
        assertThat(c.virtualServers()).extracting(VirtualServerDef::id)
                .containsExactly("tcp/172.17.250.11:80", "tcp/172.17.250.12:443");
        assertThat(c.virtualServers().getFirst().realServers()).extracting(RealServerDef::id)
                .containsExactly("172.17.0.66:80", "172.17.250.41:80");
    }

    @Test
    void addCopiesTheSiblingsChecksAndValidates() throws Exception {
        var e = ConfigEdits.addRealServer(seed(), "tcp/172.17.250.11:80", InetAddress.getByName("198.51.100.7"), null,
                3, true);
        var vs = e.config().virtualServers().getFirst();
        var added = vs.realServers().getLast();
        assertThat(added.id()).isEqualTo("198.51.100.7:80");
        assertThat(added.weight()).isEqualTo(3);
        assertThat(added.checkers()).isEqualTo(vs.realServers().getFirst().checkers());
        assertThat(ConfigLoader.validate(e.config())).noneMatch(Diagnostic::isError);
        assertThat(e.changes()).singleElement().asString().contains("1 check(s)");
        // and the written form parses back to the same model
        var text = ConfigWriter.write(e.config());
        assertThat(ConfigLoader.parse(Path.of("x.conf"), text, "").config()).isEqualTo(e.config());
    }

    @Test
    void duplicatesAndUnknownNamesAreRefused() throws Exception {
        var c = seed();
        assertThatThrownBy(() -> ConfigEdits.addRealServer(c, "tcp/172.17.250.11:80",
                InetAddress.getByName("172.17.0.66"), 80, 1, false))
                .isInstanceOfSatisfying(ConfigEdits.EditException.class, e -> {
                    assertThat(e.notFound()).isFalse();
                    assertThat(e.getMessage()).contains("already in");
                });
        assertThatThrownBy(() -> ConfigEdits.removeRealServer(c, "tcp/192.0.2.1:80", "172.17.0.66:80"))
                .isInstanceOfSatisfying(ConfigEdits.EditException.class, e -> {
                    assertThat(e.notFound()).isTrue();
                    assertThat(e.getMessage()).contains("there are: tcp/172.17.250.11:80, tcp/172.17.250.12:443");
                });
        assertThatThrownBy(() -> ConfigEdits.updateRealServer(c, "tcp/172.17.250.11:80", "172.17.0.66:80", 70000, null))
                .hasMessageContaining("outside 0–65535");
    }

    @Test
    void moveKeepsWeightAndChecksAndMayChangeThePort() throws Exception {
        var weighed = ConfigEdits.updateRealServer(seed(), "tcp/172.17.250.11:80", "172.17.0.66:80", 5, true).config();
        // The seed's services are lb_kind DR, where a real server keeps the service's port
        // (keepalived resets another): the port changes into a NAT service.
        var c = ConfigEdits.updateVirtualServer(weighed, "tcp/172.17.250.12:443", null, VirtualServerDef.LbKind.NAT,
                null, null, null).config();
        var e = ConfigEdits.moveRealServer(c, "tcp/172.17.250.11:80", "172.17.0.66:80", "tcp/172.17.250.12:443", 8443);
        var from = e.config().virtualServers().get(0);
        var to = e.config().virtualServers().get(1);
        assertThat(from.realServers()).extracting(RealServerDef::id).containsExactly("172.17.250.41:80");
        var moved = to.realServers().getLast();
        assertThat(moved.id()).isEqualTo("172.17.0.66:8443");
        assertThat(moved.weight()).isEqualTo(5);
        assertThat(moved.inhibitOnFailure()).isTrue();
        assertThat(moved.checkers()).hasSize(1);
        assertThat(e.changes()).singleElement().asString().contains("as 172.17.0.66:8443");
    }

    @Test
    void drainIsWeightZeroAndSaysSo() throws Exception {
        var e = ConfigEdits.updateRealServer(seed(), "tcp/172.17.250.11:80", "172.17.250.41:80", 0, null);
        assertThat(e.config().virtualServers().getFirst().realServers().get(1).weight()).isZero();
        assertThat(e.changes()).containsExactly("weight of 172.17.250.41:80 in tcp/172.17.250.11:80: 1 → 0 (draining)");
        var same = ConfigEdits.updateRealServer(e.config(), "tcp/172.17.250.11:80", "172.17.250.41:80", 0, null);
        assertThat(same.changes()).isEmpty();
    }

    @Test
    void virtualServersComeAndGo() throws Exception {
        var added = ConfigEdits.addVirtualServer(seed(), new VirtualServerDef.Key.Address(
                InetAddress.getByName("192.0.2.50"), 53), VirtualServerDef.Protocol.UDP, "sh", null, null,
                Duration.ofSeconds(10));
        assertThat(added.config().virtualServers().getLast().id()).isEqualTo("udp/192.0.2.50:53");
        assertThat(ConfigLoader.validate(added.config())).noneMatch(Diagnostic::isError);
        var updated = ConfigEdits.updateVirtualServer(added.config(), "udp/192.0.2.50:53", "RR", null,
                Duration.ofSeconds(300), null, 2);
        assertThat(updated.changes()).containsExactly("scheduler of udp/192.0.2.50:53: sh → rr",
                "persistence_timeout of udp/192.0.2.50:53: none → 300s", "quorum of udp/192.0.2.50:53: 1 → 2");
        var removed = ConfigEdits.removeVirtualServer(updated.config(), "udp/192.0.2.50:53");
        assertThat(removed.config().virtualServers()).hasSize(2);
        assertThat(ConfigDiff.describe(seed(), removed.config())).isEmpty();
        assertThat(ConfigDiff.describe(seed(), updated.config())).containsExactly("added virtual server udp/192.0.2.50:53");
    }

    @Test
    void aMissingProtocolIsUdpAsInKeepalived() throws Exception {
        var c = ConfigLoader.parse(Path.of("x.conf"), "virtual_server 192.0.2.1 53 {\n}\n", "").config();
        assertThat(c.virtualServers().getFirst().id()).isEqualTo("udp/192.0.2.1:53");
    }
}
