package dev.pharos.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/// `bfd_instance` and `track_bfd` as keepalived 2.2.7 reads them (`bfd_parser.c`,
/// `vrrp_track.c` `alloc_track_bfd`): values, defaults left null, every report, and the blocks
/// carried through a rewrite.
class BfdConfigTest {

    private static final String INSTANCE = """
            vrrp_instance VI_1 {
                interface eth0
                virtual_router_id 1
                track_bfd {
                    %s
                }
            }
            """;

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

    private static String bfd(String name, String body) {
        return "bfd_instance " + name + " {\n" + body + "}\n";
    }

    @Test
    void readsEveryKeywordWithoutWarnings() throws Exception {
        var text = bfd("B1", """
                    neighbour_ip 192.0.2.2
                    source_ip 192.0.2.1
                    min_rx 50
                    min_tx 20.5
                    idle_tx 2000
                    multiplier 3
                    passive
                    hoplimit 250
                    max_hops 2
                    weight -20 reverse
                    vrrp
                """) + INSTANCE.formatted("B1 weight 30 noreverse");
        assertThat(diagnostics(text)).isEmpty();
        var bfd = BfdConfig.of(load(text));
        assertThat(bfd.instances()).singleElement().isEqualTo(new BfdInstanceDef("B1", InetAddress.getByName("192.0.2.2"),
                InetAddress.getByName("192.0.2.1"), Duration.ofMillis(50), Duration.ofNanos(20_500_000),
                Duration.ofSeconds(2), 3, true, 250, 2, -20, true, true, false));
        assertThat(bfd.tracks()).containsOnlyKeys("VI_1");
        assertThat(bfd.tracks().get("VI_1")).containsExactly(new BfdInstanceDef.Track("B1", 30, false));
    }

    @Test
    void leavesKeepalivedsDefaultsToTheMapping() throws Exception {
        var bfd = BfdConfig.of(load(bfd("B1", "    neighbor_ip 192.0.2.2\n") + INSTANCE.formatted("B1")));
        var d = bfd.instances().getFirst();
        assertThat(d.minRx()).isNull();
        assertThat(d.multiplier()).isNull();
        assertThat(d.weight()).isNull();
        assertThat(d.tellsVrrp()).isTrue();
        assertThat(bfd.tracks().get("VI_1")).containsExactly(new BfdInstanceDef.Track("B1", null, null));
    }

    @Test
    void aWrittenConfigKeepsBothBlocks() throws Exception {
        var text = bfd("B1", "    neighbor_ip 192.0.2.2\n    min_rx 100\n") + INSTANCE.formatted("B1 weight -10");
        var again = load(ConfigWriter.write(load(text)));
        assertThat(BfdConfig.of(again)).isEqualTo(BfdConfig.of(load(text)));
        assertThat(diagnostics(ConfigWriter.write(load(text)))).isEmpty();
    }

    @Test
    void reportsWhatKeepalivedReports() {
        assertThat(diagnostics(bfd("B1", "    min_rx 50\n"))).containsExactly(
                "t.conf:1:1: error: bfd_instance B1 has no neighbor_ip; keepalived disables the instance");
        assertThat(diagnostics(bfd("B1", "    neighbor_ip 192.0.2.2\n    min_rx 0\n"))).containsExactly(
                "t.conf:3:12: error: min_rx 0 ms is outside 1–4294967 ms; keepalived ignores it");
        assertThat(diagnostics(bfd("B1", "    neighbor_ip 192.0.2.2\n    idle_tx 500\n"))).containsExactly(
                "t.conf:3:13: error: idle_tx 500 ms is outside 1000–4294967 ms; keepalived ignores it");
        assertThat(diagnostics(bfd("B1", "    neighbor_ip 192.0.2.2\n    min_tx 1.2345\n"))).containsExactly(
                "t.conf:3:12: error: min_tx is in milliseconds (e.g. 10 or 0.5), not '1.2345'");
        assertThat(diagnostics(bfd("B1", "    neighbor_ip 192.0.2.2\n    multiplier 256\n"))).containsExactly(
                "t.conf:3:16: error: multiplier 256 is outside 1–255");
        assertThat(diagnostics(bfd("B1", "    neighbor_ip 192.0.2.2\n    ttl 10\n    max_hops 20\n")))
                .containsExactly("t.conf:1:1: error: bfd_instance B1: max_hops 20 exceeds ttl 10; keepalived sets it"
                        + " to 10");
        assertThat(diagnostics(bfd("B1", "    neighbor_ip 2001:db8::2\n"))).containsExactly(
                "t.conf:1:1: error: bfd_instance B1: neighbor_ip 2001:db8:0:0:0:0:0:2 is IPv6; Pharos runs BFD over"
                        + " IPv4 only so far");
        assertThat(diagnostics(bfd("B1", "    neighbor_ip 192.0.2.2\n    weight 10 forward\n"))).containsExactly(
                "t.conf:3:15: error: unknown weight option 'forward': keepalived reads only reverse after the weight");
        assertThat(diagnostics(bfd("B1", "    neighbor_ip 192.0.2.2\n    multihop\n"))).singleElement()
                .asString().startsWith("t.conf:3:5: error: unknown keyword 'multihop' in bfd_instance B1");
    }

    @Test
    void aSecondInstanceForTheSameNeighborOrNameIsIgnored() {
        var n = "    neighbor_ip 192.0.2.2\n";
        assertThat(diagnostics(bfd("B1", n) + bfd("B2", n))).containsExactly(
                "t.conf:4:1: error: bfd_instance B2: bfd_instance B1 already runs a session to 192.0.2.2; keepalived"
                        + " ignores this one");
        assertThat(diagnostics(bfd("B1", n) + bfd("B1", "    neighbor_ip 192.0.2.3\n"))).containsExactly(
                "t.conf:4:1: error: bfd_instance B1 is already configured; keepalived ignores this one");
    }

    @Test
    void trackBfdChecksItsNamesAndOptions() {
        var b = bfd("B1", "    neighbor_ip 192.0.2.2\n");
        assertThat(diagnostics(b + INSTANCE.formatted("B9"))).containsExactly(
                "t.conf:8:9: error: vrrp_instance VI_1: track_bfd B9: no bfd_instance B9 is defined (keepalived reports"
                        + " it not found and ignores the line)");
        assertThat(diagnostics(INSTANCE.formatted("B1") + b)).singleElement().asString()
                .contains("refers to the bfd_instance B1 defined below");
        assertThat(diagnostics(b + INSTANCE.formatted("B1 weight 254"))).containsExactly(
                "t.conf:8:19: error: weight 254 is outside -253–253 (keepalived reports it and uses 253)");
        assertThat(diagnostics(b + INSTANCE.formatted("B1\n        B1 weight 5"))).containsExactly(
                "t.conf:9:9: warning: track_bfd B1 is given again in vrrp_instance VI_1; keepalived keeps the first one"
                        + " and ignores this one, and so does Pharos");
    }

    @Test
    void anInstanceForCheckersOnlyIsNotToldToVrrp() throws Exception {
        var bfd = BfdConfig.of(load(bfd("B1", "    neighbor_ip 192.0.2.2\n    checker\n")));
        assertThat(bfd.instances().getFirst().tellsVrrp()).isFalse();
    }
}
