package dev.pharos.console.lab;

import dev.pharos.console.lab.LabViewModel.StepState;
import dev.pharos.console.lab.LabViewModel.TrafficState;
import java.util.LinkedHashMap;
import java.util.Map;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.Separator;
import javafx.scene.control.Slider;
import javafx.scene.control.Spinner;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.VBox;
import javafx.scene.text.Font;

/// The lab's controls: one click per scenario, the clients' rate, and where each VIP's requests
/// go right now. It shows a [LabViewModel] and calls its commands; the scenarios' effects reach
/// the topology through the agents' events like any real director's, and a refusal shows in the
/// window's status line ([LabPanel]).
public final class LabView extends VBox {

    /// Lines kept for the step-by-step paragraph while step mode is on.
    private static final int STEP_LINES = 5;

    private final Map<String, Label> perVip = new LinkedHashMap<>();

    public LabView(LabViewModel model, Runnable loadPair) {
        getStyleClass().add("lab");
        setSpacing(6);
        setPadding(new Insets(8));
        var title = new Label("Training lab — the seed's dual-master director pair, running in this console");
        title.getStyleClass().add("lab-title");
        title.setWrapText(true);
        getChildren().add(title);
        var hint = new Label();
        hint.setId("lab-hint");
        hint.setWrapText(true);
        hint.getStyleClass().add("lab-hint");
        hint.textProperty().bind(model.hintProperty());
        hint.visibleProperty().bind(model.hintProperty().isNotEmpty());
        hint.managedProperty().bind(hint.visibleProperty());
        getChildren().add(hint);
        var step = new CheckBox("Step by step: pause at each VRRP transition");
        step.setId("lab-step");
        step.selectedProperty().addListener((o, a, on) -> model.stepping(on));
        var proceed = button("Continue", "lab-continue", model::resume);
        proceed.disableProperty().bind(model.stepStateProperty().isNotEqualTo(StepState.PAUSED));
        var pausedText = new Label();
        pausedText.setId("lab-paused");
        pausedText.setWrapText(true);
        pausedText.getStyleClass().add("lab-paused");
        pausedText.textProperty().bind(model.stepMessageProperty());
        // While step mode is on the paragraph keeps the height of a paused transition's explanation,
        // so the controls below do not jump at each Continue.
        model.stepStateProperty().addListener((o, was, now) -> pausedText.setMinHeight(
                now == StepState.OFF ? 0 : STEP_LINES * Font.getDefault().getSize() * 1.4));
        var pauseOn = new FlowPane(8, 4, new Label("Pause on:"));
        for (var instance : model.instanceNames()) {
            var box = new CheckBox(instance);
            box.setId("lab-pause-on-" + instance);
            box.setSelected(true);
            box.selectedProperty().addListener((o, was, on) -> model.pauseOn(instance, on));
            pauseOn.getChildren().add(box);
        }
        pauseOn.visibleProperty().bind(step.selectedProperty());
        pauseOn.managedProperty().bind(pauseOn.visibleProperty());
        getChildren().addAll(new FlowPane(8, 4, step, proceed, new LabSpeedView(model.speed())), pauseOn, pausedText,
                new Separator());

        for (var director : model.directors()) {
            var name = director.name();
            var stop = button("Stop " + name, "lab-stop-" + name, () -> model.stopDirector(name));
            var kill = button("Kill " + name, "lab-kill-" + name, () -> model.killDirector(name));
            var start = button("Start " + name, "lab-start-" + name, () -> model.startDirector(name));
            var instance = new ComboBox<String>();
            instance.getItems().addAll(director.instances());
            instance.setValue(director.instanceProperty().get());
            instance.valueProperty().addListener((o, was, now) -> director.select(now));
            var priority = new Spinner<Integer>(1, 254, director.priorityProperty().get());
            priority.setEditable(true);
            priority.setPrefWidth(80);
            priority.setId("lab-priority-value-" + name);
            // Starts at the instance's real priority, and follows the instance picked.
            director.priorityProperty().addListener((o, was, now) -> priority.getValueFactory().setValue(now.intValue()));
            var set = button("Set priority", "lab-priority-" + name,
                    () -> model.setPriority(director, priority.getValue()));
            set.disableProperty().bind(director.pendingProperty());
            getChildren().add(new FlowPane(6, 4, new Label(name), stop, kill, start, instance, priority, set));
        }
        getChildren().add(new Separator());
        for (var server : model.realServers()) {
            var address = server.address();
            var fail = button("Fail " + server.label(), "lab-fail-" + address, () -> model.failRealServer(server));
            var restore = button("Restore", "lab-restore-" + address, () -> model.restoreRealServer(server));
            var drain = button("Drain", "lab-drain-" + address, () -> model.drain(server));
            var undrain = button("Undrain", "lab-undrain-" + address, () -> model.undrain(server));
            getChildren().add(new FlowPane(6, 4, new Label(address), fail, restore, drain, undrain));
        }
        var cut = button("Cut the link between the directors", "lab-partition", model::partition);
        var heal = button("Heal the link", "lab-heal", model::heal);
        var load = button("Load a pair of configurations…", "lab-load", loadPair);
        getChildren().addAll(new FlowPane(6, 4, cut, heal), new Separator());

        var rate = new Slider(0, 50, model.rateProperty().get());
        rate.setShowTickLabels(true);
        rate.setMajorTickUnit(10);
        rate.valueProperty().addListener((o, a, b) -> model.rate(b.doubleValue()));
        getChildren().add(new FlowPane(6, 4, new Label("Clients, requests/s per VIP"), rate));
        for (var vip : model.vips()) {
            var l = new Label();
            l.getStyleClass().add("lab-vip");
            // the counters of answers each way: wrapped, never cut off in a narrow panel
            l.setWrapText(true);
            l.setId("lab-vip-" + vip.address());
            l.textProperty().bind(vip.summaryProperty());
            vip.stateProperty().addListener((o, was, now) -> {
                l.getStyleClass().removeAll("ok", "failing");
                if (now != TrafficState.WAITING) {
                    l.getStyleClass().add(now == TrafficState.ANSWERING ? "ok" : "failing");
                }
            });
            perVip.put(vip.vip(), l);
            getChildren().add(l);
        }
        var explained = new ListView<>(model.explanations());
        explained.setId("lab-explanations");
        explained.setPrefHeight(180);
        explained.setCellFactory(v -> new ListCell<>() {
            @Override
            protected void updateItem(String item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty ? null : item);
                setWrapText(true);
                setPrefWidth(0);
            }
        });
        explained.setPlaceholder(new Label("Each VRRP transition will be explained here."));
        // The newest comes first: show it, wherever the list was scrolled to.
        model.explanations().addListener((ListChangeListener<String>) c -> explained.scrollTo(0));
        getChildren().addAll(new Separator(), new Label("Why it happened"), explained, new Separator(), load);
    }

    private static Button button(String text, String id, Runnable action) {
        var b = new Button(text);
        b.setId(id.replace('.', '-'));
        b.setOnAction(e -> action.run());
        return b;
    }

    /// The label showing a VIP's latest outcome (its first port's), for tests.
    public Label vipLabel(String vip) {
        return perVip.entrySet().stream().filter(e -> e.getKey().startsWith(vip + ":")).map(Map.Entry::getValue)
                .findFirst().orElseThrow();
    }
}
