package dev.pharos.console.install;

import dev.pharos.console.install.AddDirectorViewModel.Phase;
import dev.pharos.console.install.AddDirectorViewModel.Step;
import dev.pharos.console.install.AddDirectorViewModel.StepState;
import java.util.List;
import java.util.Locale;
import javafx.beans.binding.Bindings;
import javafx.collections.ListChangeListener;
import javafx.css.PseudoClass;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import javafx.stage.Stage;
import javafx.stage.Window;

/// The "Add a director" window ([AddDirectorViewModel]): host, port, user, key and package; the
/// steps with their state; what detection found; check-config's findings; every command's output;
/// and the buttons for what may come next (install and check, switch, roll back).
public final class AddDirectorView extends BorderPane {

    private static final List<String> STATE_CLASSES = List.of("running", "done", "failed");

    public AddDirectorView(AddDirectorViewModel model) {
        getStyleClass().add("add-director");
        setId("add-director");
        var form = new GridPane();
        form.getStyleClass().add("add-director-form");
        var host = field("host or address", "add-host");
        host.textProperty().bindBidirectional(model.hostProperty());
        var port = field("22", "add-port");
        port.textProperty().bindBidirectional(model.portProperty());
        port.setPrefColumnCount(5);
        var user = field("user", "add-user");
        user.textProperty().bindBidirectional(model.userProperty());
        var key = field("private key file (else ~/.ssh and the ssh-agent)", "add-key");
        key.textProperty().bindBidirectional(model.keyProperty());
        var pkg = field("pharos-agent_VERSION_amd64.deb", "add-package");
        pkg.textProperty().bindBidirectional(model.packageFileProperty());
        var choose = new Button("Choose…");
        choose.setOnAction(e -> {
            var chooser = new FileChooser();
            chooser.setTitle("The agent's package");
            chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("Debian package", "*.deb"));
            var file = chooser.showOpenDialog(getScene().getWindow());
            if (file != null) {
                model.packageFileProperty().set(file.getPath());
            }
        });
        form.addRow(0, new Label("Host"), host, new Label("Port"), port);
        form.addRow(1, new Label("User"), user, new Label("Key"), key);
        form.addRow(2, new Label("Package"), pkg, choose);
        GridPane.setHgrow(host, Priority.ALWAYS);
        GridPane.setHgrow(key, Priority.ALWAYS);
        GridPane.setHgrow(pkg, Priority.ALWAYS);

        var stepList = new VBox();
        stepList.getStyleClass().add("add-director-steps");
        for (var step : Step.values()) {
            stepList.getChildren().add(stepRow(model, step));
        }
        var upload = new ProgressBar();
        upload.progressProperty().bind(model.uploadedProperty());
        upload.visibleProperty().bind(model.stateProperty(Step.UPLOAD).isEqualTo(StepState.RUNNING));
        upload.setMaxWidth(Double.MAX_VALUE);
        stepList.getChildren().add(upload);

        var facts = new ListView<>(model.facts());
        facts.setId("add-facts");
        facts.setPrefHeight(130);
        var findings = new ListView<>(model.findings());
        findings.setId("add-findings");
        findings.setPrefHeight(110);
        var output = new TextArea();
        output.setId("add-output");
        output.setEditable(false);
        output.getStyleClass().add("add-director-output");
        output.setPrefRowCount(10);
        model.output().addListener((ListChangeListener<String>) c -> {
            while (c.next()) {
                if (c.wasRemoved() && model.output().isEmpty()) {
                    output.clear();
                }
                for (var line : c.getAddedSubList()) {
                    output.appendText(line + "\n");
                }
            }
        });
        VBox.setVgrow(output, Priority.ALWAYS);
        var left = new VBox(6, new Label("Steps"), stepList, new Label("Found on the host"), facts);
        left.setPrefWidth(430);
        var right = new VBox(6, new Label("check-config's findings"), findings, new Label("Commands and output"), output);
        HBox.setHgrow(right, Priority.ALWAYS);

        var error = new Label();
        error.setId("add-error");
        error.getStyleClass().add("error");
        error.setWrapText(true);
        error.textProperty().bind(model.errorProperty());
        var phase = model.phaseProperty();
        var prepare = new Button("Install and check");
        prepare.setId("add-prepare");
        prepare.disableProperty().bind(phase.isNotEqualTo(Phase.EDITING).and(phase.isNotEqualTo(Phase.FAILED))
                .and(phase.isNotEqualTo(Phase.ROLLED_BACK)));
        prepare.setOnAction(e -> model.prepare());
        var cancel = new Button("Cancel");
        cancel.setId("add-cancel");
        cancel.disableProperty().bind(model.cancellableProperty().not());
        cancel.setOnAction(e -> model.cancel());
        var switchOver = new Button("Switch to Pharos");
        switchOver.setId("add-switch");
        switchOver.getStyleClass().add("accent");
        switchOver.disableProperty().bind(phase.isNotEqualTo(Phase.READY));
        switchOver.setOnAction(e -> model.switchOver());
        var rollBack = new Button("Roll back to keepalived");
        rollBack.setId("add-roll-back");
        rollBack.disableProperty().bind(phase.isNotEqualTo(Phase.SWITCHED).and(phase.isNotEqualTo(Phase.READY)));
        rollBack.setOnAction(e -> model.rollBack());
        var remove = new CheckBox("and remove the package");
        remove.selectedProperty().bindBidirectional(model.removePackageProperty());
        var status = new Label();
        status.setId("add-phase");
        status.textProperty().bind(Bindings.createStringBinding(() -> describe(phase.get()), phase));
        var buttons = new HBox(8, prepare, cancel, switchOver, rollBack, remove);
        buttons.getStyleClass().add("add-director-buttons");

        setTop(form);
        setCenter(new HBox(12, left, right));
        setBottom(new VBox(6, status, error, buttons));
    }

    /// A window of its own beside the console's, closed by the operator; closing it ends the SSH session.
    public static Stage show(Window owner, AddDirectorViewModel model, List<String> stylesheets) {
        var stage = new Stage();
        stage.initOwner(owner);
        stage.setTitle("Add a director");
        var scene = new Scene(new AddDirectorView(model), 1100, 680);
        scene.getStylesheets().addAll(stylesheets);
        stage.setScene(scene);
        stage.setOnHidden(e -> model.close());
        stage.show();
        return stage;
    }

    private static Label stepRow(AddDirectorViewModel model, Step step) {
        var label = new Label();
        label.setId("add-step-" + step.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        label.getStyleClass().add("add-director-step");
        var state = model.stateProperty(step);
        label.textProperty().bind(Bindings.createStringBinding(() -> mark(state.get()) + "  " + step.text(), state));
        state.addListener((o, was, now) -> pseudo(label, now));
        pseudo(label, state.get());
        return label;
    }

    private static void pseudo(Label label, StepState state) {
        for (var c : STATE_CLASSES) {
            label.pseudoClassStateChanged(PseudoClass.getPseudoClass(c), c.equals(state.name().toLowerCase(Locale.ROOT)));
        }
    }

    private static String mark(StepState state) {
        return switch (state) {
            case PENDING -> "○";
            case RUNNING -> "…";
            case DONE -> "✓";
            case FAILED -> "✗";
        };
    }

    private static String describe(Phase phase) {
        return switch (phase) {
            case EDITING -> "Nothing has been changed on the host yet.";
            case PREPARING -> "Working…";
            case READY -> "Installed and checked; keepalived still runs. Switch when ready.";
            case SWITCHING -> "Switching…";
            case SWITCHED -> "The agent runs on keepalived's configuration.";
            case ROLLING_BACK -> "Rolling back…";
            case ROLLED_BACK -> "Back on keepalived.";
            case FAILED -> "Failed: the host was left as it was.";
        };
    }

    private static TextField field(String prompt, String id) {
        var f = new TextField();
        f.setPromptText(prompt);
        f.setId(id);
        return f;
    }
}
