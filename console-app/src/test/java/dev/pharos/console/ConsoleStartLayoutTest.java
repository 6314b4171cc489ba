package dev.pharos.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.console.edit.EditService;
import dev.pharos.console.model.ClusterModel;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import javafx.scene.Scene;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/// What the console styles and lays out before its first full frame when it opens on the training
/// lab: the lab's workspace at once (no lab runs yet), and of the panes nobody sees at the start,
/// neither the configuration editor nor the details tabs' panes until their tab is chosen.
@ExtendWith(ApplicationExtension.class)
class ConsoleStartLayoutTest {

    ConsoleWindow window;
    EditService edits;

    @Start
    void start(Stage stage) {
        var cluster = ClusterModel.onFxThread("training lab");
        edits = EditService.onFxThread(cluster, Map.of());
        window = new ConsoleWindow(cluster, edits);
        window.openLabWorkspace();
        stage.setScene(new Scene(window, 1024, 700));
        stage.show();
    }

    @AfterEach
    void stop() {
        edits.close();
    }

    @Test
    void theLabsWorkspaceIsLaidOutBeforeTheLabAndHiddenPanesWaitForTheirTab() throws Exception {
        assertThat(fx(() -> window.lookup("#lab-workspace") != null && window.lookup("#lab-panel") != null))
                .as("the workspace and its (empty) column before any lab runs").isTrue();
        assertThat(fx(() -> window.topology().getScene() != null)).isTrue();
        assertThat(fx(() -> window.traffic().getScene() == null && window.inspector().getScene() == null))
                .as("the traffic and inspector panes are not styled before their tab is chosen").isTrue();
        assertThat(fx(() -> window.lookup("#config-text") == null)).as("no configuration editor yet").isTrue();

        var details = fx(() -> (TabPane) window.lookup("#details"));
        assertThat(fx(() -> details.getSelectionModel().getSelectedItem().getText())).isEqualTo("Lesson");
        fx(() -> select(details, "Traffic"));
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> fx(() -> window.traffic().getScene() != null));
        var tabs = fx(() -> (TabPane) window.lookup("#console-tabs"));
        fx(() -> select(tabs, "Configuration"));
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> fx(() -> window.getScene().lookup("#config-text") != null));
    }

    private static boolean select(TabPane pane, String title) {
        Tab tab = pane.getTabs().stream().filter(t -> t.getText().equals(title)).findFirst().orElseThrow();
        pane.getSelectionModel().select(tab);
        return true;
    }

    private static <T> T fx(Callable<T> call) throws Exception {
        return WaitForAsyncUtils.asyncFx(call).get(30, TimeUnit.SECONDS);
    }
}
