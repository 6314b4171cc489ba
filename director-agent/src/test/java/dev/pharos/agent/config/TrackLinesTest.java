package dev.pharos.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.daemon.VrrpMapping;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/// The options of `track_interface` and `track_script` lines as keepalived 2.2.7 reads them
/// (vrrp_track.c `alloc_track_if`, `alloc_track_script`): kept on rewrite and handed to the VRRP
/// engine.
class TrackLinesTest {

    private static final String FILE = """
            vrrp_script chk {
                script /bin/true
                weight 10 reverse
            }
            vrrp_script other {
                script /bin/true
                weight 5 reverse
            }
            vrrp_instance VI_1 {
                interface eth0
                virtual_router_id 1
                track_interface {
                    eth1 weight 10 reverse
                    eth2 weight -5
                }
                track_script {
                    chk weight 20 noreverse
                    other
                }
                virtual_ipaddress {
                    192.0.2.10/24
                }
            }
            """;

    private static KeepalivedConfig load(String text) throws ConfigException {
        return ConfigLoader.parse(Path.of("t.conf"), text, "").config();
    }

    @Test
    void reverseAndNoreverseAreReadAndWrittenBack() throws ConfigException {
        var i = load(FILE).vrrpInstances().getFirst();
        assertThat(i.trackInterfaces()).containsExactly(new VrrpInstanceDef.TrackInterface("eth1", 10, true),
                new VrrpInstanceDef.TrackInterface("eth2", -5, false));
        assertThat(i.trackScripts()).containsExactly(new VrrpInstanceDef.TrackScript("chk", 20, false),
                new VrrpInstanceDef.TrackScript("other", null, null));
        var written = ConfigWriter.write(load(FILE));
        assertThat(written).contains("eth1 weight 10 reverse\n", "chk weight 20 noreverse\n")
                .doesNotContain("eth2 weight -5 reverse");
        assertThat(load(written).vrrpInstances().getFirst()).isEqualTo(i);
    }

    @Test
    void theLinesReverseOverridesTheScriptsOwn() throws ConfigException {
        var settings = VrrpMapping.map(load(FILE)).instances().getFirst();
        assertThat(settings.trackInterfaces()).extracting(t -> t.name() + " " + t.weight() + " " + t.reverse())
                .containsExactly("eth1 10 true", "eth2 -5 false");
        // chk: the line's noreverse wins over the script's reverse; other: no option, the script's own
        assertThat(settings.trackScripts()).extracting(t -> t.name() + " " + t.weight() + " " + t.reverse())
                .containsExactly("chk 20 false", "other 5 true");
    }
}
