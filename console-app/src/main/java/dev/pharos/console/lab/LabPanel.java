package dev.pharos.console.lab;

import dev.pharos.console.lab.lesson.LessonView;
import dev.pharos.console.lab.lesson.LessonViewModel;
import javafx.application.Platform;
import javafx.scene.control.Alert;
import javafx.scene.control.TextArea;

/// Puts the lab's controls into the window: a [LabView] for each lab that runs (a loaded pair
/// replaces it) with the guided lessons' pane ([LessonView], one for the window's life) at its
/// top, its refusals in the window's status line, and a pair that does not load in a dialog with
/// the parser's errors.
public final class LabPanel {

    private final LabHost host;
    private final LabMode mode;
    /// The lessons pane: one for the window's life, moved into each lab's lesson slot.
    private final LessonView lessons;
    private volatile LabView view;

    private LabPanel(LabHost host, LabMode mode, LessonView lessons) {
        this.host = host;
        this.mode = mode;
        this.lessons = lessons;
    }

    /// Shows `mode`'s controls in `host` from now on (FX thread).
    public static LabPanel attach(LabHost host, LabMode mode) {
        return attach(host, mode, new LessonViewModel(mode, mode.work(), Platform::runLater, 1));
    }

    /// As [#attach(LabHost, LabMode)], with `lessons` running the lessons pane (a test gives its
    /// deadlines more slack).
    public static LabPanel attach(LabHost host, LabMode mode, LessonViewModel lessons) {
        var panel = new LabPanel(host, mode, new LessonView(lessons));
        mode.viewModelProperty().addListener((o, was, now) -> panel.show(now));
        if (mode.viewModelProperty().get() != null) {
            panel.show(mode.viewModelProperty().get());
        }
        mode.onRefused(panel::refused);
        return panel;
    }

    /// The controls shown now, or null until they are in the window's scene (the lab's column is
    /// a scroll pane's content, which joins the scene at the next pulse).
    public LabView view() {
        var shown = view;
        return shown != null && shown.getScene() != null ? shown : null;
    }

    private void show(LabViewModel model) {
        if (model == null) {
            return;
        }
        view = new LabView(model, () -> PairChooser.ask(host.getScene().getWindow(), mode));
        view.lessonSlot().getChildren().add(lessons);
        view.lessonChosenProperty().bind(lessons.chosen());
        model.statusProperty().addListener((o, was, now) -> {
            if (model.errorProperty().get()) {
                host.showError("lab: " + now);
            }
        });
        host.showLab(view);
        host.showMotion(model.motion());
        host.offerSpares(model.spares());
        host.refreshDirectors();
    }

    private void refused(String text) {
        host.showError("lab: the pair was refused; the running lab stays");
        if (host.getScene() != null && host.getScene().getWindow() != null && host.getScene().getWindow().isShowing()
                && !Boolean.getBoolean("pharos.headless")) {
            var alert = new Alert(Alert.AlertType.ERROR);
            alert.setHeaderText("This pair does not load; the running lab stays");
            var area = new TextArea(text);
            area.setEditable(false);
            alert.getDialogPane().setContent(area);
            alert.show();
        }
    }
}
