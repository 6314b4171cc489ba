package dev.pharos.console;

import javafx.application.Application;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.layout.BorderPane;
import javafx.stage.Stage;

/// The Pharos console. Until the topology and lab views land, the window says what it will hold.
public final class PharosApp extends Application {
    @Override
    public void start(Stage stage) {
        var root = new BorderPane(new Label("Pharos console — the lab and topology views are being built."));
        stage.setTitle("Pharos");
        stage.setScene(new Scene(root, 960, 640));
        stage.show();
    }
}
