package dev.pharos.console.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pharos.agent.announce.Bird;
import dev.pharos.agent.api.Methods;
import dev.pharos.agent.api.Params;
import dev.pharos.agent.api.RpcException;
import dev.pharos.agent.control.ControlClient;
import dev.pharos.console.ConsoleWindow;
import dev.pharos.console.connect.AgentClient;
import dev.pharos.console.connect.AgentLink;
import dev.pharos.console.connect.Connector;
import dev.pharos.console.connect.DirectorConnection;
import dev.pharos.console.connect.DirectorEndpoint;
import dev.pharos.console.edit.EditService;
import dev.pharos.console.model.ClusterModel;
import dev.pharos.console.model.Liveness;
import dev.pharos.testing.Netns;
import dev.pharos.testing.Nginx;
import dev.pharos.testing.PharosAgent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/// The console against real agents: two directors in namespaces, each a Pharos agent (`run
/// --announce`, user-space balancer) beside its own BIRD, one real server (nginx) and a router
/// (BIRD, iBGP with both). The console draws the VIP as announced by both; dragging one director
/// onto Out of service takes its path off the router while the other's stays, and dragging it
/// back onto the VIP brings the path back.
@ExtendWith(ApplicationExtension.class)
class TopologyEcmpAgentsTest {

    static final Duration DEADLINE = Duration.ofSeconds(90);
    static final String VIP = "192.0.2.10";
    static final String VS = "tcp/192.0.2.10:80";
    static final List<String> DIRECTORS = List.of("d1", "d2");

    @TempDir
    Path dir;
    Netns net;
    final List<AutoCloseable> closing = new ArrayList<>();
    final Map<String, PharosAgent> agents = new LinkedHashMap<>();
    final Map<String, DirectorConnection> connections = new LinkedHashMap<>();

    ClusterModel cluster;
    EditService edits;
    ConsoleWindow window;

    @Start
    void start(Stage stage) {
        cluster = ClusterModel.onFxThread("ecmp");
        edits = EditService.onFxThread(cluster, connections);
        cluster.commandsTo(connections);
        window = new ConsoleWindow(cluster, edits);
        var scene = new Scene(window, 1280, 800);
        scene.getStylesheets().addAll(ConsoleWindow.stylesheets());
        stage.setScene(scene);
        stage.show();
    }

    @AfterEach
    void cleanUp() throws Exception {
        connections.values().forEach(DirectorConnection::close);
        for (var c : closing.reversed()) {
            c.close();
        }
        if (net != null) {
            net.close();
        }
    }

    static void await(Callable<Boolean> condition, String what) throws Exception {
        try {
            WaitForAsyncUtils.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS, condition);
        } catch (TimeoutException e) {
            // the assertion below says what was wanted
        }
        assertThat(condition.call()).as(what).isTrue();
    }

    static <T> T fx(Callable<T> c) throws Exception {
        // generous: the machine the tests share may be loaded far beyond its cores
        return WaitForAsyncUtils.asyncFx(c).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    }

    boolean routerHasPathFrom(String director) {
        return Bird.hasRouteFrom(Bird.socket(dir, "router"), VIP + "/32", director);
    }

    /// The router's BIRD: one iBGP session per director, each named after it.
    String routerConf() {
        var b = new StringBuilder("router id 192.0.2.254;\nprotocol device { }\n");
        for (int i = 1; i <= DIRECTORS.size(); i++) {
            b.append("""
                    protocol bgp d%d {
                        local 192.0.2.254 as 64500;
                        neighbor 192.0.2.%d as 64500;
                        connect retry time 1;
                        ipv4 { import all; export none; };
                    }
                    """.formatted(i, i));
        }
        return b.toString();
    }

    /// Starts director `name` (address 192.0.2.N): the VIP on its loopback, its BIRD, its agent.
    void director(int n, String name) throws IOException {
        var host = net.host(name, "192.0.2." + n + "/24");
        host.exec("ip", "addr", "add", VIP + "/32", "dev", "lo");
        Files.writeString(dir.resolve("bird-" + name + ".conf"), """
                router id 192.0.2.%d;
                protocol device { }
                protocol static pharos_192_0_2_10 { disabled; ipv4; route 192.0.2.10/32 blackhole; }
                protocol bgp upstream {
                    local 192.0.2.%d as 64500;
                    neighbor 192.0.2.254 as 64500;
                    connect retry time 1;
                    ipv4 { import none; export where proto ~ "pharos_*"; };
                }
                """.formatted(n, n));
        Bird.start(host, dir, "bird-" + name);
        Files.writeString(dir.resolve("announce-" + name + ".conf"), """
                announce {
                    daemon bird
                    socket %s
                    recheck 1
                    warmup 0.5
                    withdraw_delay 0
                    vip %s
                }
                """.formatted(Bird.socket(dir, "bird-" + name), VIP));
        var agent = PharosAgent.start(host, dir, name, """
                global_defs {
                    router_id %s
                }
                virtual_server 192.0.2.10 80 {
                    delay_loop 1
                    lb_algo mh
                    lb_kind NAT
                    protocol TCP
                    real_server 192.0.2.20 80 {
                        weight 1
                        TCP_CHECK {
                            connect_timeout 1
                        }
                    }
                }
                """.formatted(name), "--balancer", "userspace", "--announce",
                dir.resolve("announce-" + name + ".conf").toString());
        closing.add(agent);
        agents.put(name, agent);
    }

    /// The console's link to an agent here: its control socket, as SSH would forward it.
    AgentLink connect(DirectorEndpoint endpoint, Duration timeout) throws IOException {
        var client = ControlClient.connect(agents.get(endpoint.name()).socket());
        try {
            return new AgentLink(endpoint, client, new AgentClient(client, timeout).call(Methods.HELLO, Params.None.NONE));
        } catch (RpcException | IOException e) {
            client.close();
            throw new IOException(endpoint.name() + ": " + e.getMessage(), e);
        }
    }

    String text(FxRobot robot, String id) throws Exception {
        return fx(() -> robot.lookup(n -> id.equals(n.getId())).tryQueryAs(Label.class).map(Label::getText).orElse(""));
    }

    @Test
    void aRealDirectorIsDrainedFromTheRouterAndBroughtBack(FxRobot robot) throws Exception {
        assumeTrue(Netns.available() && Files.isExecutable(Bird.BIRD) && Nginx.available(),
                "needs root, ip, BIRD 2 and nginx");
        net = Netns.create();
        var router = net.host("rtr", "192.0.2.254/24");
        Files.writeString(dir.resolve("router.conf"), routerConf());
        Bird.start(router, dir, "router");
        var web = net.host("web", "192.0.2.20/24");
        closing.add(Nginx.start(web, dir.resolve("web"), "web", 80));
        for (int i = 0; i < DIRECTORS.size(); i++) {
            director(i + 1, DIRECTORS.get(i));
        }

        closing.add(edits);
        Connector connector = this::connect;
        fx(() -> {
            for (var name : DIRECTORS) {
                connections.put(name, new DirectorConnection(new DirectorEndpoint(name, "netns", 0, null, null, null,
                        null), connector, cluster.listenerFor(name), Duration.ofMillis(500), Duration.ofSeconds(10))
                        .start());
            }
            return null;
        });

        await(() -> routerHasPathFrom("d1") && routerHasPathFrom("d2"), "the router has a path through each director");
        await(() -> text(robot, "vs-ecmp-" + VS).equals("ECMP · 2 of 2 announce"), "drawn as announced by both: "
                + text(robot, "vs-ecmp-" + VS));
        await(() -> fx(() -> cluster.directors().stream().allMatch(d -> d.livenessProperty().get() == Liveness.LIVE)),
                "both live");
        await(() -> text(robot, "director-bgp-d2").equals("router upstream: up"), "d2's BGP session as BIRD reports it: "
                + text(robot, "director-bgp-d2"));

        robot.drag("#director-d2").dropTo("#out-of-service");
        await(() -> !routerHasPathFrom("d2"), "d2's path withdrawn from the router");
        assertThat(routerHasPathFrom("d1")).as("d1's stays").isTrue();
        await(() -> window.topology().linkClasses("d2", VS).contains("link-announce-draining"),
                "d2 drawn as out of service: " + fx(() -> window.topology().linkClasses("d2", VS)));
        await(() -> text(robot, "vs-ecmp-" + VS).equals("ECMP · 1 of 2 announce"), "one announces");

        robot.drag("#director-d2").dropTo(fx(() -> window.topology().nodeFor(VS).orElseThrow()));
        await(() -> routerHasPathFrom("d2"), "d2's path back on the router");
        await(() -> text(robot, "vs-ecmp-" + VS).equals("ECMP · 2 of 2 announce"), "both announce again");
        assertThat(fx(() -> window.topology().linkClasses("d2", VS))).contains("link-announce-announced");
    }
}
