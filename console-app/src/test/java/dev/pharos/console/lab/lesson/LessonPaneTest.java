package dev.pharos.console.lab.lesson;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.console.lab.LabWindowTest;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Control;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.testfx.util.WaitForAsyncUtils;

/// The lessons pane in the console's window at 1024×700 and 1280×800: the lesson list, Back, Next
/// and Open… lie inside the window, visible and not cut short, and the list offers every lesson.
class LessonPaneTest extends LabWindowTest {

    @ParameterizedTest(name = "{0}×{1}")
    @CsvSource({"1024, 700", "1280, 800"})
    void theLessonControlsAreInTheWindowAndReadable(int width, int height) throws Exception {
        open(width, height, 1);
        var scene = window.getScene();
        await(60, () -> fx(() -> panel.view() != null && scene.lookup("#lesson-next") != null));
        WaitForAsyncUtils.waitForFxEvents();
        for (var id : new String[] {"#lesson-choice", "#lesson-back", "#lesson-next", "#lesson-open"}) {
            fx(() -> {
                var control = (Control) scene.lookup(id);
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
        await(30, () -> fx(() -> scene.lookup("#lesson-choice") instanceof ComboBox<?> c
                && c.getItems().size() == LessonCatalog.files().size()));
    }
}
