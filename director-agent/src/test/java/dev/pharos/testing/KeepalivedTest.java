package dev.pharos.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// The fixture itself against two real keepalived peers: the higher priority takes the VIP, and a
/// graceful stop hands it over.
class KeepalivedTest {

    private static String config(int priority) {
        return """
                vrrp_instance VI_1 {
                    state BACKUP
                    interface eth0
                    virtual_router_id 51
                    priority %d
                    advert_int 1
                    authentication {
                        auth_type PASS
                        auth_pass 1015
                    }
                    virtual_ipaddress {
                        192.0.2.100
                    }
                }
                """.formatted(priority);
    }

    @Test
    void twoKeepalivedPeersElectTheHigherPriorityAndFailOver(@TempDir Path dir) {
        assumeTrue(Netns.available() && Keepalived.installed(), "needs root, iproute2 and keepalived");
        try (var net = Netns.create()) {
            var a = net.host("a", "192.0.2.1/24");
            var b = net.host("b", "192.0.2.2/24");
            try (var ka = Keepalived.start(a, dir, "a", config(100));
                 var kb = Keepalived.start(b, dir, "b", config(90))) {
                assertThat(Netns.await(Duration.ofSeconds(20), () -> a.addresses("eth0").contains("192.0.2.100")))
                        .as("VIP on the higher priority; log:%n%s", ka.log()).isTrue();
                assertThat(b.addresses("eth0")).doesNotContain("192.0.2.100");
                ka.stop();
                assertThat(Netns.await(Duration.ofSeconds(20), () -> b.addresses("eth0").contains("192.0.2.100")))
                        .as("VIP moved after a graceful stop; log:%n%s", kb.log()).isTrue();
                assertThat(kb.log()).contains("(VI_1) Entering MASTER STATE");
            }
        }
    }
}
