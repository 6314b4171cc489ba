package dev.pharos.console.configedit;

import dev.pharos.agent.api.Methods;
import dev.pharos.agent.api.Params;
import dev.pharos.agent.api.Results;
import dev.pharos.agent.api.RpcException;
import dev.pharos.console.connect.AgentClient;
import dev.pharos.console.connect.DirectorConnection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import javafx.animation.PauseTransition;
import javafx.application.Platform;
import javafx.collections.FXCollections;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TextArea;
import javafx.scene.control.ToolBar;
import javafx.scene.layout.BorderPane;
import javafx.stage.FileChooser;
import javafx.util.Duration;

/// Edit one director's configuration with its agent as the judge: every pause in typing sends
/// the text to `config.validate` and lists the diagnostics (`file:line:col`); a click on one
/// moves the caret there. Apply sends the whole text with the revision it was loaded at, so a
/// change made meanwhile by someone else is refused rather than overwritten.
public final class ConfigEditorView extends BorderPane {

    private final Map<String, DirectorConnection> connections;
    private final ComboBox<String> director = new ComboBox<>();
    private final TextArea text = new TextArea();
    private final ListView<Results.Diagnostic> diagnostics = new ListView<>();
    private final Label status = new Label();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().name("config-editor").daemon().unstarted(r));
    private final AtomicLong generation = new AtomicLong();
    private final PauseTransition debounce = new PauseTransition(Duration.millis(500));
    private String revision;

    public ConfigEditorView(Map<String, DirectorConnection> connections) {
        this.connections = connections;
        getStyleClass().add("config-editor");
        text.setId("config-text");
        text.getStyleClass().add("config-text");
        diagnostics.setId("config-diagnostics");
        status.setId("config-status");
        director.setItems(FXCollections.observableArrayList(connections.keySet()));
        director.setPromptText("Director");
        director.valueProperty().addListener((o, a, b) -> load());
        var reload = new Button("Reload");
        reload.setOnAction(e -> load());
        var apply = new Button("Apply");
        apply.setId("config-apply");
        apply.setOnAction(e -> apply());
        var importFile = new Button("Import…");
        importFile.setOnAction(e -> importFile());
        var export = new Button("Export…");
        export.setOnAction(e -> exportFile());
        setTop(new ToolBar(director, reload, apply, importFile, export, status));
        diagnostics.setCellFactory(v -> new javafx.scene.control.ListCell<>() {
            @Override
            protected void updateItem(Results.Diagnostic d, boolean empty) {
                super.updateItem(d, empty);
                getStyleClass().removeAll("diagnostic-error", "diagnostic-warning");
                setText(empty || d == null ? null : d.text());
                if (!empty && d != null) {
                    getStyleClass().add("diagnostic-" + d.severity());
                }
            }
        });
        diagnostics.setOnMouseClicked(e -> {
            var d = diagnostics.getSelectionModel().getSelectedItem();
            if (d != null && d.line() > 0) {
                text.positionCaret(offsetOf(text.getText(), d.line(), d.column()));
                text.requestFocus();
            }
        });
        var split = new SplitPane(text, diagnostics);
        split.setOrientation(javafx.geometry.Orientation.VERTICAL);
        split.setDividerPositions(0.8);
        setCenter(split);
        debounce.setOnFinished(e -> validate());
        text.textProperty().addListener((o, a, b) -> debounce.playFromStart());
    }

    public void refreshDirectors() {
        director.setItems(FXCollections.observableArrayList(connections.keySet()));
    }

    public TextArea text() {
        return text;
    }

    public ListView<Results.Diagnostic> diagnostics() {
        return diagnostics;
    }

    public Label status() {
        return status;
    }

    public void select(String directorName) {
        director.setValue(directorName);
    }

    private DirectorConnection current() {
        return director.getValue() == null ? null : connections.get(director.getValue());
    }

    private void load() {
        var conn = current();
        if (conn == null) {
            return;
        }
        status.setText("loading…");
        worker.execute(() -> {
            try {
                var cfg = conn.call(Methods.CONFIG_GET, Params.None.NONE);
                Platform.runLater(() -> {
                    revision = cfg.revision();
                    text.setText(cfg.text());
                    status.setText(cfg.path() + " at revision " + cfg.revision());
                });
            } catch (IOException | RpcException e) {
                Platform.runLater(() -> status.setText("cannot load: " + e.getMessage()));
            }
        });
    }

    private void validate() {
        var conn = current();
        if (conn == null) {
            return;
        }
        var body = text.getText();
        long gen = generation.incrementAndGet();
        worker.execute(() -> {
            try {
                var v = conn.call(Methods.CONFIG_VALIDATE, new Params.ConfigText(body));
                Platform.runLater(() -> {
                    if (gen == generation.get()) {
                        diagnostics.getItems().setAll(v.diagnostics());
                        status.setText(v.valid() ? "valid" + (v.diagnostics().isEmpty() ? "" : " (with warnings)")
                                : v.diagnostics().stream().filter(d -> d.severity().equals("error")).count() + " error(s)");
                    }
                });
            } catch (IOException | RpcException e) {
                Platform.runLater(() -> status.setText("cannot validate: " + e.getMessage()));
            }
        });
    }

    private void apply() {
        var conn = current();
        if (conn == null || revision == null) {
            status.setText("load a director's configuration first");
            return;
        }
        var body = text.getText();
        var base = revision;
        status.setText("applying…");
        worker.execute(() -> {
            try {
                var applied = conn.call(Methods.CONFIG_APPLY, new Params.ConfigApply(base, body));
                Platform.runLater(() -> {
                    revision = applied.revision();
                    status.setText("applied, revision " + applied.revision() + ": "
                            + (applied.changes().isEmpty() ? "no change" : String.join("; ", applied.changes())));
                });
                conn.refresh();
            } catch (RpcException e) {
                Platform.runLater(() -> {
                    status.setText("refused: " + e.getMessage());
                    // An invalid configuration's error carries its diagnostics; other errors say it all.
                    AgentClient.errorData(e, Results.Validation.class)
                            .ifPresent(v -> diagnostics.getItems().setAll(v.diagnostics()));
                });
            } catch (IOException e) {
                Platform.runLater(() -> status.setText("cannot apply: " + e.getMessage()));
            }
        });
    }

    /// Where import and export read and write their files (the application's `console-work`);
    /// an editor built without the application (tests) uses a virtual thread per file.
    public void workOn(java.util.concurrent.Executor executor) {
        this.files = executor;
    }

    private java.util.concurrent.Executor files = task -> Thread.ofVirtual().name("console-work").start(task);

    private void importFile() {
        var chooser = new FileChooser();
        chooser.setTitle("Import keepalived.conf");
        var file = chooser.showOpenDialog(getScene().getWindow());
        if (file == null) {
            return;
        }
        var read = new javafx.concurrent.Task<String>() {
            @Override
            protected String call() throws IOException {
                return Files.readString(file.toPath(), StandardCharsets.UTF_8);
            }
        };
        read.setOnSucceeded(e -> {
            text.setText(read.getValue());
            status.setText("imported " + file + " (not applied yet)");
        });
        read.setOnFailed(e -> status.setText("cannot read " + file + ": " + read.getException().getMessage()));
        status.setText("reading " + file + "…");
        files.execute(read);
    }

    private void exportFile() {
        var chooser = new FileChooser();
        chooser.setInitialFileName("keepalived.conf");
        var file = chooser.showSaveDialog(getScene().getWindow());
        if (file == null) {
            return;
        }
        var body = text.getText();
        var write = new javafx.concurrent.Task<Void>() {
            @Override
            protected Void call() throws IOException {
                Files.writeString(file.toPath(), body, StandardCharsets.UTF_8);
                return null;
            }
        };
        write.setOnSucceeded(e -> status.setText("exported to " + file));
        write.setOnFailed(e -> status.setText("cannot write " + file + ": " + write.getException().getMessage()));
        files.execute(write);
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
}
