package dev.pharos.console.configedit;

import dev.pharos.console.configedit.ConfigEditorViewModel.Diagnostic;
import dev.pharos.console.configedit.ConfigEditorViewModel.Status;
import java.util.Locale;
import java.util.Optional;
import javafx.animation.PauseTransition;
import javafx.css.PseudoClass;
import javafx.geometry.Orientation;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TextArea;
import javafx.scene.control.ToolBar;
import javafx.scene.layout.BorderPane;
import javafx.stage.FileChooser;
import javafx.util.Duration;

/// Edit one director's configuration with its agent as the judge: every pause in typing has the
/// text validated and lists the diagnostics (`file:line:col`); a click on one moves the caret
/// there. The work is the [ConfigEditorViewModel]'s; this view shows it and hands it the
/// operator's input.
public final class ConfigEditorView extends BorderPane {

    private static final PseudoClass ERROR = PseudoClass.getPseudoClass("error");

    private final ConfigEditorViewModel model;
    private final ComboBox<String> director = new ComboBox<>();
    private final TextArea text = new TextArea();
    private final ListView<Diagnostic> diagnostics = new ListView<>();
    private final Label status = new Label();

    public ConfigEditorView(ConfigEditorViewModel model) {
        this.model = model;
        getStyleClass().add("config-editor");
        text.setId("config-text");
        text.getStyleClass().add("config-text");
        diagnostics.setId("config-diagnostics");
        status.setId("config-status");
        status.getStyleClass().add("status");
        model.statusProperty().subscribe(this::showStatus);
        director.setItems(model.directors());
        director.setPromptText("Director");
        director.valueProperty().addListener((o, a, b) -> model.select(b));
        model.directorProperty().addListener((o, a, b) -> director.setValue(b));
        var reload = new Button("Reload");
        reload.setOnAction(e -> model.reload());
        var apply = new Button("Apply");
        apply.setId("config-apply");
        apply.setOnAction(e -> model.apply());
        var importFile = new Button("Import…");
        importFile.setOnAction(e -> importFile());
        var export = new Button("Export…");
        export.setOnAction(e -> exportFile());
        var modified = new Label("modified");
        modified.setId("config-modified");
        modified.visibleProperty().bind(model.dirtyProperty());
        var busy = busyIndicator(model);
        setTop(new ToolBar(director, reload, apply, importFile, export, modified, busy, status));
        diagnostics.setItems(model.diagnostics());
        diagnostics.setCellFactory(v -> new DiagnosticCell());
        diagnostics.setOnMouseClicked(e -> {
            var d = diagnostics.getSelectionModel().getSelectedItem();
            if (d != null && d.line() > 0) {
                text.positionCaret(offsetOf(text.getText(), d.line(), d.column()));
                text.requestFocus();
            }
        });
        var split = new SplitPane(text, diagnostics);
        split.setOrientation(Orientation.VERTICAL);
        split.setDividerPositions(0.8);
        setCenter(split);
        // Typed text goes to the model; a text from elsewhere (the agent, a file) comes back.
        text.setText(model.textProperty().get());
        text.textProperty().addListener((o, a, b) -> model.edit(b));
        model.textProperty().addListener((o, a, b) -> {
            if (!b.equals(text.getText())) {
                text.setText(b);
            }
        });
    }

    public TextArea text() {
        return text;
    }

    public ListView<Diagnostic> diagnostics() {
        return diagnostics;
    }

    public Label status() {
        return status;
    }

    /// A spinner while the model works for more than 200 ms (shorter work would only flicker).
    private static ProgressIndicator busyIndicator(ConfigEditorViewModel model) {
        var spinner = new ProgressIndicator();
        spinner.setId("config-busy");
        spinner.setPrefSize(16, 16);
        spinner.setVisible(false);
        var delay = new PauseTransition(Duration.millis(200));
        delay.setOnFinished(e -> spinner.setVisible(model.busyProperty().get()));
        model.busyProperty().addListener((o, was, now) -> {
            if (now) {
                delay.playFromStart();
            } else {
                delay.stop();
                spinner.setVisible(false);
            }
        });
        return spinner;
    }

    private void showStatus(Status s) {
        status.setText(s.message());
        status.pseudoClassStateChanged(ERROR, s.error());
    }

    private void importFile() {
        var chooser = new FileChooser();
        chooser.setTitle("Import keepalived.conf");
        // The path, as text, is all the view takes from the file chooser: reading is the model's.
        Optional.ofNullable(chooser.showOpenDialog(getScene().getWindow())).map(String::valueOf)
                .ifPresent(model::importFrom);
    }

    private void exportFile() {
        var chooser = new FileChooser();
        chooser.setInitialFileName("keepalived.conf");
        Optional.ofNullable(chooser.showSaveDialog(getScene().getWindow())).map(String::valueOf)
                .ifPresent(model::exportTo);
    }

    /// The character offset of 1-based `line`, `column` in `s`.
    static int offsetOf(String s, int line, int column) {
        int offset = 0;
        for (int l = 1; l < line && offset < s.length(); l++) {
            int nl = s.indexOf('\n', offset);
            if (nl < 0) {
                return s.length();
            }
            offset = nl + 1;
        }
        return Math.min(s.length(), offset + Math.max(0, column - 1));
    }

    /// A diagnostic's line, styled by its severity (`diagnostic-error`, `diagnostic-warning`).
    private static final class DiagnosticCell extends ListCell<Diagnostic> {
        @Override
        protected void updateItem(Diagnostic d, boolean empty) {
            super.updateItem(d, empty);
            getStyleClass().removeAll("diagnostic-error", "diagnostic-warning");
            setText(empty || d == null ? null : d.text());
            if (!empty && d != null) {
                getStyleClass().add("diagnostic-" + d.severity().name().toLowerCase(Locale.ROOT));
            }
        }
    }
}
