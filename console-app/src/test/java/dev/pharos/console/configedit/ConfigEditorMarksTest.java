package dev.pharos.console.configedit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.pharos.agent.api.Methods;
import dev.pharos.agent.api.Params;
import dev.pharos.agent.api.Results;
import dev.pharos.console.ConsoleWork;
import dev.pharos.console.FakeAgent;
import dev.pharos.console.configedit.ConfigEditorViewModel.Diagnostic;
import dev.pharos.console.connect.DirectorConnection;
import dev.pharos.console.model.ClusterModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javafx.geometry.BoundingBox;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.DialogPane;
import javafx.scene.control.Label;
import javafx.scene.layout.Region;
import javafx.scene.shape.LineTo;
import javafx.scene.shape.MoveTo;
import javafx.scene.text.Text;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/// The editor's code-editor parts on a real scene: line numbers that sit on their lines and
/// follow edits and scrolling, the agent's findings marked at their line and column (after a
/// check and after a refused Apply), and the question before unapplied changes are dropped.
@ExtendWith(ApplicationExtension.class)
class ConfigEditorMarksTest {

    static final long WAIT = 20;

    final Map<String, DirectorConnection> connections = new LinkedHashMap<>();
    final ConsoleWork work = new ConsoleWork();
    final List<FakeAgent> agents = new ArrayList<>();
    ConfigEditorViewModel model;
    ConfigEditorView editor;
    Stage stage;

    @Start
    void start(Stage stage) throws Exception {
        this.stage = stage;
        var cluster = ClusterModel.onFxThread("seed");
        for (var name : List.of("lvs-master", "lvs-backup")) {
            var agent = new FakeAgent(name, "MASTER", FakeAgent.DUAL_MASTER);
            agents.add(agent);
            connections.put(name, agent.connection(cluster.listenerFor(name), Duration.ofSeconds(5)));
        }
        model = new ConfigEditorViewModel(connections, work);
        editor = new ConfigEditorView(model);
        var scene = new Scene(editor, 1024, 700);
        scene.getStylesheets().add(ConfigEditorView.class.getResource("/dev/pharos/console/pharos.css").toExternalForm());
        stage.setScene(scene);
        stage.show();
    }

    @AfterEach
    void stop() {
        connections.values().forEach(DirectorConnection::close);
        work.shutdown();
    }

    String load(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> connections.values().stream().allMatch(c -> {
            try {
                c.call(Methods.HELLO, Params.None.NONE);
                return true;
            } catch (Exception e) {
                return false;
            }
        }));
        robot.interact(() -> model.select("lvs-master"));
        WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> editor.text().getText().contains("vrrp_instance VI_1"));
        return editor.text().getText();
    }

    /// The text area's own drawing of its text: one [Text] node of its skin.
    Text drawn() {
        var found = new ArrayList<Text>();
        texts(editor.text(), found);
        return found.stream().filter(t -> t.getText().equals(editor.text().getText())).findFirst()
                .orElseThrow(() -> new AssertionError("no Text node draws the text"));
    }

    /// Where the caret would stand at `line`, `column` (1-based), in the scene: x at the column,
    /// y from the line's top to its bottom, as the text area draws it.
    Bounds caretAt(int line, int column) {
        var text = drawn();
        int offset = ConfigEditorView.offsetOf(editor.text().getText(), line, column);
        var shape = text.caretShape(offset, true);
        var top = (MoveTo) shape[0];
        var bottom = (LineTo) shape[1];
        var a = text.localToScene(top.getX(), Math.min(top.getY(), bottom.getY()));
        var b = text.localToScene(bottom.getX(), Math.max(top.getY(), bottom.getY()));
        return new BoundingBox(a.getX(), a.getY(), 0, b.getY() - a.getY());
    }

    static void texts(Node n, List<Text> out) {
        if (n instanceof Text t) {
            out.add(t);
        } else if (n instanceof Parent p) {
            p.getChildrenUnmodifiable().forEach(c -> texts(c, out));
        }
    }

    static Bounds inScene(Node n) {
        return n.localToScene(n.getLayoutBounds());
    }

    Label number(int line) {
        return editor.editor().visibleNumbers().stream().filter(l -> l.getText().equals(String.valueOf(line)))
                .findFirst().orElseThrow(() -> new AssertionError("no line number " + line + " on screen"));
    }

    void assertNumbersSitOnTheirLines() {
        var shown = editor.editor().visibleNumbers();
        assertThat(shown).isNotEmpty();
        int lineCount = editor.text().getText().split("\n", -1).length;
        for (var label : shown) {
            int line = Integer.parseInt(label.getText());
            assertThat(line).isBetween(1, lineCount);
            assertThat(inScene(label).getMinY()).as("line number %d", line).isCloseTo(caretAt(line, 1).getMinY(),
                    offset(1.0));
        }
    }

    @Test
    void lineNumbersSitOnTheirLinesAndFollowEditsAndScrolling(FxRobot robot) throws Exception {
        var original = load(robot);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(editor.editor().visibleNumbers().getFirst().getText()).isEqualTo("1");
        assertNumbersSitOnTheirLines();

        // Three lines more at the top: every line's number moves with it.
        robot.interact(() -> editor.text().setText("! one\n! two\n! three\n" + original));
        WaitForAsyncUtils.waitForFxEvents();
        assertNumbersSitOnTheirLines();
        var vrrpLine = List.of(editor.text().getText().split("\n", -1)).indexOf("vrrp_instance VI_1 {") + 1;
        assertThat(vrrpLine).isEqualTo(List.of(original.split("\n", -1)).indexOf("vrrp_instance VI_1 {") + 1 + 3);
        assertThat(inScene(number(vrrpLine)).getMinY()).isCloseTo(caretAt(vrrpLine, 1).getMinY(),
                offset(1.0));

        // Scrolled to the end, the last line's number is on screen, on its line.
        int lineCount = editor.text().getText().split("\n", -1).length;
        robot.interact(() -> editor.text().setScrollTop(Double.MAX_VALUE));
        WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> editor.editor().visibleNumbers().stream()
                .anyMatch(l -> l.getText().equals(String.valueOf(lineCount))));
        WaitForAsyncUtils.waitForFxEvents();
        assertNumbersSitOnTheirLines();
        assertThat(editor.editor().visibleNumbers().getFirst().getText()).isNotEqualTo("1");

        // At the other window size too, from the top.
        robot.interact(() -> {
            stage.setWidth(1280);
            stage.setHeight(800);
            editor.text().setScrollTop(0);
        });
        WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> editor.getWidth() == 1280 || editor.getScene()
                .getWidth() == 1280);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(editor.editor().visibleNumbers().getFirst().getText()).isEqualTo("1");
        assertNumbersSitOnTheirLines();
    }

    @Test
    void aFindingIsMarkedAtItsLineAndColumnAfterACheckAndAfterARefusedApply(FxRobot robot) throws Exception {
        var original = load(robot);
        robot.interact(() -> editor.text().setText(original.replace("priority 100", "priority 400")));
        WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> !editor.diagnostics().getItems().isEmpty());
        var d = editor.diagnostics().getItems().getFirst();
        assertMarked(d, "priority 400");

        robot.interact(() -> model.apply());
        WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> editor.status().getText().startsWith("refused"));
        WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> !editor.diagnostics().getItems().isEmpty());
        assertMarked(editor.diagnostics().getItems().getFirst(), "priority 400");

        // A click on the finding in the list puts the caret there.
        robot.interact(() -> editor.text().positionCaret(0));
        robot.clickOn(robot.from(editor.diagnostics()).lookup(".list-cell").nth(0).queryAs(Node.class));
        var f = editor.diagnostics().getItems().getFirst();
        WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> editor.text().getCaretPosition()
                == ConfigEditorView.offsetOf(editor.text().getText(), f.line(), f.column()));

        // A finding below the visible lines: a click brings its line into view, marked.
        robot.interact(() -> editor.text().setText(original.replace("lb_algo wrr", "lb_algo wrrr")));
        WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> editor.diagnostics().getItems().size() == 2);
        var last = editor.diagnostics().getItems().getLast();
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(editor.editor().visibleNumbers()).as("line %d starts out of view", last.line())
                .noneMatch(l -> l.getText().equals(String.valueOf(last.line())));
        robot.clickOn(robot.from(editor.diagnostics()).lookup(".list-cell").nth(1).queryAs(Node.class));
        WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> editor.editor().visibleNumbers().stream()
                .anyMatch(l -> l.getText().equals(String.valueOf(last.line()))));
        WaitForAsyncUtils.waitForFxEvents();
        assertMarked(last, "lb_algo wrrr");

        // Fixed, the marks go.
        robot.interact(() -> editor.text().setText(original));
        WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> editor.diagnostics().getItems().isEmpty());
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(editor.editor().visibleMarks()).isEmpty();
        assertThat(editor.editor().visibleNumbers()).noneMatch(l -> l.getStyleClass().contains("line-error"));
    }

    void assertMarked(Diagnostic d, String lineContains) {
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(d.inText()).isTrue();
        var lineText = editor.text().getText().split("\n", -1)[d.line() - 1];
        assertThat(lineText).contains(lineContains);
        var number = number(d.line());
        assertThat(number.getStyleClass()).contains("line-error");
        assertThat(number.getTooltip()).isNotNull();
        assertThat(number.getTooltip().getText()).contains(d.message());
        var lineBounds = caretAt(d.line(), 1);
        var lineEnd = caretAt(d.line(), lineText.length() + 1).getMinX();
        var message = editor.editor().visibleMarks().stream()
                .filter(n -> n instanceof Label l && l.getText().startsWith(d.message()))
                .filter(n -> Math.abs(inScene(n).getMinY() - lineBounds.getMinY()) < lineBounds.getHeight())
                .findFirst().orElseThrow(() -> new AssertionError("no message beside line " + d.line()));
        assertThat(inScene(message).getMinY()).isCloseTo(lineBounds.getMinY(), offset(1.0));
        assertThat(inScene(message).getMinX()).as("beside the line").isGreaterThan(lineEnd);
        assertThat(inScene(message).getWidth()).as("the message can be read").isGreaterThan(100);
        var underline = editor.editor().visibleMarks().stream()
                .filter(n -> n instanceof Region r && r.getStyleClass().contains("mark-underline"))
                .filter(n -> inScene(n).getMaxY() >= lineBounds.getMinY()
                        && inScene(n).getMaxY() <= lineBounds.getMaxY() + 1)
                .findFirst().orElseThrow(() -> new AssertionError("no underline on line " + d.line()));
        assertThat(inScene(underline).getMinX()).as("at column %d", d.column())
                .isCloseTo(caretAt(d.line(), d.column()).getMinX(), offset(1.0));
    }

    @Test
    void theIncludedFilesAreNamedAndTheirFindingsListedButNotMarked(FxRobot robot) throws Exception {
        agents.getFirst().included(List.of("/etc/keepalived/conf.d/web.conf"));
        load(robot);
        var note = robot.lookup("#config-includes").queryAs(Label.class);
        assertThat(note.isVisible()).isTrue();
        assertThat(note.getText()).contains("/etc/keepalived/conf.d/web.conf").contains("Apply keeps the include lines");

        var elsewhere = Diagnostic.of(new Results.Diagnostic("error", "/etc/keepalived/conf.d/web.conf", 3, 5,
                "weight 300 is outside 0–65535", "web.conf:3:5: error: weight 300 is outside 0–65535"), "lvs-master.conf");
        assertThat(elsewhere.inText()).isFalse();
        var here = Diagnostic.of(new Results.Diagnostic("error", "lvs-master.conf", 3, 5, "m", "t"), "lvs-master.conf");
        assertThat(here.inText()).isTrue();

        // Another director without includes: no note.
        robot.interact(() -> model.select("lvs-backup"));
        WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> !note.isVisible());
    }

    DialogPane question(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> Window.getWindows().stream()
                .anyMatch(w -> w.getScene() != null && w.getScene().lookup("#config-discard-question") != null));
        return (DialogPane) Window.getWindows().stream().map(w -> w.getScene().lookup("#config-discard-question"))
                .filter(n -> n != null).findFirst().orElseThrow();
    }

    void answer(FxRobot robot, DialogPane pane, String button) {
        var b = pane.getButtonTypes().stream().map(pane::lookupButton).map(Button.class::cast)
                .filter(x -> x.getText().equals(button)).findFirst().orElseThrow();
        robot.clickOn(b);
        WaitForAsyncUtils.waitForFxEvents();
    }

    boolean questionOpen() {
        return Window.getWindows().stream()
                .anyMatch(w -> w.getScene() != null && w.getScene().lookup("#config-discard-question") != null);
    }

    @Test
    void changesNotAppliedAreAskedAboutBeforeTheyAreDropped(FxRobot robot) throws Exception {
        var original = load(robot);
        var edited = original + "! a note of mine\n";
        robot.interact(() -> editor.text().setText(edited));
        assertThat(model.dirtyProperty().get()).isTrue();

        // Reload: Cancel keeps the text.
        robot.clickOn("#config-reload");
        answer(robot, question(robot), "Cancel");
        assertThat(questionOpen()).isFalse();
        assertThat(editor.text().getText()).isEqualTo(edited);
        assertThat(model.dirtyProperty().get()).isTrue();

        // Another director: Cancel keeps the text and the director.
        @SuppressWarnings("unchecked")
        ComboBox<String> box = robot.lookup("#config-director").queryAs(ComboBox.class);
        robot.interact(() -> box.setValue("lvs-backup"));
        answer(robot, question(robot), "Cancel");
        assertThat(box.getValue()).isEqualTo("lvs-master");
        assertThat(model.directorProperty().get()).isEqualTo("lvs-master");
        assertThat(editor.text().getText()).isEqualTo(edited);

        // Leaving (the window's close): Cancel stays, nothing runs.
        var left = new boolean[1];
        robot.interact(() -> editor.leaveThen(() -> left[0] = true));
        answer(robot, question(robot), "Cancel");
        assertThat(left[0]).isFalse();

        // Reload: Discard drops the change.
        robot.clickOn("#config-reload");
        answer(robot, question(robot), "Discard");
        WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> editor.text().getText().equals(original));
        assertThat(model.dirtyProperty().get()).isFalse();

        // Nothing to lose: no question.
        robot.interact(() -> editor.leaveThen(() -> left[0] = true));
        assertThat(left[0]).isTrue();
        assertThat(questionOpen()).isFalse();

        // Apply sends the change first, then does what was asked (here: loads the other director).
        var changed = original.replace("lb_algo wrr", "lb_algo rr");
        robot.interact(() -> editor.text().setText(changed));
        robot.interact(() -> box.setValue("lvs-backup"));
        answer(robot, question(robot), "Apply");
        WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> "lvs-backup".equals(model.directorProperty().get()));
        assertThat(agents.getFirst().calls().stream().filter(c -> c.method().equals("config.apply")).count())
                .isEqualTo(1);
        assertThat(agents.getFirst().calls().stream().filter(c -> c.method().equals("config.apply")).findFirst()
                .orElseThrow().params().path("text").asText()).isEqualTo(changed);
        assertThat(box.getValue()).isEqualTo("lvs-backup");
    }
}
