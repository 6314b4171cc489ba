package dev.pharos.agent.announce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pharos.testing.Netns;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// The announcer driving a real BIRD 2 on a director, seen from a router (a second BIRD, iBGP) in
/// namespaces: a healthy VIP reaches the router after its warm-up, an unhealthy one and a drained
/// director are withdrawn, a restarted BIRD (which starts withdrawn) is corrected by the
/// reconcile loop, a stop withdraws everything, and a VIP bird.conf lacks is a clear problem that leaves the others alone.
class BirdAnnouncerTest {

    static final Duration DEADLINE = Duration.ofSeconds(60);
    static final InetAddress VIP_1 = InetAddress.ofLiteral("192.0.2.10");
    static final InetAddress VIP_2 = InetAddress.ofLiteral("192.0.2.11");

    @TempDir
    Path dir;
    Netns net;
    Netns.Host director;
    Netns.Host router;
    Process directorBird;
    Announcer announcer;

    @BeforeEach
    void network() throws IOException {
        assumeTrue(Netns.available() && Files.isExecutable(Bird.BIRD), "needs root, ip and BIRD 2 (apt-get install bird2)");
        net = Netns.create();
        director = net.host("dir", "192.0.2.1/24");
        router = net.host("rtr", "192.0.2.254/24");
        Files.writeString(dir.resolve("director.conf"), """
                router id 192.0.2.1;
                protocol device { }
                protocol static pharos_192_0_2_10 { disabled; ipv4; route 192.0.2.10/32 blackhole; }
                protocol static pharos_192_0_2_11 { disabled; ipv4; route 192.0.2.11/32 blackhole; }
                protocol bgp upstream {
                    local 192.0.2.1 as 64500;
                    neighbor 192.0.2.254 as 64500;
                    connect retry time 1;
                    ipv4 { import none; export where proto ~ "pharos_*"; };
                }
                """);
        Files.writeString(dir.resolve("router.conf"), """
                router id 192.0.2.254;
                protocol device { }
                protocol bgp director {
                    local 192.0.2.254 as 64500;
                    neighbor 192.0.2.1 as 64500;
                    connect retry time 1;
                    ipv4 { import all; export none; };
                }
                """);
        directorBird = startBird(director, "director");
        startBird(router, "router");
    }

    @AfterEach
    void cleanUp() {
        if (announcer != null) {
            announcer.close();
        }
        if (net != null) {
            net.close();
        }
    }

    Process startBird(Netns.Host host, String name) {
        return Bird.start(host, dir, name);
    }

    Path socket(String name) {
        return Bird.socket(dir, name);
    }

    /// Whether the router has a route to `vip` from the director.
    boolean routerHas(InetAddress vip) {
        return Bird.hasRoute(socket("router"), vip.getHostAddress() + "/32");
    }

    AnnounceConfig config(Duration warmup, String... protocols) {
        return new AnnounceConfig(AnnounceConfig.Daemon.BIRD, socket("director"), Duration.ofMillis(300), warmup,
                Duration.ZERO, List.of(new AnnounceConfig.Vip(VIP_1, protocols[0]),
                        new AnnounceConfig.Vip(VIP_2, protocols[1])));
    }

    @Test
    void announcesWhatIsHealthyAndWithdrawsTheRest() throws Exception {
        announcer = new Announcer(config(Duration.ofMillis(500), "pharos_192_0_2_10", "pharos_192_0_2_11"),
                new BirdDaemon(socket("director"), Duration.ofSeconds(5)));
        announcer.start();
        announcer.healthy(VIP_1, true);
        announcer.healthy(VIP_2, false);
        assertThat(Netns.await(DEADLINE, () -> routerHas(VIP_1))).as("the healthy VIP reaches the router").isTrue();
        assertThat(routerHas(VIP_2)).as("the unhealthy one does not").isFalse();
        assertThat(Netns.await(DEADLINE, () -> announcer.sessions().equals(
                List.of(new RoutingDaemon.Session("upstream", true, "Established"))))).as("" + announcer.sessions())
                .isTrue();

        announcer.healthy(VIP_1, false);
        assertThat(Netns.await(DEADLINE, () -> !routerHas(VIP_1))).as("withdrawn when unhealthy").isTrue();

        announcer.healthy(VIP_1, true);
        announcer.healthy(VIP_2, true);
        assertThat(Netns.await(DEADLINE, () -> routerHas(VIP_1) && routerHas(VIP_2))).isTrue();
        announcer.drain(true);
        assertThat(Netns.await(DEADLINE, () -> !routerHas(VIP_1) && !routerHas(VIP_2))).as("drained").isTrue();
        assertThat(announcer.status()).allMatch(s -> s.healthy() && !s.wanted());
        announcer.drain(false);
        assertThat(Netns.await(DEADLINE, () -> routerHas(VIP_1) && routerHas(VIP_2))).as("back in service").isTrue();

        // BIRD restarts: bird.conf holds the VIPs disabled, and the reconcile loop announces again
        Netns.stop(directorBird, Duration.ofSeconds(5));
        Files.deleteIfExists(socket("director"));
        assertThat(Netns.await(DEADLINE, () -> !routerHas(VIP_1))).as("the router lost the director").isTrue();
        assertThat(announcer.sessions()).as("kept from the last read while BIRD is away").hasSize(1);
        directorBird = startBird(director, "director");
        assertThat(Netns.await(DEADLINE, () -> routerHas(VIP_1) && routerHas(VIP_2))).as("announced again").isTrue();

        announcer.close();
        assertThat(Netns.await(DEADLINE, () -> !routerHas(VIP_1) && !routerHas(VIP_2))).as("withdrawn at stop").isTrue();
    }

    @Test
    void aVipBirdDoesNotKnowIsAClearProblem() throws Exception {
        announcer = new Announcer(config(Duration.ZERO, "pharos_192_0_2_10", "missing_vip"),
                new BirdDaemon(socket("director"), Duration.ofSeconds(5)));
        announcer.start();
        announcer.healthy(VIP_1, true);
        announcer.healthy(VIP_2, true);
        assertThat(Netns.await(DEADLINE, () -> announcer.status().getLast().problem() != null)).isTrue();
        assertThat(Netns.await(DEADLINE, () -> routerHas(VIP_1))).as("the other VIP is announced").isTrue();
        assertThat(announcer.status().getLast().problem()).isEqualTo("BIRD has no protocol missing_vip for 192.0.2.11;"
                + " bird.conf needs: protocol static missing_vip { disabled; ipv4; route 192.0.2.11/32 blackhole; }");
    }
}
