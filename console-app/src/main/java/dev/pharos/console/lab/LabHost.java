package dev.pharos.console.lab;

import dev.pharos.console.topology.MotionViewModel;
import java.util.List;
import javafx.scene.Scene;

/// What the lab needs from the window that shows it: a place for its controls, a way to report a
/// refusal, and the scene its dialogs belong to. The window implements it, so the lab never
/// depends on the application's root package (which starts the lab) and the two stay one-way.
public interface LabHost {

    /// Shows the lab's workspace: `view` beside the topology, its lesson slot above it, its
    /// explanations among the window's tabs (a loaded pair's view replaces the last one).
    void showLab(LabView view);

    /// Draws the lab's motion (adverts, VIPs, requests) on the topology.
    void showMotion(MotionViewModel motion);

    /// The configuration editor's director list follows the lab's directors.
    void refreshDirectors();

    /// Offers the lab's spare real servers in the topology's palette, ready to drag.
    void offerSpares(List<LabViewModel.RealServer> spares);

    /// Shows a short error in the window's status line.
    void showError(String message);

    /// The scene the window is in, or null before it is shown (dialogs are owned by its window).
    Scene getScene();
}
