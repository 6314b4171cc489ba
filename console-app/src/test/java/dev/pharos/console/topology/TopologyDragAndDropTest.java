package dev.pharos.console.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.api.AgentState;
import dev.pharos.agent.api.Methods;
import dev.pharos.agent.api.Params;
import dev.pharos.console.ConsoleWindow;
import dev.pharos.console.FakeAgent;
import dev.pharos.console.connect.DirectorConnection;
import dev.pharos.console.connect.DirectorEndpoint;
import dev.pharos.console.edit.EditService;
import dev.pharos.console.model.ClusterModel;
import dev.pharos.console.model.Liveness;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javafx.concurrent.Worker;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.input.ContextMenuEvent;
import javafx.scene.input.KeyCode;
import javafx.scene.input.MouseButton;
import javafx.stage.Stage;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/// The real scene, headless: drag a real server to another virtual server, from the palette, onto
/// the bin; a refused edit snaps back with the agent's error; a dead director turns unknown.
/// Asserted on both sides: the calls the agents received and the view's final state.
@ExtendWith(ApplicationExtension.class)
class TopologyDragAndDropTest {


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
        cluster.commandsTo(connections);
        window = new ConsoleWindow(cluster, edits);
        window.topology().setNewServerPrompt((vs, s) -> Optional.of(new TopologyViewModel.NewServer("198.51.100.20", null, 2)));
        for (var agent : new FakeAgent[] {master, backup}) {
            var name = agent == master ? "lvs-master" : "lvs-backup";
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
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, condition);
        assertThat(condition.call()).as(what).isTrue();
    }

    /// The node drawn for `key` now (the view redraws on every change: never keep one across a change).
    Optional<Node> node(String key) throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        return WaitForAsyncUtils.asyncFx(() -> window.topology().nodeFor(key)).get();
    }

    void awaitNode(String key, boolean present) throws Exception {
        await(() -> node(key).isPresent() == present, key + (present ? " shown" : " gone"));
    }

    @Test
    void dragMovesAddsAndRemovesOnEveryDirector(FxRobot robot) throws Exception {
        awaitNode("tcp/192.0.2.100:80|198.51.100.12:80", true);
        await(() -> cluster.directors().stream().allMatch(d -> d.livenessProperty().get() == Liveness.LIVE), "both live");

        // move: 198.51.100.12:80 onto the :443 virtual server
        robot.drag(node("tcp/192.0.2.100:80|198.51.100.12:80").orElseThrow()).dropTo(node("tcp/192.0.2.100:443").orElseThrow());
        awaitNode("tcp/192.0.2.100:443|198.51.100.12:443", true);
        awaitNode("tcp/192.0.2.100:80|198.51.100.12:80", false);
        for (var agent : new FakeAgent[] {master, backup}) {
            assertThat(agent.edits()).singleElement().satisfies(c -> {
                assertThat(c.method()).isEqualTo("realServer.move");
                assertThat(c.params().get("realServer").asText()).isEqualTo("198.51.100.12:80");
                assertThat(c.params().get("toVirtualServer").asText()).isEqualTo("tcp/192.0.2.100:443");
                assertThat(c.params().get("port").asInt()).isEqualTo(443);
            });
        }

        // add: from the palette onto the :80 virtual server
        robot.drag("#palette-real-server").dropTo(node("tcp/192.0.2.100:80").orElseThrow());
        awaitNode("tcp/192.0.2.100:80|198.51.100.20:80", true);
        assertThat(master.edits().getLast().method()).isEqualTo("realServer.add");
        assertThat(master.edits().getLast().params().get("weight").asInt()).isEqualTo(2);
        assertThat(backup.edits().getLast().method()).isEqualTo("realServer.add");

        // remove: onto the bin
        var rsNode = node("tcp/192.0.2.100:80|198.51.100.11:80").orElseThrow();
        var binNode = robot.lookup("#bin").query();
        var where = WaitForAsyncUtils.asyncFx(() -> {
            var b = new StringBuilder();
            for (var k : List.of("tcp/192.0.2.100:80|198.51.100.11:80", "tcp/192.0.2.100:80|198.51.100.20:80",
                    "tcp/192.0.2.100:443|198.51.100.11:443", "tcp/192.0.2.100:443|198.51.100.12:443")) {
                window.topology().nodeFor(k).ifPresent(n -> b.append(k).append(" at ").append(n.localToScene(n.getBoundsInLocal()))
                        .append(" scene? ").append(n.getScene() != null).append(" id ").append(n.getId()).append('\n'));
            }
            return b + " → " + binNode.localToScreen(binNode.getBoundsInLocal());
        }).get();
        robot.drag(rsNode).dropTo(binNode);
        try {
            awaitNode("tcp/192.0.2.100:80|198.51.100.11:80", false);
        } catch (TimeoutException e) {
            throw new AssertionError("status: " + window.topologyModel().statusProperty().get() + "; " + where
                    + "; edits " + master.edits(), e);
        }
        assertThat(master.edits().getLast().method()).isEqualTo("realServer.remove");
        assertThat(backup.edits().getLast().params().get("realServer").asText()).isEqualTo("198.51.100.11:80");
        assertThat(window.topologyModel().statusProperty().get()).startsWith("applied: remove");

        // undo the removal: it comes back
        robot.clickOn("Undo");
        awaitNode("tcp/192.0.2.100:80|198.51.100.11:80", true);
        assertThat(master.edits().getLast().method()).isEqualTo("realServer.add");
    }

    /// Ctrl+Z means the operator's last edit even while the timeline's filter has the keyboard (the
    /// field took it for its own text), and a click on the topology takes the keyboard back; F1
    /// lists the shortcuts.
    @Test
    void ctrlZUndoesTheLastEditFromTheFilterAndF1ListsTheKeys(FxRobot robot) throws Exception {
        awaitNode("tcp/192.0.2.100:80|198.51.100.12:80", true);
        robot.drag(node("tcp/192.0.2.100:80|198.51.100.12:80").orElseThrow()).dropTo("#bin");
        awaitNode("tcp/192.0.2.100:80|198.51.100.12:80", false);
        robot.clickOn("#timeline-filter").write("lvs");
        robot.press(KeyCode.CONTROL, KeyCode.Z).release(KeyCode.Z, KeyCode.CONTROL);
        awaitNode("tcp/192.0.2.100:80|198.51.100.12:80", true);
        assertThat(master.edits().getLast().method()).isEqualTo("realServer.add");
        assertThat(robot.lookup("#timeline-filter").queryAs(TextField.class).getText())
                .as("the field's own text is left alone").isEqualTo("lvs");

        robot.clickOn(window.topology());
        await(() -> WaitForAsyncUtils.asyncFx(() -> window.topology().isFocused()).get(), "the topology has the keyboard");
        robot.press(KeyCode.F1).release(KeyCode.F1);
        await(() -> robot.lookup("#help-shortcuts").tryQuery().isPresent(), "F1 shows the shortcuts");
        assertThat(robot.lookup("#help-shortcuts").queryAs(TextArea.class).getText()).contains("Ctrl+Z").contains("F1");
    }

    /// Fit shows the whole topology in the window and keeps it so when the window shrinks; a zoom by
    /// hand ends that.
    @Test
    void fitKeepsTheWholeTopologyInTheWindow(FxRobot robot) throws Exception {
        awaitNode("tcp/192.0.2.100:443|198.51.100.11:443", true);
        robot.clickOn("#topology-fit");
        WaitForAsyncUtils.asyncFx(() -> {
            var stage = (Stage) window.getScene().getWindow();
            stage.setWidth(760);
            stage.setHeight(560);
        }).get();
        await(() -> WaitForAsyncUtils.asyncFx(() -> {
            var viewport = window.getScene().lookup(".topology-viewport");
            var area = viewport.localToScene(viewport.getBoundsInLocal());
            var servers = window.topology().rsNodes.values();
            return !servers.isEmpty() && servers.stream().allMatch(n -> {
                if (!window.topology().isInScene(n)) {
                    return false; // culled: off-screen
                }
                var b = n.localToScene(n.getBoundsInLocal());
                return b.getMinX() >= area.getMinX() - 1 && b.getMaxX() <= area.getMaxX() + 1
                        && b.getMinY() >= area.getMinY() - 1 && b.getMaxY() <= area.getMaxY() + 1;
            });
        }).get(), "every real server inside the shrunk window");
    }

    @Test
    void severalRealServersAreSelectedAndRemovedInOneGesture(FxRobot robot) throws Exception {
        awaitNode("tcp/192.0.2.100:80|198.51.100.12:80", true);
        await(() -> cluster.directors().stream().allMatch(d -> d.livenessProperty().get() == Liveness.LIVE), "both live");
        robot.clickOn(node("tcp/192.0.2.100:80|198.51.100.11:80").orElseThrow());
        robot.press(KeyCode.CONTROL).clickOn(node("tcp/192.0.2.100:80|198.51.100.12:80").orElseThrow())
                .release(KeyCode.CONTROL);
        assertThat(window.topology().selectedRealServers()).containsExactly("tcp/192.0.2.100:80|198.51.100.11:80",
                "tcp/192.0.2.100:80|198.51.100.12:80");
        robot.drag(node("tcp/192.0.2.100:80|198.51.100.12:80").orElseThrow()).dropTo("#bin");
        awaitNode("tcp/192.0.2.100:80|198.51.100.11:80", false);
        awaitNode("tcp/192.0.2.100:80|198.51.100.12:80", false);
        for (var agent : new FakeAgent[] {master, backup}) {
            assertThat(agent.edits()).extracting(FakeAgent.Call::method).containsExactly("realServer.remove",
                    "realServer.remove");
        }
        assertThat(window.topology().selectedRealServers()).isEmpty();
    }

    @Test
    void theOperatorsArrangementIsKept(FxRobot robot, @TempDir Path dir)
            throws Exception {
        awaitNode("tcp/192.0.2.100:80|198.51.100.11:80", true);
        var file = dir.resolve("layout-seed.json");
        robot.interact(() -> window.topologyModel().rememberLayoutIn(file));
        var vs = node("tcp/192.0.2.100:80").orElseThrow();
        var rs = node("tcp/192.0.2.100:80|198.51.100.11:80").orElseThrow();
        double vsX = vs.getLayoutX();
        double rsY = rs.getLayoutY();
        robot.drag(vs).moveBy(120, 60).release(MouseButton.PRIMARY);
        await(() -> node("tcp/192.0.2.100:80").map(n -> Math.abs(n.getLayoutX() - (vsX + 120)) < 2).orElse(false),
                "the virtual server stays where it was put");
        await(() -> node("tcp/192.0.2.100:80|198.51.100.11:80").map(n -> Math.abs(n.getLayoutY() - (rsY + 60)) < 2)
                .orElse(false), "its real servers go with it");
        // Written by a task on the window's executor, not by the gesture.
        await(() -> Files.exists(file) && Files.readString(file).contains("vs tcp/192.0.2.100:80")
                && Files.readString(file).contains("\"dx\" : 120"), "the arrangement saved");
    }

    @Test
    void aRefusedMoveSnapsBackAndSaysWhy(FxRobot robot) throws Exception {
        awaitNode("tcp/192.0.2.100:80|198.51.100.11:80", true);
        await(() -> cluster.directors().stream().allMatch(d -> d.livenessProperty().get() == Liveness.LIVE), "both live");
        master.refuseWhen((method, params) -> method.equals("realServer.move"));
        backup.refuseWhen((method, params) -> method.equals("realServer.move"));
        robot.drag(node("tcp/192.0.2.100:80|198.51.100.11:80").orElseThrow()).dropTo(node("tcp/192.0.2.100:443").orElseThrow());
        await(() -> window.topologyModel().statusProperty().get().startsWith("refused"), "the error is shown");
        assertThat(window.topologyModel().statusProperty().get()).contains("refused by the test agent");
        await(() -> node("tcp/192.0.2.100:80|198.51.100.11:80").map(n -> n.getTranslateX() == 0 && n.getTranslateY() == 0)
                .orElse(false), "the server is back where it was");
        assertThat(node("tcp/192.0.2.100:443|198.51.100.11:443")).isPresent(); // the :443 one that was there before
        assertThat(master.edits()).singleElement().satisfies(c -> assertThat(c.method()).isEqualTo("realServer.move"));
        assertThat(cluster.timeline()).anyMatch(e -> e.kind().equals("edit") && e.text().startsWith("refused"));
    }

    /// The status line is red for a refusal and plain again for the next message (it stayed red).
    @Test
    void theStatusColourFollowsEachMessage(FxRobot robot) throws Exception {
        awaitNode("tcp/192.0.2.100:80|198.51.100.11:80", true);
        await(() -> cluster.directors().stream().allMatch(d -> d.livenessProperty().get() == Liveness.LIVE), "both live");
        Label status = robot.lookup("#topology-status").query();
        var plain = WaitForAsyncUtils.asyncFx(status::getTextFill).get();
        master.refuseWhen((method, params) -> method.equals("realServer.move"));
        backup.refuseWhen((method, params) -> method.equals("realServer.move"));
        robot.drag(node("tcp/192.0.2.100:80|198.51.100.11:80").orElseThrow()).dropTo(node("tcp/192.0.2.100:443").orElseThrow());
        await(() -> window.topologyModel().statusProperty().get().startsWith("refused"), "the refusal is shown");
        await(() -> !WaitForAsyncUtils.asyncFx(status::getTextFill).get().equals(plain), "drawn as an error");
        master.refuseWhen((method, params) -> false);
        backup.refuseWhen((method, params) -> false);
        robot.drag(node("tcp/192.0.2.100:80|198.51.100.12:80").orElseThrow()).dropTo(node("tcp/192.0.2.100:443").orElseThrow());
        await(() -> window.topologyModel().statusProperty().get().startsWith("applied"), "the next edit is applied");
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(WaitForAsyncUtils.asyncFx(status::getTextFill).get()).as("the status line's colour after a success")
                .isEqualTo(plain);

    }

    /// A virtual server's card follows an Apply that changes its scheduler (it kept the old one
    /// until some unrelated change redrew it).
    @Test
    void aVirtualServerCardFollowsAnApply(FxRobot robot) throws Exception {
        awaitNode("tcp/192.0.2.100:80", true);
        await(() -> cluster.directors().stream().allMatch(d -> d.livenessProperty().get() == Liveness.LIVE), "both live");
        await(() -> subtitle("tcp/192.0.2.100:80").startsWith("wrr"), "wrr first");
        for (var name : List.of("lvs-master", "lvs-backup")) {
            var d = cluster.director(name).orElseThrow();
            var revision = WaitForAsyncUtils.asyncFx(() -> d.revisionProperty().get()).get();
            var text = (name.equals("lvs-master") ? FakeAgent.DUAL_MASTER
                    : FakeAgent.DUAL_MASTER.replace("priority 100", "priority 98")).replace("lb_algo wrr", "lb_algo rr");
            connections.get(name).call(Methods.CONFIG_APPLY,
                    new Params.ConfigApply(revision, text));
        }
        await(() -> subtitle("tcp/192.0.2.100:80").startsWith("rr"), "the card says rr");
    }

    /// Directors that disagree: the card says drift, the inspector lists the difference; when they
    /// agree again the warning goes.
    @Test
    void directorsThatDisagreeAreShownAsDrift(FxRobot robot) throws Exception {
        awaitNode("tcp/192.0.2.100:80", true);
        await(() -> cluster.directors().stream().allMatch(d -> d.livenessProperty().get() == Liveness.LIVE), "both live");
        assertThat(driftLine("tcp/192.0.2.100:80")).isEmpty();
        var backupText = FakeAgent.DUAL_MASTER.replace("priority 100", "priority 98");
        apply("lvs-backup", backupText.replace("lb_algo wrr", "lb_algo rr"));
        await(() -> driftLine("tcp/192.0.2.100:80").startsWith("drift: 1 difference"), "the card warns");
        robot.clickOn(node("tcp/192.0.2.100:80").orElseThrow());
        await(() -> WaitForAsyncUtils.asyncFx(() -> window.inspector().sheet().getItems().stream()
                .map(i -> String.valueOf(i.getValue())).toList()).get()
                .contains("scheduler: wrr on lvs-master, rr on lvs-backup"), "the inspector lists it");
        apply("lvs-backup", backupText);
        await(() -> driftLine("tcp/192.0.2.100:80").isEmpty(), "no warning once they agree");
    }

    /// One action makes the backup match the master: the edits go to the backup only.
    @Test
    void driftIsRepairedOnTheBackupInOneAction(FxRobot robot) throws Exception {
        awaitNode("tcp/192.0.2.100:80", true);
        await(() -> cluster.directors().stream().allMatch(d -> d.livenessProperty().get() == Liveness.LIVE), "both live");
        var backupText = FakeAgent.DUAL_MASTER.replace("priority 100", "priority 98");
        var drifted = backupText.replace("lb_algo wrr", "lb_algo rr").replaceFirst("weight 1", "weight 3");
        apply("lvs-backup", drifted);
        await(() -> driftLine("tcp/192.0.2.100:80").startsWith("drift: 2 differences"), "the card warns");
        var card = node("tcp/192.0.2.100:80").orElseThrow();
        // The headless platform does not turn a right click into a context-menu request: ask as it would.
        WaitForAsyncUtils.asyncFx(() -> {
            var at = card.localToScreen(10, 10);
            card.fireEvent(new ContextMenuEvent(ContextMenuEvent.CONTEXT_MENU_REQUESTED,
                    10, 10, at.getX(), at.getY(), false, null));
            return null;
        }).get();
        WaitForAsyncUtils.waitForFxEvents();
        robot.clickOn("Make lvs-backup match lvs-master (2 edits)");
        await(() -> driftLine("tcp/192.0.2.100:80").isEmpty(), "no drift once repaired");
        assertThat(master.edits()).as("nothing sent to the master").isEmpty();
        assertThat(backup.edits()).extracting(FakeAgent.Call::method)
                .containsExactly("virtualServer.update", "realServer.update");
        assertThat(backup.edits().getFirst().params().get("scheduler").asText()).isEqualTo("wrr");
    }

    private void apply(String director, String text) throws Exception {
        var revision = WaitForAsyncUtils.asyncFx(() -> cluster.director(director).orElseThrow().revisionProperty().get()).get();
        connections.get(director).call(Methods.CONFIG_APPLY, new Params.ConfigApply(revision, text));
    }

    /// The drift line of the card drawn for virtual server `vsId` now, or "".
    private String driftLine(String vsId) throws Exception {
        var card = (Parent) node(vsId).orElseThrow();
        return WaitForAsyncUtils.asyncFx(() -> card.getChildrenUnmodifiable().stream()
                .filter(n -> n.getStyleClass().contains("drift")).map(n -> ((Label) n).getText())
                .findFirst().orElse("")).get();
    }

    /// The subtitle line of the card drawn for virtual server `vsId` now.
    private String subtitle(String vsId) throws Exception {
        var card = (Parent) node(vsId).orElseThrow();
        return WaitForAsyncUtils.asyncFx(() -> card.getChildrenUnmodifiable().stream()
                .filter(n -> n.getStyleClass().contains("subtitle")).map(n -> ((Label) n).getText())
                .findFirst().orElse("")).get();
    }

    @Test
    void aDirectorThatStopsAnsweringIsReconnecting(FxRobot robot) throws Exception {
        await(() -> cluster.director("lvs-backup").map(d -> d.livenessProperty().get() == Liveness.LIVE).orElse(false),
                "live first");
        backup.goDown();
        await(() -> cluster.director("lvs-backup").map(d -> d.livenessProperty().get() == Liveness.RECONNECTING).orElse(false),
                "reconnecting after the link dies");
        await(() -> robot.lookup("#director-lvs-backup").query().getStyleClass().contains("liveness-reconnecting"),
                "drawn as reconnecting");
        assertThat(robot.lookup("#director-lvs-master").query().getStyleClass()).contains("liveness-live");
        // It is retried with a backoff the card counts down, and "Reconnect now" connects at once.
        await(() -> WaitForAsyncUtils.asyncFx(() -> robot.lookup("#director-status-lvs-backup")
                .queryAs(Label.class).getText()).get().matches("reconnecting in \\d+ s.*"),
                "the card counts down to the next try");
        backup.comeUp();
        WaitForAsyncUtils.asyncFx(() -> cluster.director("lvs-backup").orElseThrow().reconnectNow()).get();
        await(() -> cluster.director("lvs-backup").map(d -> d.livenessProperty().get() == Liveness.LIVE).orElse(false),
                "live again after Reconnect now");
    }

    @Test
    void selectingARealServerChartsItsTraffic(FxRobot robot) throws Exception {
        for (var agent : new FakeAgent[] {master, backup}) {
            agent.traffic(id -> id.equals("198.51.100.11:80")
                    ? new AgentState.Traffic(3, 1, 100, 5000, 90000, 5.0, 250.0, 4500.0)
                    : AgentState.Traffic.NONE);
        }
        awaitNode("tcp/192.0.2.100:80|198.51.100.11:80", true);
        robot.clickOn(node("tcp/192.0.2.100:80|198.51.100.11:80").orElseThrow());
        // The console re-reads the state every few seconds; both directors report 5 connections/s.
        try {
            await(() -> window.traffic().connectionSamples().contains(10.0), "10 connections/s charted");
        } catch (TimeoutException e) {
            throw new AssertionError("samples " + window.traffic().connectionSamples() + " selection "
                    + window.topology().selectionProperty().get() + " traffic "
                    + cluster.director("lvs-master").flatMap(d -> d.virtualServer("tcp/192.0.2.100:80"))
                            .flatMap(v -> v.realServer("198.51.100.11:80")).map(r -> r.trafficProperty().get()), e);
        }
        await(() -> window.inspector().sheet().getItems().stream().anyMatch(i -> i.getName().equals("Active connections")
                && "3".equals(i.getValue())), "the inspector shows the counters");
    }

    @Test
    void screenshotOfTheSeedTopology(FxRobot robot) throws Exception {
        awaitNode("tcp/192.0.2.100:443|198.51.100.11:443", true);
        await(() -> cluster.directors().stream().allMatch(d -> d.livenessProperty().get() == Liveness.LIVE), "both live");
        WaitForAsyncUtils.waitForFxEvents();
        var dir = Path.of("target", "screenshots");
        Files.createDirectories(dir);
        var file = dir.resolve("topology-seed.png");
        var export = WaitForAsyncUtils.asyncFx(() -> window.topologyModel().exportPng(file, window.topology().picture())).get();
        await(() -> WaitForAsyncUtils.asyncFx(export::getState).get() == Worker.State.SUCCEEDED,
                "exported");
        assertThat(window.topologyModel().statusProperty().get()).as("says where it wrote")
                .isEqualTo("exported " + file.toAbsolutePath());
        var image = ImageIO.read(file.toFile());
        assertThat(image.getRGB(0, 0) >>> 24).as("an opaque background, not a transparent one").isEqualTo(0xff);
        var sharp = WaitForAsyncUtils.asyncFx(() -> window.topology().picture(2)).get();
        assertThat(sharp.width()).as("2× for slides").isBetween(2 * image.getWidth() - 2, 2 * image.getWidth() + 2);
        assertThat(image.getWidth()).isGreaterThan(400);
        var colours = new HashSet<Integer>();
        for (int y = 0; y < image.getHeight(); y += 3) {
            for (int x = 0; x < image.getWidth(); x += 3) {
                colours.add(image.getRGB(x, y));
            }
        }
        assertThat(colours.size()).as("distinct colours in the picture (not blank)").isGreaterThan(20);
        var window = dir.resolve("console-seed.png");
        WaitForAsyncUtils.asyncFx(() -> {
            var snap = this.window.getScene().getRoot().snapshot(null, null);
            var out = new BufferedImage((int) snap.getWidth(), (int) snap.getHeight(),
                    BufferedImage.TYPE_INT_ARGB);
            for (int y = 0; y < out.getHeight(); y++) {
                for (int x = 0; x < out.getWidth(); x++) {
                    out.setRGB(x, y, snap.getPixelReader().getArgb(x, y));
                }
            }
            ImageIO.write(out, "png", window.toFile());
            return null;
        }).get();
        assertThat(Files.size(window)).isGreaterThan(10_000);
    }
}
