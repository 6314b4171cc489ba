package dev.pharos.console.lab.lesson;

import javafx.stage.FileChooser;
import javafx.stage.Window;

/// The file dialog that picks a trainer's own lesson file: the file goes straight to the lesson
/// runner, so the lessons pane never holds a file.
final class LessonChooser {

    private LessonChooser() {
    }

    /// Asks for a `.lesson` file and has `model` open it; nothing when the trainer cancels.
    static void ask(Window owner, LessonViewModel model) {
        var chooser = new FileChooser();
        chooser.setTitle("Open a lesson file");
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("Lessons (*.lesson)", "*.lesson"));
        var file = chooser.showOpenDialog(owner);
        if (file != null) {
            model.open(file.toPath());
        }
    }
}
