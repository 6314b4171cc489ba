package dev.pharos.console.lab;

import javafx.scene.control.Alert;
import javafx.scene.control.TextArea;

/// Puts the lab's controls into the window: a [LabView] for each lab that runs (a loaded pair
/// replaces it), its refusals in the window's status line, and a pair that does not load in a
/// dialog with the parser's errors.
public final class LabPanel {

    private final LabHost host;
    private final LabMode mode;
    private LabView view;

    private LabPanel(LabHost host, LabMode mode) {
        this.host = host;
        this.mode = mode;
    }

    /// Shows `mode`'s controls in `host` from now on (FX thread).
    public static LabPanel attach(LabHost host, LabMode mode) {
        var panel = new LabPanel(host, mode);
        mode.viewModelProperty().addListener((o, was, now) -> panel.show(now));
        if (mode.viewModelProperty().get() != null) {
            panel.show(mode.viewModelProperty().get());
        }
        mode.onRefused(panel::refused);
        return panel;
    }

    /// The controls shown now, or null before the lab runs.
    public LabView view() {
        return view;
    }

    private void show(LabViewModel model) {
        if (model == null) {
            return;
        }
        view = new LabView(model, () -> PairChooser.ask(host.getScene().getWindow(), mode));
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
