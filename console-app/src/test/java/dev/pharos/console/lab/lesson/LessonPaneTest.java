package dev.pharos.console.lab.lesson;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.console.ConsoleWindow;
import dev.pharos.console.ConsoleWork;
import dev.pharos.console.configedit.ConfigEditorViewModel;
import dev.pharos.console.connect.DirectorConnection;
import dev.pharos.console.edit.EditService;
import dev.pharos.console.lab.LabMode;
import dev.pharos.console.lab.LabPanel;
import dev.pharos.console.model.ClusterModel;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import javafx.scene.Scene;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Control;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/// The lessons pane in the console's window at 1024×700 and 1280×800: the lesson list, Back, Next
/// and Open… lie inside the window, visible and not cut short, and the list offers every lesson.
class LessonPaneTest {

    ConsoleWork work;
    EditService edits;
    LabMode mode;
    LabPanel panel;
    final Map<String, DirectorConnection> connections = new ConcurrentSkipListMap<>();

    @AfterEach
    void close() {
        mode.close();
        edits.close();
        work.shutdown();
    }

    @ParameterizedTest(name = "{0}×{1}")
    @CsvSource({"1024, 700", "1280, 800"})
    void theLessonControlsAreInTheWindowAndReadable(int width, int height) throws Exception {
        System.setProperty("pharos.headless", "true");
        FxToolkit.registerPrimaryStage();
        var scene = new Scene[1];
        FxToolkit.setupStage(stage -> {
            var cluster = ClusterModel.onFxThread("training lab");
            work = new ConsoleWork();
            edits = EditService.onFxThread(cluster, connections, work);
            var window = new ConsoleWindow(cluster, edits, new ConfigEditorViewModel(connections, work));
            window.workOn(work);
            mode = LabMode.start(cluster, connections, edits, work);
            panel = LabPanel.attach(window, mode);
            scene[0] = new Scene(window, width, height);
            scene[0].getStylesheets().addAll(ConsoleWindow.stylesheets());
            stage.setScene(scene[0]);
            stage.show();
        });
        await(60, () -> fx(() -> panel.view() != null && scene[0].lookup("#lesson-next") != null));
        WaitForAsyncUtils.waitForFxEvents();
        for (var id : new String[] {"#lesson-choice", "#lesson-back", "#lesson-next", "#lesson-open"}) {
            fx(() -> {
                var control = (Control) scene[0].lookup(id);
                var bounds = control.localToScene(control.getBoundsInLocal());
                assertThat(control.isVisible()).as(id).isTrue();
                assertThat(bounds.getMinX()).as("%s left edge", id).isGreaterThanOrEqualTo(0);
                assertThat(bounds.getMaxX()).as("%s right edge", id).isLessThanOrEqualTo(width);
                assertThat(bounds.getMinY()).as("%s top", id).isGreaterThanOrEqualTo(0);
                assertThat(bounds.getMaxY()).as("%s bottom", id).isLessThanOrEqualTo(height);
                assertThat(control.getWidth()).as("%s is not cut short", id)
                        .isGreaterThanOrEqualTo(Math.min(control.prefWidth(-1), 100) - 0.5);
                return null;
            });
        }
        await(30, () -> fx(() -> scene[0].lookup("#lesson-choice") instanceof ComboBox<?> c
                && c.getItems().size() == LessonCatalog.files().size()));
    }

    static <T> T fx(Callable<T> call) throws Exception {
        return WaitForAsyncUtils.asyncFx(call).get(30, TimeUnit.SECONDS);
    }

    static void await(int seconds, Callable<Boolean> condition) throws Exception {
        WaitForAsyncUtils.waitFor(seconds, TimeUnit.SECONDS, condition);
    }
}
