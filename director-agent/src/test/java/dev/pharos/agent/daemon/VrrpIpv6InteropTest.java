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

/// VRRPv3 over IPv6 between Pharos and real keepalived (Debian's 2.2.7) in network namespaces,
/// both ways round: crash (kill -9), graceful stop (SIGTERM, priority 0) and preemption, adverts
/// from the link-local addresses the kernel made to ff02::12. A third host's neighbour cache
/// shows Pharos's unsolicited neighbour advertisement taking the VIP over. A sync group of an IPv4
/// and an IPv6 instance, the IPv4 one with an IPv6 `virtual_ipaddress_excluded`, moves as one;
/// unicast peers work over IPv6 too.
class VrrpIpv6InteropTest {

    private static final Duration DEADLINE = Duration.ofSeconds(25);
    private static final String VIP = "2001:db8::61";

    @TempDir
    Path dir;

    @BeforeEach
    void needsRootAndKeepalived() {
        assumeTrue(Netns.available() && Keepalived.installed(), "needs root, iproute2 and keepalived");
    }

    private static String instance(int priority) {
        return """
                vrrp_instance VI_6 {
                    state BACKUP
                    interface ens33
                    virtual_router_id 61
                    priority %d
                    advert_int 1
                    virtual_ipaddress {
                        %s/64
                    }
                }
                """.formatted(priority, VIP);
    }

    private static boolean holds(Netns.Host host) {
        return host.addresses6("ens33").contains(VIP);
    }

    /// Hosts whose link-local addresses have passed duplicate address detection, so both daemons
    /// start with a usable advert source.
    private static Netns.Host host(Netns net, String name, String... addresses) {
        var h = net.hostWithInterface(name, "ens33", addresses);
        assertThat(Netns.await(Duration.ofSeconds(15), () -> h.addresses6("ens33").stream().anyMatch(a -> a.startsWith("fe80:"))
                && h.exec("ip", "-6", "addr", "show", "dev", "ens33", "tentative").output().isBlank()))
                .as("link-local address of %s ready", name).isTrue();
        return h;
    }

    private static String mac(Netns.Host host) {
        var out = host.exec("cat", "/sys/class/net/ens33/address").output().trim();
        assertThat(out).matches("[0-9a-f:]{17}");
        return out;
    }

    @Test
    void pharosMasterKeepalivedBackupOverIpv6() {
        try (var net = Netns.create()) {
            var a = host(net, "a", "2001:db8::1/64");
            var b = host(net, "b", "2001:db8::2/64");
            try (var pharos = PharosAgent.start(a, dir, "p", instance(150));
                 var keepalived = Keepalived.start(b, dir, "k", instance(100))) {
                assertThat(Netns.await(DEADLINE, () -> holds(a))).as("VIP on Pharos%n%s", pharos.log()).isTrue();
                assertThat(keepalived.awaitLog(DEADLINE, "(VI_6) Entering BACKUP STATE"))
                        .as("keepalived backup%n%s", keepalived.log()).isTrue();
                assertThat(Netns.await(Duration.ofSeconds(4), () -> holds(b)))
                        .as("keepalived hears Pharos's adverts and stays backup%n%s", keepalived.log()).isFalse();

                pharos.kill();
                assertThat(Netns.await(DEADLINE, () -> holds(b))).as("keepalived took the VIP after the crash%n%s",
                        keepalived.log()).isTrue();

                try (var again = PharosAgent.start(a, dir, "p2", instance(150))) {
                    assertThat(Netns.await(DEADLINE, () -> holds(a) && !holds(b)))
                            .as("Pharos preempted the VIP back%n%s%n%s", again.log(), keepalived.log()).isTrue();
                    assertThat(again.awaitLog(DEADLINE, "(VI_6) Entering MASTER STATE")).isTrue();
                }
                assertThat(keepalived.log()).doesNotContainIgnoringCase("invalid")
                        .doesNotContainIgnoringCase("checksum").doesNotContainIgnoringCase("incorrect");
            }
        }
    }

    @Test
    void keepalivedMasterPharosBackupOverIpv6() {
        try (var net = Netns.create()) {
            var a = host(net, "a", "2001:db8::1/64");
            var b = host(net, "b", "2001:db8::2/64");
            var client = host(net, "c", "2001:db8::3/64");
            try (var keepalived = Keepalived.start(a, dir, "k", instance(150));
                 var pharos = PharosAgent.start(b, dir, "p", instance(100))) {
                assertThat(Netns.await(DEADLINE, () -> holds(a))).as("VIP on keepalived%n%s", keepalived.log()).isTrue();
                assertThat(pharos.awaitLog(DEADLINE, "(VI_6) Entering BACKUP STATE")).as(pharos.log()).isTrue();
                assertThat(Netns.await(Duration.ofSeconds(4), () -> holds(b)))
                        .as("Pharos hears keepalived's adverts and stays backup%n%s", pharos.log()).isFalse();
                // The client learns the VIP's MAC: keepalived's.
                var macA = mac(a);
                assertThat(client.exec("ping", "-6", "-c", "1", "-W", "2", VIP).exitCode()).isZero();
                assertThat(client.exec("ip", "-6", "neigh", "show", VIP, "dev", "ens33").output()).contains(macA);

                // Graceful: keepalived sends priority 0 and Pharos takes over; its unsolicited
                // neighbour advertisement moves the client's cache entry without a new lookup.
                keepalived.stop();
                assertThat(Netns.await(DEADLINE, () -> holds(b))).as("Pharos took the VIP%n%s", pharos.log()).isTrue();
                assertThat(pharos.log()).contains("(VI_6) Entering MASTER STATE");
                var macB = mac(b);
                assertThat(Netns.await(Duration.ofSeconds(10),
                        () -> client.exec("ip", "-6", "neigh", "show", VIP, "dev", "ens33").output().contains(macB)))
                        .as("the client's neighbour cache follows the takeover: %s",
                                client.exec("ip", "-6", "neigh", "show", VIP, "dev", "ens33").output())
                        .isTrue();

                // keepalived returns with the higher priority and preempts; then crashes.
                try (var keepalived2 = Keepalived.start(a, dir, "k2", instance(150))) {
                    assertThat(Netns.await(DEADLINE, () -> holds(a) && !holds(b)))
                            .as("keepalived preempted%n%s%n%s", keepalived2.log(), pharos.log()).isTrue();
                    keepalived2.kill();
                    assertThat(Netns.await(DEADLINE, () -> holds(b)))
                            .as("Pharos took the VIP after keepalived crashed%n%s", pharos.log()).isTrue();
                }
                assertThat(pharos.log()).doesNotContain("CHECKSUM").doesNotContain("mismatch");
            }
        }
    }

    private static String syncGroup(int priority) {
        return """
                vrrp_sync_group G {
                    group {
                        VI_4
                        VI_6
                    }
                }
                vrrp_instance VI_4 {
                    state BACKUP
                    interface ens33
                    virtual_router_id 41
                    priority %1$d
                    advert_int 1
                    virtual_ipaddress {
                        192.0.2.41/24
                    }
                    virtual_ipaddress_excluded {
                        2001:db8::4e/64
                    }
                }
                vrrp_instance VI_6 {
                    state BACKUP
                    interface ens33
                    virtual_router_id 61
                    priority %1$d
                    advert_int 1
                    virtual_ipaddress {
                        %2$s/64
                    }
                }
                """.formatted(priority, VIP);
    }

    private static boolean holdsGroup(Netns.Host host) {
        var v6 = host.addresses6("ens33");
        return host.addresses("ens33").contains("192.0.2.41") && v6.contains("2001:db8::4e") && v6.contains(VIP);
    }

    private static boolean holdsNone(Netns.Host host) {
        var v6 = host.addresses6("ens33");
        return !host.addresses("ens33").contains("192.0.2.41") && !v6.contains("2001:db8::4e") && !v6.contains(VIP);
    }

    @Test
    void aSyncGroupOfAnIpv4AndAnIpv6InstanceMovesAsOne() {
        try (var net = Netns.create()) {
            var a = host(net, "a", "192.0.2.1/24", "2001:db8::1/64");
            var b = host(net, "b", "192.0.2.2/24", "2001:db8::2/64");
            try (var pharos = PharosAgent.start(a, dir, "p", syncGroup(150));
                 var keepalived = Keepalived.start(b, dir, "k", syncGroup(100))) {
                assertThat(Netns.await(DEADLINE, () -> holdsGroup(a) && holdsNone(b)))
                        .as("the group on Pharos%n%s%n%s", pharos.log(), keepalived.log()).isTrue();

                pharos.kill();
                assertThat(Netns.await(DEADLINE, () -> holdsGroup(b)))
                        .as("keepalived took the whole group after the crash%n%s", keepalived.log()).isTrue();

                try (var again = PharosAgent.start(a, dir, "p2", syncGroup(150))) {
                    assertThat(Netns.await(DEADLINE, () -> holdsGroup(a) && holdsNone(b)))
                            .as("Pharos preempted the group back%n%s%n%s", again.log(), keepalived.log()).isTrue();
                }
            }
        }
    }

    private static String unicast(int priority, String self, String peer) {
        return """
                vrrp_instance VI_6 {
                    state BACKUP
                    interface ens33
                    virtual_router_id 61
                    priority %d
                    advert_int 1
                    unicast_src_ip %s
                    unicast_peer {
                        %s
                    }
                    virtual_ipaddress {
                        %s/64
                    }
                }
                """.formatted(priority, self, peer, VIP);
    }

    @Test
    void unicastPeersOverIpv6() {
        try (var net = Netns.create()) {
            var a = host(net, "a", "2001:db8::1/64");
            var b = host(net, "b", "2001:db8::2/64");
            try (var keepalived = Keepalived.start(b, dir, "k", unicast(150, "2001:db8::2", "2001:db8::1"));
                 var pharos = PharosAgent.start(a, dir, "p", unicast(100, "2001:db8::1", "2001:db8::2"))) {
                assertThat(Netns.await(DEADLINE, () -> holds(b))).as("VIP on keepalived%n%s", keepalived.log()).isTrue();
                assertThat(pharos.awaitLog(DEADLINE, "(VI_6) Entering BACKUP STATE")).as(pharos.log()).isTrue();
                assertThat(Netns.await(Duration.ofSeconds(4), () -> holds(a)))
                        .as("Pharos hears keepalived's unicast adverts%n%s", pharos.log()).isFalse();
                keepalived.kill();
                assertThat(Netns.await(DEADLINE, () -> holds(a))).as("Pharos took over%n%s", pharos.log()).isTrue();
                try (var keepalived2 = Keepalived.start(b, dir, "k2", unicast(150, "2001:db8::2", "2001:db8::1"))) {
                    assertThat(Netns.await(DEADLINE, () -> holds(b) && !holds(a)))
                            .as("keepalived preempted, hearing Pharos's unicast adverts first%n%s%n%s",
                                    keepalived2.log(), pharos.log()).isTrue();
                }
            }
        }
    }
}
