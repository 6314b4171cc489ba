package dev.pharos.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pharos.testing.Keepalived;
import dev.pharos.testing.Netns;
import dev.pharos.testing.PharosAgent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// Pharos and real keepalived (Debian's package) as VRRP peers in network namespaces: the seed's
/// dual-master pair both ways round, crash and graceful failover, preemption, nopreempt, wrong
/// authentication, VRRPv3. Outcomes (who holds which VIP, which log lines) with generous deadlines.
class VrrpInteropTest {

    private static final Duration DEADLINE = Duration.ofSeconds(25);
    private static final String VIP1 = "192.0.2.11";
    private static final String VIP2 = "192.0.2.12";

    @TempDir
    Path dir;

    @BeforeEach
    void needsRootAndKeepalived() {
        assumeTrue(Netns.available() && Keepalived.installed(), "needs root, iproute2 and keepalived");
    }

    /// The seed's configuration for one director, with documentation addresses in place of the
    /// post's 172.17.x ones (the text is otherwise the post's).
    private static String seed(String director) throws IOException {
        var text = Files.readString(Path.of("src/test/resources/config/seed/" + director + ".conf"));
        return text.replace("172.17.250.11", VIP1).replace("172.17.250.12", VIP2)
                .replace("172.17.0.66", "192.0.2.66").replace("172.17.250.41", "192.0.2.41");
    }

    private static boolean holds(Netns.Host host, String vip) {
        return host.addresses("ens33").contains(vip);
    }

    private static boolean awaitHolds(Netns.Host host, String vip) {
        return Netns.await(DEADLINE, () -> holds(host, vip));
    }

    private static String instance(String name, int vrid, int priority, String extra, String vip) {
        return """
                vrrp_instance %s {
                    state BACKUP
                    interface ens33
                    virtual_router_id %d
                    priority %d
                %s    virtual_ipaddress {
                        %s
                    }
                }
                """.formatted(name, vrid, priority, extra, vip);
    }

    @Test
    void seedPairWithPharosAsLvsMasterAndKeepalivedAsLvsBackup() throws IOException {
        try (var net = Netns.create()) {
            var a = net.hostWithInterface("a", "ens33", "192.0.2.1/24");
            var b = net.hostWithInterface("b", "ens33", "192.0.2.2/24");
            try (var pharos = PharosAgent.start(a, dir, "lvs-master", seed("lvs-master"));
                 var keepalived = Keepalived.start(b, dir, "lvs-backup", seed("lvs-backup"))) {
                assertThat(awaitHolds(a, VIP1)).as("VIP1 on Pharos (priority 100)%n%s", pharos.log()).isTrue();
                assertThat(awaitHolds(b, VIP2)).as("VIP2 on keepalived (priority 100)%n%s", keepalived.log()).isTrue();
                assertThat(Netns.await(Duration.ofSeconds(5), () -> !holds(a, VIP2) && !holds(b, VIP1)))
                        .as("each VIP on one director only").isTrue();

                // Crash: kill -9 the Pharos director; keepalived takes VIP1 after Master_Down_Interval.
                pharos.kill();
                assertThat(awaitHolds(b, VIP1)).as("keepalived took VIP1 after the crash%n%s", keepalived.log()).isTrue();
                assertThat(holds(b, VIP2)).isTrue();

                // Pharos returns: priority 100 preempts VIP1 back (crash left the VIP behind on a,
                // as a crashed keepalived would; the new agent takes it over cleanly).
                try (var again = PharosAgent.start(a, dir, "lvs-master-again", seed("lvs-master"))) {
                    assertThat(Netns.await(DEADLINE, () -> holds(a, VIP1) && !holds(b, VIP1)))
                            .as("preempted back%n%s%n%s", again.log(), keepalived.log()).isTrue();
                    assertThat(again.awaitLog(DEADLINE, "(VI_1) Entering MASTER STATE")).isTrue();
                }
                assertThat(keepalived.log()).doesNotContainIgnoringCase("invalid")
                        .doesNotContain("bad checksum").doesNotContainIgnoringCase("incorrect");
            }
        }
    }

    @Test
    void seedPairWithKeepalivedAsLvsMasterAndPharosAsLvsBackup() throws IOException {
        try (var net = Netns.create()) {
            var a = net.hostWithInterface("a", "ens33", "192.0.2.1/24");
            var b = net.hostWithInterface("b", "ens33", "192.0.2.2/24");
            try (var keepalived = Keepalived.start(a, dir, "lvs-master", seed("lvs-master"));
                 var pharos = PharosAgent.start(b, dir, "lvs-backup", seed("lvs-backup"))) {
                assertThat(awaitHolds(a, VIP1)).as("VIP1 on keepalived%n%s", keepalived.log()).isTrue();
                assertThat(awaitHolds(b, VIP2)).as("VIP2 on Pharos%n%s", pharos.log()).isTrue();

                // Graceful: SIGTERM Pharos; it sends priority 0 and keepalived takes VIP2 after Skew_Time.
                assertThat(pharos.stop()).as("exit code of a SIGTERMed agent").isZero();
                assertThat(awaitHolds(a, VIP2)).as("keepalived took VIP2%n%s", keepalived.log()).isTrue();
                assertThat(keepalived.log()).contains("(VI_2) Backup received priority 0 advertisement");
                assertThat(holds(b, VIP2)).as("Pharos removed its VIP on the way out").isFalse();
                assertThat(pharos.log()).contains("Stopping");

                // And the other way: kill -9 keepalived; a fresh Pharos backup takes VIP1.
                try (var pharos2 = PharosAgent.start(b, dir, "lvs-backup-2", seed("lvs-backup"))) {
                    assertThat(awaitHolds(b, VIP2)).as("Pharos preempts VIP2 back%n%s", pharos2.log()).isTrue();
                    keepalived.kill();
                    assertThat(awaitHolds(b, VIP1)).as("Pharos took VIP1 after keepalived crashed%n%s", pharos2.log())
                            .isTrue();
                    assertThat(pharos2.log()).contains("(VI_1) Entering MASTER STATE");
                }
            }
        }
    }

    @Test
    void nopreemptKeepsTheVipWhereItIs() {
        try (var net = Netns.create()) {
            var a = net.hostWithInterface("a", "ens33", "192.0.2.1/24");
            var b = net.hostWithInterface("b", "ens33", "192.0.2.2/24");
            try (var keepalived = Keepalived.start(b, dir, "k", instance("VI_1", 60, 90, "    nopreempt\n", VIP1))) {
                assertThat(awaitHolds(b, VIP1)).as("keepalived alone is master%n%s", keepalived.log()).isTrue();
                try (var pharos = PharosAgent.start(a, dir, "p", instance("VI_1", 60, 100, "    nopreempt\n", VIP1))) {
                    assertThat(pharos.awaitLog(DEADLINE, "(VI_1) Entering BACKUP STATE")).isTrue();
                    // Over five advert intervals the higher-priority Pharos must not take over.
                    var moved = Netns.await(Duration.ofSeconds(5), () -> holds(a, VIP1));
                    assertThat(moved).as("nopreempt: Pharos stays backup%n%s", pharos.log()).isFalse();
                    assertThat(holds(b, VIP1)).isTrue();
                }
            }
        }
    }

    @Test
    void pharosRejectsKeepalivedsWrongPasswordAndCountsIt() {
        var auth = """
                    advert_int 1
                    authentication {
                        auth_type PASS
                        auth_pass %s
                    }
                """;
        try (var net = Netns.create()) {
            var a = net.hostWithInterface("a", "ens33", "192.0.2.1/24");
            var b = net.hostWithInterface("b", "ens33", "192.0.2.2/24");
            try (var pharos = PharosAgent.start(a, dir, "p", instance("VI_1", 61, 90, auth.formatted("right"), VIP1));
                 var keepalived = Keepalived.start(b, dir, "k", instance("VI_1", 61, 100, auth.formatted("wrong"), VIP1))) {
                assertThat(pharos.awaitLog(DEADLINE, "(VI_1) received an invalid password from 192.0.2.2"))
                        .as("Pharos names the bad password%n%s", pharos.log()).isTrue();
                // Neither hears the other: both end up master (split brain, as with keepalived pairs).
                assertThat(awaitHolds(a, VIP1)).isTrue();
                assertThat(awaitHolds(b, VIP1)).isTrue();
            }
        }
    }

    @Test
    void pharosRejectsKeepalivedsOtherAdvertInterval() {
        try (var net = Netns.create()) {
            var a = net.hostWithInterface("a", "ens33", "192.0.2.1/24");
            var b = net.hostWithInterface("b", "ens33", "192.0.2.2/24");
            try (var pharos = PharosAgent.start(a, dir, "p", instance("VI_1", 62, 90, "    advert_int 1\n", VIP1));
                 var keepalived = Keepalived.start(b, dir, "k", instance("VI_1", 62, 100, "    advert_int 2\n", VIP1))) {
                assertThat(pharos.awaitLog(DEADLINE, "(VI_1) advertisement interval mismatch with 192.0.2.2"))
                        .as("%s", pharos.log()).isTrue();
            }
        }
    }

    @Test
    void vrrpV3AtOneSecondAndAtTenCentiseconds() {
        for (var interval : new String[] {"1", "0.1"}) {
            var extra = "    version 3\n    advert_int " + interval + "\n";
            try (var net = Netns.create()) {
                var a = net.hostWithInterface("a", "ens33", "192.0.2.1/24");
                var b = net.hostWithInterface("b", "ens33", "192.0.2.2/24");
                try (var pharos = PharosAgent.start(a, dir, "p" + interval, instance("VI_1", 63, 100, extra, VIP1));
                     var keepalived = Keepalived.start(b, dir, "k" + interval, instance("VI_1", 63, 90, extra, VIP1))) {
                    assertThat(awaitHolds(a, VIP1)).as("v3 %s s: Pharos master%n%s", interval, pharos.log()).isTrue();
                    assertThat(keepalived.awaitLog(DEADLINE, "(VI_1) Entering BACKUP STATE")).isTrue();
                    assertThat(Netns.await(Duration.ofSeconds(3), () -> holds(b, VIP1)))
                            .as("keepalived stays backup while Pharos advertises%n%s", keepalived.log()).isFalse();
                    pharos.kill();
                    assertThat(awaitHolds(b, VIP1)).as("v3 %s s: keepalived takes over%n%s", interval, keepalived.log())
                            .isTrue();
                    assertThat(keepalived.log()).doesNotContainIgnoringCase("invalid");
                }
            }
        }
    }

    @Test
    void twoPharosAgentsWithUnicastPeersAndASyncGroup() {
        var group = """
                vrrp_sync_group VG_1 {
                    group {
                        VI_1
                        VI_2
                    }
                }
                """;
        java.util.function.BiFunction<Integer, String, String> config = (priority, peer) -> group
                + instance("VI_1", 71, priority, "    unicast_peer {\n        " + peer + "\n    }\n", VIP1)
                + instance("VI_2", 72, priority, "    unicast_peer {\n        " + peer + "\n    }\n", VIP2);
        try (var net = Netns.create()) {
            var a = net.hostWithInterface("a", "ens33", "192.0.2.1/24");
            var b = net.hostWithInterface("b", "ens33", "192.0.2.2/24");
            try (var pa = PharosAgent.start(a, dir, "a", config.apply(100, "192.0.2.2"));
                 var pb = PharosAgent.start(b, dir, "b", config.apply(90, "192.0.2.1"))) {
                assertThat(Netns.await(DEADLINE, () -> holds(a, VIP1) && holds(a, VIP2)))
                        .as("both VIPs on the higher priority%n%s", pa.log()).isTrue();
                pa.kill();
                assertThat(Netns.await(DEADLINE, () -> holds(b, VIP1) && holds(b, VIP2)))
                        .as("the group moved together%n%s", pb.log()).isTrue();
            }
        }
    }
}
