package dev.pharos.console.lab;

import dev.pharos.console.lab.LabSpeedViewModel.Speed;
import java.util.Locale;
import javafx.scene.control.Label;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;

/// The lab's speed: 1×, 0.5×, 0.25× or Stop, as one row of toggle buttons. It shows a
/// [LabSpeedViewModel] and calls its command.
public final class LabSpeedView extends HBox {

    public LabSpeedView(LabSpeedViewModel model) {
        getStyleClass().add("lab-speed");
        setSpacing(2);
        getChildren().add(new Label("Speed:"));
        var group = new ToggleGroup();
        for (var speed : Speed.values()) {
            var button = new ToggleButton(speed.label());
            button.setId("lab-speed-" + speed.name().toLowerCase(Locale.ROOT));
            button.setToggleGroup(group);
            button.setUserData(speed);
            button.setSelected(model.speedProperty().get() == speed);
            button.setOnAction(e -> model.speed(speed));
            getChildren().add(button);
        }
        var tip = new Tooltip();
        tip.textProperty().bind(model.descriptionProperty());
        getChildren().forEach(n -> Tooltip.install(n, tip));
        // One speed is always chosen: a click on the chosen one keeps it, and a speed set
        // elsewhere (a lesson) shows here.
        group.selectedToggleProperty().addListener((o, was, now) -> {
            if (now == null && was != null) {
                was.setSelected(true);
            }
        });
        model.speedProperty().addListener((o, was, now) -> group.getToggles().stream()
                .filter(t -> t.getUserData() == now).findFirst().ifPresent(t -> t.setSelected(true)));
    }
}
