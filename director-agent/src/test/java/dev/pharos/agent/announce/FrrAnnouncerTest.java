package dev.pharos.agent.announce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pharos.testing.Frr;
import dev.pharos.testing.Netns;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// The announcer driving FRR's bgpd on a director through its vty socket, seen from a router (FRR,
/// iBGP, ECMP) in namespaces: announced when healthy, withdrawn when not, a restarted bgpd (whose
/// file never held the VIP) announced again by the reconcile loop, everything withdrawn at stop.
class FrrAnnouncerTest {

    static final Duration DEADLINE = Duration.ofSeconds(90);
    static final InetAddress VIP = InetAddress.ofLiteral("192.0.2.10");

    @TempDir
    Path dir;
    Netns net;
    Frr director;
    Frr router;
    Announcer announcer;

    @BeforeEach
    void network() {
        assumeTrue(Netns.available() && Frr.available(), "needs root, ip and FRR (apt-get install frr)");
        net = Netns.create();
        var d = net.host("dir", "192.0.2.1/24");
        var r = net.host("rtr", "192.0.2.254/24");
        d.exec("ip", "addr", "add", "192.0.2.10/32", "dev", "lo");
        director = Frr.start(d, dir.resolve("director"), """
                router bgp 64500
                 bgp router-id 192.0.2.1
                 neighbor 192.0.2.254 remote-as 64500
                 neighbor 192.0.2.254 timers connect 1
                """);
        router = Frr.start(r, dir.resolve("router"), """
                router bgp 64500
                 bgp router-id 192.0.2.254
                 neighbor 192.0.2.1 remote-as 64500
                 neighbor 192.0.2.1 timers connect 1
                 address-family ipv4 unicast
                  maximum-paths ibgp 8
                 exit-address-family
                """);
    }

    @AfterEach
    void cleanUp() {
        if (announcer != null) {
            announcer.close();
        }
        for (var frr : new Frr[] {director, router}) {
            if (frr != null) {
                frr.close();
            }
        }
        if (net != null) {
            net.close();
        }
    }

    boolean routerHasVip() {
        return router.vtysh("show ip bgp 192.0.2.10/32").contains("192.0.2.1 from 192.0.2.1");
    }

    @Test
    void announcesWithdrawsAndCorrectsARestartedBgpd() throws Exception {
        var config = new AnnounceConfig(AnnounceConfig.Daemon.FRR, director.bgpd(), Duration.ofMillis(300),
                Duration.ZERO, Duration.ZERO, List.of(new AnnounceConfig.Vip(VIP, "unused")));
        announcer = new Announcer(config, config.routingDaemon(Duration.ofSeconds(5)));
        announcer.start();
        announcer.healthy(VIP, true);
        assertThat(Netns.await(DEADLINE, this::routerHasVip)).as("announced\n" + router.vtysh("show ip bgp")).isTrue();
        assertThat(director.vtysh("show running-config")).contains("network 192.0.2.10/32");
        // the router's neighbour as bgpd reports it (show bgp summary json)
        assertThat(Netns.await(DEADLINE, () -> announcer.sessions().equals(
                List.of(new RoutingDaemon.Session("192.0.2.254", true, "Established"))))).as("" + announcer.sessions())
                .isTrue();

        announcer.healthy(VIP, false);
        assertThat(Netns.await(DEADLINE, () -> !routerHasVip())).as("withdrawn").isTrue();
        assertThat(director.vtysh("show running-config")).doesNotContain("network 192.0.2.10/32");

        announcer.healthy(VIP, true);
        assertThat(Netns.await(DEADLINE, this::routerHasVip)).isTrue();
        director.stopBgpd();
        assertThat(Netns.await(DEADLINE, () -> !routerHasVip())).as("the router lost the director").isTrue();
        director.startBgpd();
        assertThat(Netns.await(DEADLINE, this::routerHasVip)).as("announced again after bgpd's restart").isTrue();

        announcer.close();
        assertThat(Netns.await(DEADLINE, () -> !routerHasVip())).as("withdrawn at stop").isTrue();
    }
}
