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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import javafx.concurrent.Worker;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.stage.Stage;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/// What keeps the topology fast at scale, checked on the real scene: a structural change keeps
/// the nodes it does not touch; nodes far off-screen leave the scene graph and come back when
/// panned into view (still draggable, still drop targets); the PNG export still draws everything.
@ExtendWith(ApplicationExtension.class)
class TopologyScaleTest {

    static final String RS_11 = "tcp/192.0.2.100:80|198.51.100.11:80";
    static final String RS_12 = "tcp/192.0.2.100:80|198.51.100.12:80";
    static final String RS_443 = "tcp/192.0.2.100:443|198.51.100.11:443";
    static final String VS_80 = "tcp/192.0.2.100:80";
    static final String VS_443 = "tcp/192.0.2.100:443";

    FakeAgent master;
    FakeAgent backup;
    ClusterModel cluster;
    ConsoleWindow window;
    final Map<String, DirectorConnection> connections = new LinkedHashMap<>();
    EditService edits;

    @Start
    void start(Stage stage) throws Exception {
        master = new FakeAgent("lvs-master", "MASTER", FakeAgent.DUAL_MASTER);
        backup = new FakeAgent("lvs-backup", "BACKUP", FakeAgent.DUAL_MASTER.replace("priority 100", "priority 98"));
        cluster = ClusterModel.onFxThread("seed");
        edits = EditService.onFxThread(cluster, connections);
        window = new ConsoleWindow(cluster, edits);
        window.topology().setNewServerPrompt((vs, s) -> Optional.of(new TopologyViewModel.NewServer("198.51.100.20", null, 2)));
        for (var agent : new FakeAgent[] {master, backup}) {
            var endpoint = new DirectorEndpoint(agent == master ? "lvs-master" : "lvs-backup", "in-memory", 0, null,
                    null, null, null);
            connections.put(endpoint.name(), new DirectorConnection(endpoint, agent::connect,
                    cluster.listenerFor(endpoint.name()), Duration.ofMillis(300), Duration.ofSeconds(5)).start());
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
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, condition);
        assertThat(condition.call()).as(what).isTrue();
    }

    <T> T fx(Callable<T> c) throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        return WaitForAsyncUtils.asyncFx(c).get();
    }

    Optional<Node> node(String key) throws Exception {
        return fx(() -> window.topology().nodeFor(key));
    }

    boolean inScene(String key) throws Exception {
        return fx(() -> window.topology().nodeFor(key).map(n -> window.topology().isInScene(n)).orElse(false));
    }

    void ready() throws Exception {
        await(() -> node(RS_12).isPresent() && node(RS_443).isPresent(), "the seed topology drawn");
        await(() -> cluster.directors().stream().allMatch(d -> d.livenessProperty().get() == Liveness.LIVE), "both live");
    }

    /// Pans the drawing (as the operator's drag on the background does) by setting its offset.
    void panTo(double x, double y) throws Exception {
        fx(() -> {
            var zoomGroup = window.topology().canvas().getParent();
            zoomGroup.setTranslateX(x);
            zoomGroup.setTranslateY(y);
            return null;
        });
    }

    @Test
    void aStructuralChangeKeepsTheNodesItDoesNotTouch(FxRobot robot) throws Exception {
        ready();
        var untouchedRs = node(RS_443).orElseThrow();
        var untouchedVs = node(VS_80).orElseThrow();
        var sibling = node(RS_11).orElseThrow();
        int createdBefore = fx(() -> window.topology().nodesCreated());
        int syncsBefore = fx(() -> window.topology().syncCount());

        robot.drag("#palette-real-server").dropTo(untouchedVs);
        await(() -> node("tcp/192.0.2.100:80|198.51.100.20:80").isPresent(), "the new server drawn");

        assertThat(fx(() -> window.topology().syncCount())).as("a structural update ran").isGreaterThan(syncsBefore);
        assertThat(node(RS_443)).as("a server of another virtual server").containsSame(untouchedRs);
        assertThat(node(RS_11)).as("a sibling in the same virtual server").containsSame(sibling);
        assertThat(node(VS_80)).as("the virtual server it was added to").containsSame(untouchedVs);
        // The new server's card and its link, drawn again when the second director reports it
        // too (its models changed): 2 or 4 nodes. A full redraw would be 14 (2 directors, 2
        // virtual servers, 4 real servers, 4 links to them, 2 director links at least).
        assertThat(fx(() -> window.topology().nodesCreated()) - createdBefore).isBetween(2, 4);
    }

    @Test
    void offScreenNodesLeaveTheSceneAndComeBackWhenPannedIntoView() throws Exception {
        ready();
        assertThat(inScene(RS_11)).isTrue();
        assertThat(inScene(VS_443)).isTrue();

        panTo(-20_000, -20_000);
        await(() -> !inScene(RS_11) && !inScene(VS_443) && !inScene(RS_443), "far off-screen nodes culled");
        assertThat(fx(() -> window.topology().canvas().lookupAll(".real-server"))).as("no card in the scene").isEmpty();
        assertThat(node(RS_11)).as("a culled server still has its node, kept current").isPresent();

        // The export still pictures everything, and leaves the culling as it was.
        var file = Path.of("target", "screenshots", "topology-culled-export.png");
        Files.createDirectories(file.getParent());
        var export = fx(() -> window.topologyModel().exportPng(file, window.topology().picture()));
        await(() -> fx(export::getState) == Worker.State.SUCCEEDED, "exported");
        var image = ImageIO.read(file.toFile());
        var colours = new HashSet<Integer>();
        for (int y = 0; y < image.getHeight(); y += 3) {
            for (int x = 0; x < image.getWidth(); x += 3) {
                colours.add(image.getRGB(x, y));
            }
        }
        assertThat(colours.size()).as("distinct colours in the export (not blank)").isGreaterThan(20);
        assertThat(inScene(RS_11)).as("culled again after the export").isFalse();

        panTo(0, 0);
        await(() -> inScene(RS_11) && inScene(VS_443) && inScene(RS_443), "back in view");
        assertThat(fx(() -> window.topology().canvas().lookupAll(".real-server"))).hasSize(3);
        assertThat(fx(() -> window.topology().canvas().lookupAll(".rs-title"))).as("cards show their text").hasSize(3);
    }

    /// A pan within the margin kept around the view costs no cull (a walk over every drawn item);
    /// one that reaches the margin's inner half does.
    @Test
    void panningWithinTheMarginDoesNotCullAgain() throws Exception {
        ready();
        panTo(0, 0);
        int before = fx(() -> window.topology().cullCount());
        for (int x = 10; x <= 100; x += 10) {
            panTo(-x, -x / 2.0);
            WaitForAsyncUtils.waitForFxEvents();
        }
        assertThat(fx(() -> window.topology().cullCount())).as("a pan of 100 px in a 970 px view").isEqualTo(before);

        panTo(-20_000, 0);
        await(() -> !inScene(VS_443), "culled once the view left what the scene holds");
        assertThat(fx(() -> window.topology().cullCount())).isGreaterThan(before);
    }

    @Test
    void aDragOntoAVirtualServerThatWasOffScreenStillWorks(FxRobot robot) throws Exception {
        ready();
        panTo(-20_000, 0);
        await(() -> !inScene(VS_443) && !inScene(RS_12), "culled");
        panTo(0, 0);
        await(() -> inScene(VS_443) && inScene(RS_12), "back in view");

        robot.drag(node(RS_12).orElseThrow()).dropTo(node(VS_443).orElseThrow());
        await(() -> node("tcp/192.0.2.100:443|198.51.100.12:443").isPresent(), "moved");
        await(() -> node(RS_12).isEmpty(), "gone from :80");
        for (var agent : new FakeAgent[] {master, backup}) {
            assertThat(agent.edits()).singleElement().satisfies(c -> {
                assertThat(c.method()).isEqualTo("realServer.move");
                assertThat(c.params().get("toVirtualServer").asText()).isEqualTo(VS_443);
            });
        }
    }
}
