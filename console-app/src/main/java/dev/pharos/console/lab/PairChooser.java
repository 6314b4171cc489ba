package dev.pharos.console.lab;

import java.io.File;
import javafx.stage.FileChooser;
import javafx.stage.Window;

/// The file dialog that picks a director pair to load: the files it answers with go straight to
/// the lab mode, so the lab's views never hold a file.
final class PairChooser {

    private PairChooser() {
    }

    /// Asks for two keepalived.conf files and has `mode` load them; nothing when the operator picks
    /// another number of files or cancels.
    static void ask(Window owner, LabMode mode) {
        var chooser = new FileChooser();
        chooser.setTitle("Load a director pair (two keepalived.conf files)");
        var files = chooser.showOpenMultipleDialog(owner);
        if (files != null && files.size() == 2) {
            mode.loadFiles(files.stream().map(File::toPath).toList());
        }
    }
}
