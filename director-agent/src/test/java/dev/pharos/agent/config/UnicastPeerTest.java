package dev.pharos.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/// `unicast_peer` lines as keepalived 2.2.7 reads them (vrrp_data.c `alloc_vrrp_unicast_peer`):
/// the address, then `min_ttl`/`max_ttl` pairs, kept on rewrite.
class UnicastPeerTest {

    private static String instance(String peers) {
        return "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 1\n    unicast_peer {\n" + peers
                + "    }\n    virtual_ipaddress {\n        192.0.2.10/24\n    }\n}\n";
    }

    private static List<String> diagnostics(String text) {
        try {
            return ConfigLoader.parse(Path.of("t.conf"), text, "").warnings().stream().map(Diagnostic::toString).toList();
        } catch (ConfigException e) {
            return e.diagnostics().stream().map(Diagnostic::toString).toList();
        }
    }

    @Test
    void ttlBoundsAreReadAndWrittenBack() throws Exception {
        var text = instance("        192.0.2.2 min_ttl 250 max_ttl 255\n        192.0.2.3 max_ttl 64\n        192.0.2.4\n");
        var config = ConfigLoader.parse(Path.of("t.conf"), text, "").config();
        assertThat(config.vrrpInstances().getFirst().unicastPeers()).containsExactly(
                new VrrpInstanceDef.UnicastPeer(InetAddress.ofLiteral("192.0.2.2"), 250, 255),
                new VrrpInstanceDef.UnicastPeer(InetAddress.ofLiteral("192.0.2.3"), null, 64),
                new VrrpInstanceDef.UnicastPeer(InetAddress.ofLiteral("192.0.2.4"), null, null));
        var written = ConfigWriter.write(config);
        assertThat(written).contains("192.0.2.2 min_ttl 250 max_ttl 255\n", "192.0.2.3 max_ttl 64\n", "192.0.2.4\n");
        assertThat(ConfigLoader.parse(Path.of("t.conf"), written, "").config()).isEqualTo(config);
        assertThat(diagnostics(text)).containsExactly(
                "t.conf:5:9: warning: unicast_peer min_ttl/max_ttl in vrrp_instance VI_1 is kept but has no effect:"
                        + " Pharos does not check the TTL of received adverts yet",
                "t.conf:6:9: warning: unicast_peer min_ttl/max_ttl in vrrp_instance VI_1 is kept but has no effect:"
                        + " Pharos does not check the TTL of received adverts yet");
    }

    @Test
    void whatKeepalivedReportsIsRefused() {
        assertThat(diagnostics(instance("        192.0.2.2 ttl 64\n"))).contains("t.conf:5:19: error: unknown"
                + " unicast_peer option 'ttl': keepalived 2.2.7 reads min_ttl and max_ttl");
        assertThat(diagnostics(instance("        192.0.2.2 min_ttl\n"))).contains("t.conf:5:19: error: unicast_peer"
                + " option min_ttl is missing a value");
        assertThat(diagnostics(instance("        192.0.2.2 max_ttl 256\n"))).contains("t.conf:5:27: error: max_ttl 256"
                + " is outside 0–255");
        assertThat(diagnostics(instance("        192.0.2.2 min_ttl 100 max_ttl 50\n"))).contains("t.conf:5:9: error:"
                + " unicast_peer in vrrp_instance VI_1: min_ttl 100 is above max_ttl 50, so every advert would be"
                + " discarded");
    }
}
