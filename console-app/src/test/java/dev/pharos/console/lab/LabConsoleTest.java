package dev.pharos.console.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.pharos.agent.api.Methods;
import dev.pharos.agent.api.Params;
import dev.pharos.agent.lab.Lab;
import dev.pharos.console.connect.AgentClient;
import dev.pharos.console.model.Health;
import dev.pharos.console.model.Liveness;
import dev.pharos.console.model.VrrpState;
import java.awt.image.BufferedImage;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Spinner;
import javafx.scene.control.TabPane;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import javax.imageio.ImageIO;
import org.controlsfx.control.PropertySheet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/// The console on its lab, headless: both VIPs on their masters, "stop director" on lvs-master
/// moves VIP1 to lvs-backup and the clients' requests through VIP1 resume there; starting it again
/// brings the VIP back (preemption). A broken pair is refused and the running lab stays.
@ExtendWith(ApplicationExtension.class)
class LabConsoleTest extends LabWindowTest {

    @Start
    void start(Stage stage) {
        show(stage, 1280, 800);
    }

    boolean master(String director, String instance) {
        return cluster.director(director).flatMap(d -> d.instance(instance))
                .map(i -> i.stateProperty().get() == VrrpState.MASTER).orElse(false)
                && cluster.director(director).map(d -> d.livenessProperty().get() == Liveness.LIVE).orElse(false);
    }

    String vip1() throws Exception {
        return WaitForAsyncUtils.asyncFx(() -> panel.view().vipLabel("192.0.2.100").getText()).get();
    }

    @Test
    void stopDirectorMovesTheVipAndTheTrafficFollows(FxRobot robot) throws Exception {
        await(60, () -> panel.view() != null && master("lvs-master", "VI_1") && master("lvs-backup", "VI_2"));
        assertThat(robot.lookup("#lab-hint").queryAs(Label.class).getText()).as("a first step for a class")
                .contains("Stop lvs-master");
        await(30, () -> vip1().contains("→ lvs-master →"));

        robot.clickOn("#lab-stop-lvs-master");
        await(10, () -> !robot.lookup("#lab-hint").queryAs(Label.class).isVisible());
        await(30, () -> master("lvs-backup", "VI_1"));
        await(30, () -> vip1().contains("→ lvs-backup →"));
        assertThat(mode.session().lab().holders((Inet4Address) InetAddress.getByName("192.0.2.100"))).containsExactly("lvs-backup");
        await(30, () -> cluster.director("lvs-master").map(d -> d.livenessProperty().get() != Liveness.LIVE).orElse(false));
        assertThat(robot.lookup("#director-lvs-master").query().getStyleClass()).doesNotContain("liveness-live");
        await(10, () -> mode.session().explanations().stream().anyMatch(x -> x.contains("lvs-backup (VI_1")
                && x.contains("priority 0") && x.contains("Skew_Time")));
        screenshot("lab-after-stop.png");

        robot.clickOn("#lab-start-lvs-master");
        await(60, () -> master("lvs-master", "VI_1"));
        await(30, () -> vip1().contains("→ lvs-master →"));
        assertThat(cluster.timeline()).anyMatch(e -> e.kind().equals("scenario") && e.subject().startsWith("stop lvs-master"));
    }

    String paused() throws Exception {
        return WaitForAsyncUtils.asyncFx(() -> ((Label) window.getScene().lookup("#lab-paused"))
                .getText()).get();
    }

    /// Where the first director's Stop button is in the lab panel (after a layout pass).
    double controlY() throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        return WaitForAsyncUtils.asyncFx(() -> {
            var stop = window.getScene().lookup("#lab-stop-lvs-master");
            return stop.localToScene(stop.getBoundsInLocal()).getMinY() + panelScroll();
        }).get();
    }

    /// How far the lab panel is scrolled, in pixels (the button's scene position moves with it).
    double panelScroll() {
        var scroll = (ScrollPane) window.getScene().lookup("#lab-panel");
        var content = scroll.getContent().getBoundsInLocal().getHeight();
        var viewport = scroll.getViewportBounds().getHeight();
        return Math.max(0, content - viewport) * scroll.getVvalue();
    }

    @Test
    void stepByStepPausesAtEachTransitionAndExplainsIt(FxRobot robot) throws Exception {
        await(60, () -> panel.view() != null && master("lvs-master", "VI_1") && master("lvs-backup", "VI_2"));
        robot.clickOn("#lab-step");
        await(10, () -> paused().startsWith("Running"));
        assertThat(robot.lookup("#lab-continue").queryButton().isDisabled()).isTrue();

        var runningAt = controlY();
        robot.clickOn("#lab-stop-lvs-master");
        await(30, () -> paused().startsWith("Paused at lvs-master"));
        assertThat(robot.lookup("#lab-continue").queryButton().isDisabled()).isFalse();
        assertThat(controlY()).as("the controls stay where they were when the lab pauses").isCloseTo(runningAt, within(3.0));
        assertThat(mode.session().lab().stepGate().paused()).isNotNull();

        // the stop's other transition happened during the pause: it is shown next, not skipped
        robot.clickOn("#lab-continue");
        await(30, () -> paused().startsWith("Paused at lvs-master VI_2: BACKUP → INITIALIZE"));
        robot.clickOn("#lab-continue");
        await(30, () -> paused().startsWith("Paused at lvs-backup VI_1: BACKUP → MASTER"));
        assertThat(paused()).contains("priority 0").contains("Skew_Time");
        screenshot("lab-step-paused.png");

        robot.clickOn("#lab-step");
        await(30, () -> master("lvs-backup", "VI_1"));
        await(10, () -> paused().isEmpty());
        assertThat(mode.session().lab().stepGate().paused()).isNull();
    }

    @Test
    void aPartitionIsShownAsASplitBrain(FxRobot robot) throws Exception {
        await(60, () -> panel.view() != null && master("lvs-master", "VI_1") && master("lvs-backup", "VI_2"));
        assertThat(cluster.splitBrains()).isEmpty();
        reveal(robot, "#lab-partition");
        robot.clickOn("#lab-partition");
        await(30, () -> master("lvs-master", "VI_2") && master("lvs-backup", "VI_1"));
        // Two masters for Master_Down_Interval (3.6 s at advert_int 1) after the backup's own
        // Master_Down_Interval: about 7.3 s; generous for a busy machine.
        await(30, () -> cluster.splitBrains().size() == 2);
        var vrid90 = cluster.splitBrains().keySet().stream().filter(k -> k.startsWith("VRID 90 (192.0.2.100"))
                .findFirst().orElseThrow(() -> new AssertionError(cluster.splitBrains()));
        assertThat(cluster.splitBrains().get(vrid90)).containsExactly("lvs-master", "lvs-backup");
        assertThat(cluster.director("lvs-backup").flatMap(d -> d.instance("VI_1")).orElseThrow()
                .splitBrainProperty().get()).isTrue();
        await(10, () -> WaitForAsyncUtils.asyncFx(() -> robot.lookup("#director-lvs-backup").queryAs(
                VBox.class).getChildren().stream().anyMatch(n -> n.getStyleClass()
                        .contains("split-brain") && ((Label) n).getText().equals("VI_1 SPLIT BRAIN")))
                .get());
        screenshot("lab-split-brain.png");
        assertThat(cluster.timeline()).anyMatch(e -> e.subject().equals(vrid90)
                && e.text().startsWith("SPLIT BRAIN: MASTER on lvs-master and lvs-backup"));

        reveal(robot, "#lab-heal");
        robot.clickOn("#lab-heal");
        await(30, () -> cluster.splitBrains().isEmpty() && master("lvs-master", "VI_1") && master("lvs-backup", "VI_2"));
        assertThat(cluster.timeline()).anyMatch(e -> e.text().startsWith("split brain over"));
        assertThat(cluster.director("lvs-backup").flatMap(d -> d.instance("VI_1")).orElseThrow()
                .splitBrainProperty().get()).isFalse();
    }

    /// Weights of every real server at `address` on every director, as the console shows them.
    List<Integer> weights(String address) throws Exception {
        return WaitForAsyncUtils.asyncFx(() -> cluster.directors().stream()
                .flatMap(d -> d.virtualServers().stream()).flatMap(v -> v.realServers().stream())
                .filter(r -> address.equals(r.addressProperty().get())).map(r -> r.weightProperty().get()).toList())
                .get();
    }

    @Test
    void drainIsOneClickOnEveryDirector(FxRobot robot) throws Exception {
        await(60, () -> panel.view() != null && master("lvs-master", "VI_1") && master("lvs-backup", "VI_2"));
        await(30, () -> weights("198.51.100.66").size() == 4 && weights("198.51.100.66").stream().allMatch(w -> w > 0));
        reveal(robot, "#lab-drain-198-51-100-66");
        robot.clickOn("#lab-drain-198-51-100-66");
        await(30, () -> weights("198.51.100.66").equals(List.of(0, 0, 0, 0)));
        assertThat(weights("198.51.100.41")).doesNotContain(0);
        var revision = mode.session().lab().connect("lvs-master");
        try (revision) {
            var state = new AgentClient(revision, Duration.ofSeconds(10))
                    .call(Methods.STATE_GET, Params.StateGet.ALL);
            assertThat(state.virtualServers()).allSatisfy(v -> assertThat(v.realServers()).anySatisfy(r -> {
                assertThat(r.address()).isEqualTo("198.51.100.66");
                assertThat(r.weight()).isZero();
            }));
        }
        reveal(robot, "#lab-undrain-198-51-100-66");
        robot.clickOn("#lab-undrain-198-51-100-66");
        await(30, () -> weights("198.51.100.66").equals(List.of(1, 1, 1, 1)));
        assertThat(cluster.timeline()).anyMatch(e -> e.kind().equals("scenario") && e.subject().startsWith("drain"));
    }

    /// The first drag succeeds: the palette offers the lab's spare, web-3, which no virtual server
    /// has yet (the seed's two real servers are in both virtual servers, so moving one was always
    /// refused as a duplicate); dropped on a virtual server it is added on both directors, and its
    /// health check reaches it inside the lab.
    @Test
    void theSpareServerIsOfferedAndItsFirstDragSucceeds(FxRobot robot) throws Exception {
        await(60, () -> panel.view() != null && master("lvs-master", "VI_1") && master("lvs-backup", "VI_2"));
        await(30, () -> robot.lookup("#palette-spare-198-51-100-67").tryQuery().isPresent());
        await(30, () -> WaitForAsyncUtils.asyncFx(() -> window.topology().nodeFor("tcp/192.0.2.100:80").isPresent()).get());
        var target = WaitForAsyncUtils.asyncFx(() -> window.topology().nodeFor("tcp/192.0.2.100:80").orElseThrow()).get();
        robot.drag("#palette-spare-198-51-100-67").dropTo(target);
        await(30, () -> weights("198.51.100.67").size() == 2);
        assertThat(window.topologyModel().statusErrorProperty().get()).as(window.topologyModel().statusProperty().get())
                .isFalse();
        await(60, () -> WaitForAsyncUtils.asyncFx(() -> cluster.directors().stream()
                .flatMap(d -> d.virtualServers().stream()).flatMap(v -> v.realServers().stream())
                .filter(r -> r.addressProperty().get().equals("198.51.100.67"))
                .allMatch(r -> r.healthProperty().get() == Health.UP)).get());
    }

    /// The priority spinner shows the instance's real priority (it started at 100 for every
    /// instance), and the inspector names the director each block belongs to (it said "#1", "#2").
    @Test
    void controlsAndInspectorShowTheDirectorsTruth(FxRobot robot) throws Exception {
        await(60, () -> panel.view() != null && master("lvs-master", "VI_1") && master("lvs-backup", "VI_2"));
        Spinner<Integer> spinner = robot.lookup("#lab-priority-value-lvs-backup").query();
        await(10, () -> WaitForAsyncUtils.asyncFx(spinner::getValue).get() == 98);
        ComboBox<String> instance = robot.lookup("#lab-instance-lvs-backup").query();
        WaitForAsyncUtils.asyncFx(() -> instance.setValue("VI_2")).get();
        assertThat(WaitForAsyncUtils.asyncFx(spinner::getValue).get()).as("VI_2's priority on lvs-backup").isEqualTo(100);

        var vs = WaitForAsyncUtils.asyncFx(() -> window.topology().nodeFor("tcp/192.0.2.100:80").orElseThrow()).get();
        robot.clickOn(vs);
        assertThat(robot.lookup("#details").queryAs(TabPane.class).getSelectionModel().getSelectedItem().getText())
                .as("the click shows the inspector's tab").isEqualTo("Inspector");
        await(10, () -> WaitForAsyncUtils.asyncFx(() -> window.inspector().sheet().getItems().stream()
                .map(PropertySheet.Item::getCategory).distinct().toList()).get()
                .containsAll(List.of("tcp/192.0.2.100:80 on lvs-master", "tcp/192.0.2.100:80 on lvs-backup")));
    }

    /// Scrolls the lab panel so the node is on screen, as an operator would before clicking.
    static void reveal(FxRobot robot, String query) throws Exception {
        var node = robot.lookup(query).query();
        WaitForAsyncUtils.asyncFx(() -> {
            for (var p = node.getParent(); p != null; p = p.getParent()) {
                if (p instanceof ScrollPane sp) {
                    var content = sp.getContent().getLayoutBounds().getHeight();
                    var view = sp.getViewportBounds().getHeight();
                    var y = sp.getContent().sceneToLocal(node.localToScene(0, 0)).getY();
                    sp.setVvalue(content <= view ? 0 : Math.min(1, Math.max(0, (y - 10) / (content - view))));
                    break;
                }
            }
            return null;
        }).get();
        WaitForAsyncUtils.waitForFxEvents();
    }

    /// For a person to look at: target/screenshots/.
    void screenshot(String name) throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        var dir = Path.of("target", "screenshots");
        Files.createDirectories(dir);
        WaitForAsyncUtils.asyncFx(() -> {
            var snap = window.getScene().getRoot().snapshot(null, null);
            var out = new BufferedImage((int) snap.getWidth(), (int) snap.getHeight(),
                    BufferedImage.TYPE_INT_ARGB);
            for (int y = 0; y < out.getHeight(); y++) {
                for (int x = 0; x < out.getWidth(); x++) {
                    out.setRGB(x, y, snap.getPixelReader().getArgb(x, y));
                }
            }
            ImageIO.write(out, "png", dir.resolve(name).toFile());
            return null;
        }).get();
    }

    @Test
    void aBrokenPairIsRefusedAndTheLabStays(FxRobot robot) throws Exception {
        await(60, () -> panel.view() != null && master("lvs-master", "VI_1"));
        var broken = Lab.resource("lvs-master.conf").replace("virtual_router_id 90", "virtual_router_id 900");
        var backup = Lab.resource("lvs-backup.conf");
        WaitForAsyncUtils.asyncFx(() -> mode.load(List.of("mine-a", "mine-b"), List.of(broken, backup))).get();
        await(30, () -> cluster.timeline().stream().anyMatch(e -> e.text().contains("refused, the running lab stays")));
        var entry = cluster.timeline().stream().filter(e -> e.text().contains("refused")).findFirst().orElseThrow();
        assertThat(entry.text()).contains("mine-a.conf:").contains("virtual_router_id");
        assertThat(cluster.director("lvs-master")).isPresent();
        await(30, () -> vip1().contains("→ lvs-master →"));
    }
}
