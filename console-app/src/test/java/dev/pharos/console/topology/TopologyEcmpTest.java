package dev.pharos.console.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.console.ConsoleWindow;
import dev.pharos.console.FakeAgent;
import dev.pharos.console.connect.DirectorConnection;
import dev.pharos.console.connect.DirectorEndpoint;
import dev.pharos.console.edit.EditService;
import dev.pharos.console.model.ClusterModel;
import dev.pharos.console.model.Liveness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javafx.concurrent.Worker;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/// The real scene, headless, with three in-memory agents that each announce one VIP through a
/// routing daemon (several active directors behind ECMP, no VRRP): the VIP's card says how many
/// announce it, each director's link says whether it does; dragging a director onto Out of
/// service drains it (`announce.drain` to that director only), dragging it back onto the VIP
/// returns it, and undo returns a drain too. Asserted on both sides: the calls the agents received
/// and what the view draws.
@ExtendWith(ApplicationExtension.class)
class TopologyEcmpTest {

    static final String VIP = "192.0.2.10";
    static final String VS = "tcp/192.0.2.10:80";
    static final List<String> NAMES = List.of("dir-1", "dir-2", "dir-3");
    /// What each director carries: one virtual server on the VIP, no VRRP instance (the VIP is on
    /// the loopback and BGP announces it).
    static final String ECMP = """
            virtual_server 192.0.2.10 80 {
                delay_loop 3
                lb_algo mh
                lb_kind DR
                protocol TCP
                real_server 198.51.100.11 80 {
                    weight 1
                }
                real_server 198.51.100.12 80 {
                    weight 1
                }
            }
            """;

    final Map<String, FakeAgent> agents = new LinkedHashMap<>();
    final Map<String, DirectorConnection> connections = new LinkedHashMap<>();
    ClusterModel cluster;
    ConsoleWindow window;
    EditService edits;

    @Start
    void start(Stage stage) throws Exception {
        cluster = ClusterModel.onFxThread("ecmp");
        edits = EditService.onFxThread(cluster, connections);
        cluster.commandsTo(connections);
        window = new ConsoleWindow(cluster, edits);
        for (var name : NAMES) {
            var agent = new FakeAgent(name, "BACKUP", ECMP);
            agent.announcing("bird", List.of(VIP));
            agents.put(name, agent);
            var endpoint = new DirectorEndpoint(name, "in-memory", 0, null, null, null, null);
            connections.put(name, new DirectorConnection(endpoint, agent::connect, cluster.listenerFor(name),
                    Duration.ofMillis(300), Duration.ofSeconds(5)).start());
        }
        var scene = new Scene(window, 1280, 800);
        scene.getStylesheets().addAll(ConsoleWindow.stylesheets());
        stage.setScene(scene);
        stage.show();
    }

    @AfterEach
    void stop() {
        connections.values().forEach(DirectorConnection::close);
        edits.close();
    }

    static void await(Callable<Boolean> condition, String what) throws Exception {
        try {
            WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, condition);
        } catch (TimeoutException e) {
            // the assertion below says what was wanted
        }
        assertThat(condition.call()).as(what).isTrue();
    }

    static <T> T fx(Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(60, TimeUnit.SECONDS);
    }

    /// The classes of the link from `director`'s card to the VIP's card (the drawing keys it by both).
    List<String> classesOfLinkFrom(String director) throws Exception {
        return fx(() -> window.topology().linkClasses(director, VS));
    }

    String text(FxRobot robot, String id) throws Exception {
        // by predicate: a virtual server's id (`tcp/192.0.2.10:80`) is no CSS selector
        return fx(() -> robot.lookup(n -> id.equals(n.getId())).queryAs(Label.class).getText());
    }

    List<String> drains(String director) {
        return agents.get(director).calls().stream().filter(c -> c.method().equals("announce.drain"))
                .map(c -> c.params().get("drain").asText()).toList();
    }

    @Test
    void aDirectorIsDraggedOutOfServiceAndBack(FxRobot robot) throws Exception {
        await(() -> fx(() -> cluster.directors().size() == 3 && cluster.directors().stream().allMatch(d ->
                d.livenessProperty().get() == Liveness.LIVE && d.announcementsProperty().get() != null)),
                "three live directors that announce");
        await(() -> text(robot, "vs-ecmp-" + VS).equals("ECMP · 3 of 3 announce"), "all three announce");
        for (var name : NAMES) {
            assertThat(classesOfLinkFrom(name)).contains("link-announce-announced").doesNotContain("link-master");
            assertThat(text(robot, "director-announce-" + name)).isEqualTo("BGP · bird · announces " + VIP);
            assertThat(text(robot, "director-bgp-" + name)).isEqualTo("router upstream: up");
        }

        // out of service: onto the drop zone
        robot.drag("#director-dir-2").dropTo("#out-of-service");
        await(() -> drains("dir-2").equals(List.of("true")), "announce.drain(true) to dir-2: " + drains("dir-2"));
        assertThat(drains("dir-1")).as("the others are left alone").isEmpty();
        assertThat(drains("dir-3")).isEmpty();
        await(() -> classesOfLinkFrom("dir-2").contains("link-announce-draining"), "dir-2's link drawn as draining");
        await(() -> text(robot, "vs-ecmp-" + VS).equals("ECMP · 2 of 3 announce"), "two announce");
        assertThat(text(robot, "director-announce-dir-2")).isEqualTo("out of service · all withdrawn");
        assertThat(classesOfLinkFrom("dir-1")).contains("link-announce-announced");
        assertThat(fx(() -> cluster.timeline().stream().anyMatch(e -> e.director().equals("dir-2")
                && e.text().contains("out of service")))).as("the timeline says so").isTrue();

        screenshot();

        // back: onto the VIP it announces
        robot.drag("#director-dir-2").dropTo(fx(() -> window.topology().nodeFor(VS).orElseThrow()));
        await(() -> drains("dir-2").equals(List.of("true", "false")), "announce.drain(false): " + drains("dir-2"));
        await(() -> classesOfLinkFrom("dir-2").contains("link-announce-announced"), "announced again");
        await(() -> text(robot, "vs-ecmp-" + VS).equals("ECMP · 3 of 3 announce"), "three again");

        // undo takes it out again: the inverse of "back in service"
        fx(() -> {
            window.topologyModel().undo();
            return null;
        });
        await(() -> drains("dir-2").equals(List.of("true", "false", "true")), "undone: " + drains("dir-2"));
        await(() -> classesOfLinkFrom("dir-2").contains("link-announce-draining"), "draining after the undo");
    }

    /// The picture docs/console.md shows: into docs/screens with `-Dpharos.docs.screens=true`, else
    /// into target/docs-screens.
    void screenshot() throws Exception {
        var docs = Boolean.getBoolean("pharos.docs.screens");
        var dir = docs ? Path.of("..", "docs", "screens") : Path.of("target", "docs-screens");
        Files.createDirectories(dir);
        var file = dir.resolve("ecmp-directors.png");
        WaitForAsyncUtils.waitForFxEvents();
        var export = fx(() -> window.topologyModel().exportPng(file, window.topology().picture()));
        await(() -> fx(export::getState) == Worker.State.SUCCEEDED, "exported " + file);
        assertThat(Files.size(file)).isGreaterThan(10_000);
    }
}
