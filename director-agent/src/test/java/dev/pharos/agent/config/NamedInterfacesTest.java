package dev.pharos.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// The interface scan the corpus test builds its namespaces from.
class NamedInterfacesTest {

    @Test
    void findsNamesAfterKeywordsInListingBlocksThroughParametersAndIncludes(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(dir.resolve("conf.d/more.conf"), "static_routes {\n 198.51.100.0/24 dev ens7\n}\n");
        Files.writeString(dir.resolve("main.conf"), """
                $IF=bond0
                include conf.d/*.conf
                vrrp_instance VI_1 {
                    interface $IF   # the uplink
                    track_interface {
                        eth1 weight 10
                        eth2
                    }
                    virtual_ipaddress {
                        192.0.2.1/24 dev eth0:1
                    }
                }
                """);
        assertThat(NamedInterfaces.in(dir.resolve("main.conf")))
                .containsExactlyInAnyOrder("bond0", "ens7", "eth0", "eth1", "eth2");
    }

    @Test
    void aCommentNamesNothing(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.conf"), "! interface eth5\n# dev eth6\n");
        assertThat(NamedInterfaces.in(dir.resolve("a.conf"))).isEmpty();
    }
}
