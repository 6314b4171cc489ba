package dev.pharos.agent.announce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pharos.agent.api.AgentEvent;
import dev.pharos.agent.api.Params;
import dev.pharos.agent.api.Protocol;
import dev.pharos.agent.api.Results;
import dev.pharos.agent.api.RpcException;
import dev.pharos.agent.cli.Main;
import dev.pharos.agent.control.ControlClient;
import dev.pharos.testing.Netns;
import dev.pharos.testing.Nginx;
import dev.pharos.testing.PharosAgent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// A real agent (`run --announce`) with the user-space balancer, a real server (nginx) checked by
/// TCP_CHECK, BIRD beside the agent and a router (BIRD, iBGP) in namespaces: the VIP reaches the
/// router once its service has quorum, leaves it while an operator drains the director
/// (`announce.drain`, each change an `announce.changed` event), and its BGP session shows in
/// `announce.get`; it leaves it when the real server dies and comes back with it,
/// leaves it at a graceful stop, and after a `kill -9` `director-agent withdraw` (systemd's
/// ExecStopPost) takes it back.
class AgentAnnounceTest {

    static final Duration DEADLINE = Duration.ofSeconds(90);
    static final String VIP = "192.0.2.10";
    static final Duration CALL = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    Netns net;
    Netns.Host director;
    Netns.Host router;

    @BeforeEach
    void network() throws IOException {
        assumeTrue(Netns.available() && Files.isExecutable(Bird.BIRD) && Nginx.available(),
                "needs root, ip, BIRD 2 and nginx");
        net = Netns.create();
        director = net.host("dir", "192.0.2.1/24");
        router = net.host("rtr", "192.0.2.254/24");
        director.exec("ip", "addr", "add", VIP + "/32", "dev", "lo");
        Files.writeString(dir.resolve("director.conf"), """
                router id 192.0.2.1;
                protocol device { }
                protocol static pharos_192_0_2_10 { disabled; ipv4; route 192.0.2.10/32 blackhole; }
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
        Files.writeString(dir.resolve("announce.conf"), """
                announce {
                    daemon bird
                    socket %s
                    recheck 1
                    warmup 0.5
                    withdraw_delay 2
                    vip %s
                }
                """.formatted(socket("director"), VIP));
        startBird(director, "director");
        startBird(router, "router");
    }

    @AfterEach
    void cleanUp() {
        if (net != null) {
            net.close();
        }
    }

    void startBird(Netns.Host host, String name) {
        Bird.start(host, dir, name);
    }

    Path socket(String name) {
        return Bird.socket(dir, name);
    }

    boolean routerHasVip() {
        return Bird.hasRoute(socket("router"), VIP + "/32");
    }

    /// The BGP sessions `announce.get` reports; none when it cannot be asked.
    static List<Results.BgpSession> sessions(ControlClient c) {
        try {
            return c.call(Protocol.ANNOUNCE_GET, Params.None.NONE, Results.Announcements.class, CALL).sessions();
        } catch (IOException | RpcException e) {
            return List.of();
        }
    }

    @Test
    void theVipFollowsTheServicesHealthAndTheAgentsLife() throws Exception {
        var web = net.host("web", "192.0.2.20/24");
        try (var nginx = Nginx.start(web, dir.resolve("web"), "web", 80)) {
            var config = """
                    global_defs {
                        router_id dir
                    }
                    virtual_server 192.0.2.10 80 {
                        delay_loop 1
                        lb_algo rr
                        lb_kind NAT
                        protocol TCP
                        real_server 192.0.2.20 80 {
                            weight 1
                            TCP_CHECK {
                                connect_timeout 1
                            }
                        }
                    }
                    """;
            var agent = PharosAgent.start(director, dir, "agent", config, "--balancer", "userspace", "--announce",
                    dir.resolve("announce.conf").toString());
            assertThat(Netns.await(DEADLINE, this::routerHasVip)).as("announced with quorum\n" + agent.log()).isTrue();

            // drained by an operator (the console's "out of service"): withdrawn, serving on
            try (var c = ControlClient.connect(agent.socket())) {
                var changes = new CopyOnWriteArrayList<AgentEvent.AnnounceChanged>();
                c.onEvent(e -> {
                    if (e instanceof AgentEvent.AnnounceChanged a) {
                        changes.add(a);
                    }
                });
                c.call(Protocol.EVENTS_SUBSCRIBE, new Params.Subscribe(null), Results.Subscribed.class, CALL);
                var before = c.call(Protocol.ANNOUNCE_GET, Params.None.NONE, Results.Announcements.class, CALL);
                assertThat(Netns.await(DEADLINE, () -> sessions(c).equals(
                        List.of(new Results.BgpSession("upstream", true, "Established")))))
                        .as("BIRD's session to the router, as announce.get says: " + before.sessions()).isTrue();
                var drained = c.call(Protocol.ANNOUNCE_DRAIN, new Params.Drain(true), Results.Announcements.class, CALL);
                assertThat(drained.draining()).isTrue();
                assertThat(drained.daemon()).isEqualTo("bird");
                assertThat(Netns.await(DEADLINE, () -> !routerHasVip())).as("withdrawn when drained").isTrue();
                var status = c.call(Protocol.ANNOUNCE_GET, Params.None.NONE, Results.Announcements.class, CALL);
                assertThat(status.vips()).singleElement().satisfies(v -> {
                    assertThat(v.vip()).isEqualTo(VIP);
                    assertThat(v.healthy()).isTrue();
                    assertThat(v.wanted()).isFalse();
                    assertThat(v.announced()).isFalse();
                    assertThat(v.problem()).isNull();
                });
                // the console hears of it without polling: an event once BIRD withdrew the VIP
                assertThat(Netns.await(DEADLINE, () -> changes.stream().map(AgentEvent.AnnounceChanged::announcements)
                        .anyMatch(a -> a.draining() && Boolean.FALSE.equals(a.vips().getFirst().announced()))))
                        .as("announce.changed while drained: " + changes).isTrue();
                c.call(Protocol.ANNOUNCE_DRAIN, new Params.Drain(false), Results.Announcements.class, CALL);
                assertThat(Netns.await(DEADLINE, this::routerHasVip)).as("back in service").isTrue();
                assertThat(Netns.await(DEADLINE, () -> changes.getLast().announcements().equals(new Results.Announcements(
                        "bird", false, List.of(new Results.Announcement(VIP, true, true, true, null)),
                        List.of(new Results.BgpSession("upstream", true, "Established"))))))
                        .as("announce.changed back in service: " + changes.getLast()).isTrue();
            }

            nginx.stop();
            assertThat(Netns.await(DEADLINE, () -> !routerHasVip())).as("withdrawn when quorum is lost").isTrue();
            nginx.start();
            assertThat(Netns.await(DEADLINE, this::routerHasVip)).as("announced again").isTrue();

            assertThat(agent.stop()).as("a graceful stop").isZero();
            assertThat(routerHasVip()).as("withdrawn before the agent exited").isFalse();

            var again = PharosAgent.restart(director, dir, "agent", PharosAgent.Launch.DEFAULT.withRunArguments(
                    List.of("--balancer", "userspace", "--announce", dir.resolve("announce.conf").toString())));
            assertThat(Netns.await(DEADLINE, this::routerHasVip)).as("a new agent announces").isTrue();
            again.kill();
            assertThat(routerHasVip()).as("a crash leaves BIRD announcing").isTrue();
            var withdraw = director.exec(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), Main.class.getName(), "withdraw", "--announce",
                    dir.resolve("announce.conf").toString());
            assertThat(withdraw.exitCode()).as(withdraw.output()).isZero();
            assertThat(withdraw.output()).contains("withdrew " + VIP);
            assertThat(Netns.await(DEADLINE, () -> !routerHasVip())).as("ExecStopPost's withdraw").isTrue();
        }
    }
}
