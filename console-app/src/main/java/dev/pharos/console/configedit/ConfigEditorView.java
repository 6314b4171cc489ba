package dev.pharos.console.configedit;

import dev.pharos.console.configedit.ConfigEditorViewModel.Diagnostic;
import dev.pharos.console.configedit.ConfigEditorViewModel.Status;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import javafx.animation.PauseTransition;
import javafx.css.PseudoClass;
import javafx.geometry.Orientation;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TextArea;
import javafx.scene.control.ToolBar;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import javafx.util.Duration;

/// Edit one director's configuration with its agent as the judge: every pause in typing has the
/// text validated; the findings (`file:line:col`) are marked in the text ([ConfigTextArea]) and
/// listed below it, and a click on one moves the caret there. Changes not applied are never
/// dropped without a question: before another director is loaded, a reload, or leaving
/// ([#leaveThen]), the operator chooses Apply, Discard or Cancel. The work is the
/// [ConfigEditorViewModel]'s; this view shows it and hands it the operator's input.
public final class ConfigEditorView extends BorderPane {

    private static final PseudoClass ERROR = PseudoClass.getPseudoClass("error");

    private final ConfigEditorViewModel model;
    private final ComboBox<String> director = new ComboBox<>();
    private final ConfigTextArea editor;
    private final TextArea text;
    /// Set while the director box is put back after the operator cancelled a switch.
    private boolean revertingDirector;
    private Alert question;
    private final ListView<Diagnostic> diagnostics = new ListView<>();
    private final Label status = new Label();

    public ConfigEditorView(ConfigEditorViewModel model) {
        this.model = model;
        editor = new ConfigTextArea(model.diagnostics());
        text = editor.area();
        getStyleClass().add("config-editor");
        text.setId("config-text");
        text.getStyleClass().add("config-text");
        diagnostics.setId("config-diagnostics");
        status.setId("config-status");
        status.getStyleClass().add("status");
        model.statusProperty().subscribe(this::showStatus);
        director.setItems(model.directors());
        director.setId("config-director");
        director.setPromptText("Director");
        director.valueProperty().addListener((o, a, b) -> {
            if (revertingDirector || Objects.equals(b, model.directorProperty().get())) {
                return;
            }
            leaveThen(() -> model.select(b), () -> {
                revertingDirector = true;
                director.setValue(a);
                revertingDirector = false;
            });
        });
        model.directorProperty().addListener((o, a, b) -> director.setValue(b));
        var reload = new Button("Reload");
        reload.setId("config-reload");
        reload.setOnAction(e -> leaveThen(model::reload));
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
        var includes = new Label();
        includes.setId("config-includes");
        includes.getStyleClass().add("config-includes");
        includes.setWrapText(true);
        includes.textProperty().bind(model.includedProperty());
        includes.visibleProperty().bind(model.includedProperty().isNotEmpty());
        includes.managedProperty().bind(includes.visibleProperty());
        diagnostics.setItems(model.diagnostics());
        diagnostics.setCellFactory(v -> new DiagnosticCell());
        diagnostics.setOnMouseClicked(e -> {
            var d = diagnostics.getSelectionModel().getSelectedItem();
            if (d != null && d.inText()) {
                text.positionCaret(offsetOf(text.getText(), d.line(), d.column()));
                text.requestFocus();
            }
        });
        var split = new SplitPane(new VBox(includes, editor), diagnostics);
        VBox.setVgrow(editor, Priority.ALWAYS);
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

    /// The text with its line numbers and marks.
    public ConfigTextArea editor() {
        return editor;
    }

    /// Runs `leave` (load another director, reload, close) now when every change is applied;
    /// otherwise asks first: Apply runs it once the agent applied the text (a refusal keeps the
    /// editor as it is, with the findings marked), Discard runs it at once, Cancel (or closing the
    /// question) keeps the text and does nothing.
    public void leaveThen(Runnable leave) {
        leaveThen(leave, () -> {
        });
    }

    private void leaveThen(Runnable leave, Runnable stay) {
        if (!model.dirtyProperty().get()) {
            leave.run();
            return;
        }
        if (question != null) {
            question.close();
        }
        var applyChanges = new ButtonType("Apply", ButtonBar.ButtonData.YES);
        var discard = new ButtonType("Discard", ButtonBar.ButtonData.NO);
        var ask = new Alert(Alert.AlertType.CONFIRMATION, "", applyChanges, discard, ButtonType.CANCEL);
        ask.setTitle("Changes not applied");
        var name = model.directorProperty().get();
        ask.setHeaderText("The configuration of " + (name == null ? "this director" : name)
                + " has changes that are not applied.");
        ask.setContentText("Apply sends them to the director first; Discard drops them.");
        ask.getDialogPane().setId("config-discard-question");
        if (getScene() != null && getScene().getWindow() != null) {
            ask.initOwner(getScene().getWindow());
        }
        // Not showAndWait: a window's close request and the director box must not wait in a nested loop.
        ask.setOnHidden(e -> {
            question = null;
            var answer = ask.getResult();
            if (answer == applyChanges) {
                // Until the agent has applied the text, this is where the operator stays.
                stay.run();
                model.applyThen(leave);
            } else if (answer == discard) {
                leave.run();
            } else {
                stay.run();
            }
        });
        question = ask;
        ask.show();
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
