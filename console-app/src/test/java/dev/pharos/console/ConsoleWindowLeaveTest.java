package dev.pharos.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.api.Methods;
import dev.pharos.agent.api.Params;
import dev.pharos.console.configedit.ConfigEditorViewModel;
import dev.pharos.console.connect.DirectorConnection;
import dev.pharos.console.edit.EditService;
import dev.pharos.console.model.ClusterModel;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.DialogPane;
import javafx.stage.Stage;
import javafx.stage.Window;
import javafx.stage.WindowEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/// Closing the console's window with configuration changes not applied asks first, as
/// `PharosApp` wires the window's close button.
@ExtendWith(ApplicationExtension.class)
class ConsoleWindowLeaveTest {

    static final long WAIT = 20;

    final Map<String, DirectorConnection> connections = new LinkedHashMap<>();
    final ConsoleWork work = new ConsoleWork();
    ConfigEditorViewModel editor;
    EditService edits;
    Stage stage;

    @Start
    void start(Stage stage) throws Exception {
        this.stage = stage;
        var agent = new FakeAgent("lvs-master", "MASTER", FakeAgent.DUAL_MASTER);
        var cluster = ClusterModel.onFxThread("seed");
        connections.put("lvs-master", agent.connection(cluster.listenerFor("lvs-master"), Duration.ofSeconds(5)));
        edits = EditService.onFxThread(cluster, connections, work);
        editor = new ConfigEditorViewModel(connections, work);
        var window = new ConsoleWindow(cluster, edits, editor);
        window.workOn(work);
        stage.setScene(new Scene(window, 1024, 700));
        stage.setOnCloseRequest(window::closeRequested);
        stage.show();
    }

    @AfterEach
    void stop() {
        connections.values().forEach(DirectorConnection::close);
        edits.close();
        work.shutdown();
    }

    DialogPane question() throws Exception {
        WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> Window.getWindows().stream()
                .anyMatch(w -> w.getScene() != null && w.getScene().lookup("#config-discard-question") != null));
        return (DialogPane) Window.getWindows().stream().map(w -> w.getScene().lookup("#config-discard-question"))
                .filter(n -> n != null).findFirst().orElseThrow();
    }

    void answer(FxRobot robot, String button) throws Exception {
        var pane = question();
        var b = pane.getButtonTypes().stream().map(pane::lookupButton).map(Button.class::cast)
                .filter(x -> x.getText().equals(button)).findFirst().orElseThrow();
        robot.clickOn(b);
        WaitForAsyncUtils.waitForFxEvents();
    }

    void requestClose(FxRobot robot) {
        robot.interact(() -> stage.fireEvent(new WindowEvent(stage, WindowEvent.WINDOW_CLOSE_REQUEST)));
    }

    @Test
    void closingWithChangesNotAppliedAsksFirst(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> {
            try {
                connections.get("lvs-master").call(Methods.HELLO, Params.None.NONE);
                return true;
            } catch (Exception e) {
                return false;
            }
        });
        robot.interact(() -> editor.select("lvs-master"));
        WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> editor.textProperty().get().contains("vrrp_instance"));
        var edited = editor.textProperty().get() + "! not applied yet\n";
        robot.interact(() -> editor.edit(edited));

        requestClose(robot);
        answer(robot, "Cancel");
        assertThat(stage.isShowing()).as("Cancel keeps the window").isTrue();
        assertThat(editor.textProperty().get()).isEqualTo(edited);

        requestClose(robot);
        answer(robot, "Discard");
        WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> !stage.isShowing());
    }
}
