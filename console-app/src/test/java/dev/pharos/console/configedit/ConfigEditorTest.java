package dev.pharos.console.configedit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.api.Methods;
import dev.pharos.agent.api.Params;
import dev.pharos.console.ConsoleWork;
import dev.pharos.console.FakeAgent;
import dev.pharos.console.configedit.ConfigEditorViewModel.Severity;
import dev.pharos.console.connect.DirectorConnection;
import dev.pharos.console.model.ClusterModel;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javafx.css.PseudoClass;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/// The editor against an agent: live diagnostics with line and column, a refused apply keeps the
/// agent's configuration, a good one is applied with the revision it was loaded at.
@ExtendWith(ApplicationExtension.class)
class ConfigEditorTest {

    static final PseudoClass ERROR = PseudoClass.getPseudoClass("error");

    FakeAgent agent;
    ConfigEditorViewModel model;
    ConfigEditorView editor;
    final Map<String, DirectorConnection> connections = new LinkedHashMap<>();
    final ConsoleWork work = new ConsoleWork();
    Stage stage;

    @Start
    void start(Stage stage) throws Exception {
        this.stage = stage;
        agent = new FakeAgent("lvs-master", "MASTER", FakeAgent.DUAL_MASTER);
        var cluster = ClusterModel.onFxThread("seed");
        connections.put("lvs-master", agent.connection(cluster.listenerFor("lvs-master"), Duration.ofSeconds(5)));
        model = new ConfigEditorViewModel(connections, work);
        editor = new ConfigEditorView(model);
        stage.setScene(new Scene(editor, 900, 600));
        stage.show();
    }

    @AfterEach
    void stop() {
        connections.values().forEach(DirectorConnection::close);
        work.shutdown();
    }

    @Test
    void validatesLiveAndApplies(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> {
            try {
                connections.get("lvs-master").call(Methods.HELLO, Params.None.NONE);
                return true;
            } catch (Exception e) {
                return false;
            }
        });
        robot.interact(() -> model.select("lvs-master"));
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> editor.text().getText().contains("vrrp_instance VI_1"));
        var original = editor.text().getText();

        robot.interact(() -> editor.text().setText(original.replace("priority 100", "priority 400")));
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> !editor.diagnostics().getItems().isEmpty());
        var d = editor.diagnostics().getItems().getFirst();
        assertThat(d.severity()).isEqualTo(Severity.ERROR);
        assertThat(d.text()).contains("lvs-master.conf:").contains("priority");
        assertThat(d.line()).isPositive();

        waitForStatus("1 error(s)");
        click(robot, "#config-apply");
        waitForStatus("refused");
        assertThat(editor.status().getPseudoClassStates()).as("a refusal is shown red").contains(ERROR);
        assertThat(agent.calls().stream().filter(c -> c.method().equals("config.apply")).count()).isEqualTo(1);

        robot.interact(() -> editor.text().setText(original.replace("lb_algo wrr", "lb_algo rr")));
        waitForStatus("valid");
        click(robot, "#config-apply");
        waitForStatus("applied");
        assertThat(editor.status().getText()).contains("changed settings of virtual server tcp/192.0.2.100:80");
        assertThat(editor.status().getPseudoClassStates()).as("the colour follows the message").doesNotContain(ERROR);
    }

    /// A click where the operator would click, on this test's window brought to the front: a window
    /// another test class left open in the same JVM must not take it.
    void click(FxRobot robot, String query) {
        robot.interact(stage::toFront);
        robot.clickOn(query);
    }

    /// Waits for the status line to start with `prefix`; a timeout says what it showed instead.
    void waitForStatus(String prefix) {
        try {
            WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> editor.status().getText().startsWith(prefix));
        } catch (TimeoutException e) {
            throw new AssertionError("the status line still shows \"" + editor.status().getText()
                    + "\" after 20 s, not \"" + prefix + "…\"; calls: " + agent.calls().stream().map(FakeAgent.Call::method).toList(), e);
        }
    }

    @Test
    void caretOffsetsFollowLinesAndColumns() {
        assertThat(ConfigEditorView.offsetOf("ab\ncd\nef", 2, 2)).isEqualTo(4);
        assertThat(ConfigEditorView.offsetOf("ab\ncd", 9, 1)).isEqualTo(5);
        assertThat(ConfigEditorView.offsetOf("ab", 1, 99)).isEqualTo(2);
    }
}
