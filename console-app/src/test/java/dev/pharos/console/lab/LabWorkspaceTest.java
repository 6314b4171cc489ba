package dev.pharos.console.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.lab.Lab;
import dev.pharos.console.model.Liveness;
import dev.pharos.console.model.VrrpState;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.ButtonBase;
import javafx.scene.control.ComboBoxBase;
import javafx.scene.control.Label;
import javafx.scene.control.Labeled;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Slider;
import javafx.scene.control.Spinner;
import javafx.scene.control.TabPane;
import javafx.scene.layout.Region;
import javafx.scene.text.Text;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/// The lab as a trainer puts it in front of a class, at 1024×700 and 1280×800: every lab control,
/// the topology, who holds each VIP and the explanation of the last transition are in the window
/// at once — inside it, visible, not cut by a split pane or hidden in a scroll pane's unseen part,
/// not zero-sized, their text not shortened to an ellipsis. Then a stop: the VIP table, the
/// director cards and the explanation follow it, as the table follows a split brain.
class LabWorkspaceTest extends LabWindowTest {

    void open(int width, int height) throws Exception {
        open(width, height, 1);
        await(60, () -> panel.view() != null && master("lvs-master", "VI_1") && master("lvs-backup", "VI_2"));
        await(30, () -> fx(() -> panel.view().vipLabel("192.0.2.100").getText().contains("→ lvs-master →")));
    }

    @AfterEach
    void hide() throws Exception {
        FxToolkit.cleanupStages();
    }

    @ParameterizedTest(name = "{0}x{1}")
    @CsvSource({"1024, 700", "1280, 800"})
    void everythingATrainerShowsIsInTheWindowAtOnce(int width, int height) throws Exception {
        open(width, height);
        WaitForAsyncUtils.waitForFxEvents();
        var problems = fx(() -> {
            var out = new ArrayList<String>();
            var controls = new ArrayList<Node>();
            collectControls(panel.view(), controls);
            // the lesson's controls, in the first tab under the topology, shown when the lab opens
            collectControls(panel.view().lessonSlot(), controls);
            // two directors × 7, three real servers × 5 (with their names), step, continue, pause on ×2, link ×2, rate, load
            assertThat(controls).as("the lab's controls").hasSizeGreaterThanOrEqualTo(2 * 6 + 3 * 4 + 8);
            controls.forEach(c -> check(c, out));
            for (var id : List.of("#lab-vip-owners", "#lab-owner-192-0-2-100", "#lab-owner-192-0-2-101",
                    "#lab-vip-192-0-2-100", "#lab-vip-192-0-2-101", "#lab-explanation", "#lab-last-explanation",
                    "#lab-hint", "#lab-proxied-note")) {
                var node = window.getScene().lookup(id);
                if (node == null) {
                    out.add(id + " is missing");
                } else {
                    check(node, out);
                }
            }
            check(window.topology(), out);
            return out;
        });
        screenshot("lab-workspace-" + width + "x" + height + ".png");
        assertThat(problems).as("at %dx%d", width, height).isEmpty();

        var topology = fx(() -> window.topology().localToScene(window.topology().getLayoutBounds()));
        assertThat(topology.getWidth()).as("the topology takes most of the width").isGreaterThanOrEqualTo(0.55 * width);
        assertThat(topology.getHeight()).as("and more than half the height").isGreaterThanOrEqualTo(0.55 * height);

        assertThat(text("#lab-owner-192-0-2-100")).isEqualTo("lvs-master");
        assertThat(text("#lab-owner-192-0-2-101")).isEqualTo("lvs-backup");
        assertThat(text("#lab-proxied-note")).contains("proxied").contains("replies return through the director")
                .contains("real server answers the client directly");

        // a cut link: both hold both VIPs, and the table says so in full
        fire("#lab-partition");
        await(60, () -> text("#lab-owner-192-0-2-100").equals("lvs-master and lvs-backup: split brain")
                && text("#lab-owner-192-0-2-101").equals("lvs-master and lvs-backup: split brain"));
        WaitForAsyncUtils.waitForFxEvents();
        var split = fx(() -> {
            var out = new ArrayList<String>();
            for (var id : List.of("#lab-vip-owners", "#lab-owner-192-0-2-100", "#lab-owner-192-0-2-101",
                    "#lab-vip-192-0-2-100", "#lab-explanation", "#lab-last-explanation")) {
                check(window.getScene().lookup(id), out);
            }
            for (var n : window.getScene().lookup("#lab-vip-owners").lookupAll(".label")) {
                check(n, out);
            }
            return out;
        });
        screenshot("lab-workspace-" + width + "x" + height + "-split-brain.png");
        assertThat(split).as("the split brain at %dx%d", width, height).isEmpty();
        fire("#lab-heal");
        await(60, () -> text("#lab-owner-192-0-2-100").equals("lvs-master")
                && text("#lab-owner-192-0-2-101").equals("lvs-backup"));

        // a stop, as the hint suggests: the table, the cards and the explanation follow it
        fire("#lab-stop-lvs-master");
        await(30, () -> master("lvs-backup", "VI_1"));
        await(30, () -> text("#lab-owner-192-0-2-100").equals("lvs-backup"));
        await(30, () -> text("#lab-last-explanation").contains("lvs-backup (VI_1") && text("#lab-last-explanation")
                .contains("Skew_Time"));
        await(30, () -> fx(() -> window.getScene().lookup("#director-vips-lvs-backup-VI_1").getStyleClass()
                .contains("role-master")));
        assertThat(fx(() -> ((Label) window.getScene().lookup("#director-vips-lvs-backup-VI_1")).getText()))
                .isEqualTo("VRID 90 · 192.0.2.100");
        WaitForAsyncUtils.waitForFxEvents();
        var after = fx(() -> {
            var out = new ArrayList<String>();
            for (var id : List.of("#lab-explanation", "#lab-last-explanation", "#lab-vip-owners")) {
                check(window.getScene().lookup(id), out);
            }
            return out;
        });
        screenshot("lab-workspace-" + width + "x" + height + "-after-stop.png");
        assertThat(after).as("the explanation of the stop, at %dx%d", width, height).isEmpty();
    }

    /// A loaded pair replaces the lab's column, its explanations tab and its lesson slot, and
    /// fits as the seed's did.
    @Test
    void aLoadedPairTakesTheWorkspaceOver() throws Exception {
        open(1024, 700);
        var seed = panel.view();
        fx(() -> {
            mode.load(List.of("mine-a", "mine-b"), List.of(Lab.resource("lvs-master.conf"), Lab.resource("lvs-backup.conf")));
            return null;
        });
        await(60, () -> panel.view() != null && panel.view() != seed && master("mine-a", "VI_1")
                && master("mine-b", "VI_2"));
        WaitForAsyncUtils.waitForFxEvents();
        var problems = fx(() -> {
            var out = new ArrayList<String>();
            var controls = new ArrayList<Node>();
            collectControls(panel.view(), controls);
            controls.forEach(c -> check(c, out));
            for (var id : List.of("#lab-stop-mine-a", "#lab-vip-owners", "#lab-explanation")) {
                check(window.getScene().lookup(id), out);
            }
            assertThat(window.lookupAll("#lab-view")).as("one lab column").hasSize(1);
            var lessonTab = ((TabPane) window.lookup("#details")).getTabs().getFirst();
            assertThat(((ScrollPane) lessonTab.getContent()).getContent()).as("the new lesson slot is in the Lesson tab")
                    .isSameAs(panel.view().lessonSlot());
            assertThat(((TabPane) window.lookup("#details")).getTabs()).as("the new explanations' tab")
                    .anySatisfy(t -> assertThat(t.getContent()).isSameAs(panel.view().history()));
            return out;
        });
        assertThat(problems).isEmpty();
        await(30, () -> text("#lab-owner-192-0-2-100").equals("mine-a"));
    }

    /// Buttons, check boxes, choices, spinners and sliders under `parent`, and the labels naming rows.
    static void collectControls(Parent parent, List<Node> into) {
        for (var child : parent.getChildrenUnmodifiable()) {
            if (child instanceof ButtonBase || child instanceof ComboBoxBase<?> || child instanceof Spinner<?>
                    || child instanceof Slider) {
                into.add(child);
            } else if (child instanceof Parent p) {
                collectControls(p, into);
            }
        }
    }

    /// What keeps `node` from being seen whole, into `problems`.
    void check(Node node, List<String> problems) {
        var name = describe(node);
        for (Node n = node; n != null; n = n.getParent()) {
            if (!n.isVisible()) {
                problems.add(name + " is hidden (" + describe(n) + " is not visible)");
                return;
            }
        }
        var b = node.localToScene(node.getLayoutBounds());
        if (b.getWidth() < 1 || b.getHeight() < 1) {
            problems.add(name + " has no size: " + b);
            return;
        }
        var scene = node.getScene();
        if (b.getMinX() < -0.5 || b.getMinY() < -0.5 || b.getMaxX() > scene.getWidth() + 0.5
                || b.getMaxY() > scene.getHeight() + 0.5) {
            problems.add(name + " is outside the window: " + bounds(b));
            return;
        }
        // every ancestor shows only what lies within it: a scroll pane's viewport, a split pane's part
        for (var p = node.getParent(); p != null; p = p.getParent()) {
            var pb = p.localToScene(p.getLayoutBounds());
            if (b.getMinX() < pb.getMinX() - 0.5 || b.getMinY() < pb.getMinY() - 0.5
                    || b.getMaxX() > pb.getMaxX() + 0.5 || b.getMaxY() > pb.getMaxY() + 0.5) {
                problems.add(name + " " + bounds(b) + " is cut by " + describe(p) + " " + bounds(pb));
                return;
            }
        }
        if (node instanceof Labeled l && l.getText() != null && !l.getText().isEmpty()
                && l.lookup(".text") instanceof Text shown && !shown.getText().equals(l.getText())
                // (a label that changes, the clients' counts, may show its last text until the next pulse)
                && shown.getText().endsWith(l.getEllipsisString())) {
            problems.add(name + " shows \"" + shown.getText() + "\" of \"" + l.getText() + "\"");
        }
        if (node instanceof Spinner<?> s) {
            var editor = s.getEditor();
            var value = new Text(editor.getText());
            value.setFont(editor.getFont());
            var room = editor.getWidth() - editor.snappedLeftInset() - editor.snappedRightInset();
            if (value.getLayoutBounds().getWidth() > room + 0.5) {
                problems.add(name + " cuts its value " + editor.getText() + " (" + room + " px for it)");
            }
        }
        if ((node instanceof ButtonBase || node instanceof ComboBoxBase<?> || node instanceof Spinner<?>)
                && node instanceof Region r && r.getWidth() < r.prefWidth(-1) - 0.5) {
            problems.add(name + " is squeezed to " + r.getWidth() + " of " + r.prefWidth(-1) + " px");
        }
    }

    static String describe(Node n) {
        var id = n.getId() != null ? "#" + n.getId() : n.getClass().getSimpleName();
        return n instanceof Labeled l && l.getText() != null && n.getId() == null ? id + " \"" + l.getText() + "\"" : id;
    }

    static String bounds(Bounds b) {
        return "[%.0f,%.0f %.0fx%.0f]".formatted(b.getMinX(), b.getMinY(), b.getWidth(), b.getHeight());
    }

    void fire(String id) throws Exception {
        fx(() -> {
            ((ButtonBase) window.getScene().lookup(id)).fire();
            return null;
        });
    }

    String text(String id) throws Exception {
        return fx(() -> ((Labeled) window.getScene().lookup(id)).getText());
    }

    boolean master(String director, String instance) throws Exception {
        return fx(() -> cluster.director(director).filter(d -> d.livenessProperty().get() == Liveness.LIVE)
                .flatMap(d -> d.instance(instance)).map(i -> i.stateProperty().get() == VrrpState.MASTER)
                .orElse(false));
    }

    /// For a person to look at: target/screenshots/.
    void screenshot(String name) throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        var dir = Path.of("target", "screenshots");
        Files.createDirectories(dir);
        fx(() -> {
            var snap = window.getScene().getRoot().snapshot(null, null);
            var out = new BufferedImage((int) snap.getWidth(), (int) snap.getHeight(), BufferedImage.TYPE_INT_ARGB);
            for (int y = 0; y < out.getHeight(); y++) {
                for (int x = 0; x < out.getWidth(); x++) {
                    out.setRGB(x, y, snap.getPixelReader().getArgb(x, y));
                }
            }
            ImageIO.write(out, "png", dir.resolve(name).toFile());
            return null;
        });
    }
}
