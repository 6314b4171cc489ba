package dev.pharos.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pharos.testing.Keepalived;
import dev.pharos.testing.Netns;
import dev.pharos.testing.PharosAgent;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// Pharos and real keepalived (Debian's 2.2.7, built with BFD) as BFD neighbors in network
/// namespaces: each side's `bfd_instance` reaches Up with the other, each side's `vrrp_instance`
/// tracks its session (`track_bfd`, weight 0: FAULT while the session is down), and a peer killed
/// with SIGKILL or a cut link is detected on the other side, whose instance goes to FAULT.
class BfdInteropTest {

    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final String PHAROS_VIP = "192.0.2.71";
    private static final String KEEPALIVED_VIP = "192.0.2.72";

    @TempDir
    Path dir;

    @BeforeEach
    void needsRootAndKeepalived() {
        assumeTrue(Netns.available() && Keepalived.installed(), "needs root, iproute2 and keepalived");
    }

    /// A bfd_instance to `neighbor` at 50 ms × 3 and an instance alone on its VRID that tracks it.
    private static String config(String bfd, String neighbor, String instance, int vrid, String vip) {
        return """
                bfd_instance %s {
                    neighbor_ip %s
                    min_rx 50
                    min_tx 50
                    multiplier 3
                }
                vrrp_instance %s {
                    state BACKUP
                    interface eth0
                    virtual_router_id %d
                    priority 100
                    advert_int 1
                    virtual_ipaddress {
                        %s/32
                    }
                    track_bfd {
                        %s
                    }
                }
                """.formatted(bfd, neighbor, instance, vrid, vip, bfd);
    }

    private static boolean holds(Netns.Host host, String vip) {
        return host.addresses("eth0").contains(vip);
    }

    @Test
    void sessionsComeUpBothWaysAndAKilledKeepalivedIsDetected() {
        try (var net = Netns.create()) {
            var a = net.host("a", "192.0.2.1/24");
            var b = net.host("b", "192.0.2.2/24");
            try (var pharos = PharosAgent.start(a, dir, "p", config("TO_K", "192.0.2.2", "VI_P", 71, PHAROS_VIP));
                 var keepalived = Keepalived.start(b, dir, "k", config("TO_P", "192.0.2.1", "VI_K", 72,
                         KEEPALIVED_VIP))) {
                assertThat(pharos.awaitLog(DEADLINE, "(TO_K) Entering Up state"))
                        .as("Pharos's session Up%n%s", pharos.log()).isTrue();
                assertThat(keepalived.awaitLog(DEADLINE, "(TO_P) Entering Up state"))
                        .as("keepalived's session Up%n%s", keepalived.log()).isTrue();
                assertThat(Netns.await(DEADLINE, () -> holds(a, PHAROS_VIP)))
                        .as("Pharos's instance leaves FAULT once its session is Up%n%s", pharos.log()).isTrue();
                assertThat(Netns.await(DEADLINE, () -> holds(b, KEEPALIVED_VIP)))
                        .as("keepalived's instance too%n%s", keepalived.log()).isTrue();

                keepalived.kill();
                assertThat(pharos.awaitLog(DEADLINE, "(TO_K) Entering Down state (Local diagnostic - Control"
                        + " Detection Time Expired")).as("the silence is detected%n%s", pharos.log()).isTrue();
                assertThat(pharos.awaitLog(DEADLINE, "(VI_P) Entering FAULT STATE")).as("%s", pharos.log()).isTrue();
                assertThat(Netns.await(DEADLINE, () -> !holds(a, PHAROS_VIP)))
                        .as("FAULT gives the VIP up%n%s", pharos.log()).isTrue();
            }
        }
    }

    @Test
    void keepalivedDetectsAKilledPharosAndACutLink() {
        try (var net = Netns.create()) {
            var a = net.host("a", "192.0.2.1/24");
            var b = net.host("b", "192.0.2.2/24");
            try (var keepalived = Keepalived.start(b, dir, "k", config("TO_P", "192.0.2.1", "VI_K", 73,
                    KEEPALIVED_VIP))) {
                try (var pharos = PharosAgent.start(a, dir, "p", config("TO_K", "192.0.2.2", "VI_P", 74, PHAROS_VIP))) {
                    assertThat(keepalived.awaitLog(DEADLINE, "(TO_P) Entering Up state"))
                            .as("keepalived's session Up%n%s%n%s", keepalived.log(), pharos.log()).isTrue();
                    assertThat(Netns.await(DEADLINE, () -> holds(b, KEEPALIVED_VIP))).isTrue();
                    pharos.kill();
                    assertThat(keepalived.awaitLog(DEADLINE, "(TO_P) Entering Down state"))
                            .as("keepalived detects the killed Pharos%n%s", keepalived.log()).isTrue();
                    assertThat(keepalived.awaitLog(DEADLINE, "(VI_K) Entering FAULT STATE"))
                            .as("%s", keepalived.log()).isTrue();
                }
                // A new Pharos: the sessions come back, then the link is cut under them.
                try (var pharos = PharosAgent.start(a, dir, "p2", config("TO_K", "192.0.2.2", "VI_P", 74,
                        PHAROS_VIP))) {
                    assertThat(pharos.awaitLog(DEADLINE, "(TO_K) Entering Up state"))
                            .as("Up again%n%s", pharos.log()).isTrue();
                    assertThat(Netns.await(DEADLINE, () -> holds(a, PHAROS_VIP))).isTrue();
                    Netns.run("ip", "-n", a.name(), "link", "set", "eth0", "down");
                    assertThat(pharos.awaitLog(DEADLINE, "(TO_K) Entering Down state"))
                            .as("Pharos detects the cut%n%s", pharos.log()).isTrue();
                    assertThat(Netns.await(DEADLINE, () -> keepalived.log().lastIndexOf("(TO_P) Entering Down state")
                            > keepalived.log().lastIndexOf("(TO_P) Entering Up state")))
                            .as("keepalived detects the cut%n%s", keepalived.log()).isTrue();
                }
            }
        }
    }
}
