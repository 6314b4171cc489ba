package dev.pharos.console;

import dev.pharos.console.connect.DirectorConnection;
import dev.pharos.console.connect.HostKeyPolicy;
import dev.pharos.console.connect.Inventory;
import dev.pharos.console.connect.Prompts;
import dev.pharos.console.connect.SshConnector;
import dev.pharos.console.edit.EditService;
import dev.pharos.console.model.ClusterModel;
import dev.pharos.console.model.TimelineEntry;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.control.Alert;
import javafx.scene.control.ButtonType;
import javafx.scene.control.PasswordField;
import javafx.scene.control.TextInputDialog;
import javafx.stage.Stage;

/// The Pharos console: the first cluster of the inventory, connected over SSH.
public final class PharosApp extends Application {

    private final Map<String, DirectorConnection> connections = new LinkedHashMap<>();
    private EditService edits;

    @Override
    public void start(Stage stage) {
        Inventory inventory;
        String problem = null;
        try {
            inventory = Inventory.load(Inventory.defaultFile());
        } catch (IOException e) {
            inventory = Inventory.EMPTY;
            problem = e.getMessage();
        }
        var clusterDef = inventory.clusters().isEmpty() ? null : inventory.clusters().getFirst();
        var cluster = ClusterModel.onFxThread(clusterDef == null ? "training lab" : clusterDef.name());
        edits = EditService.onFxThread(cluster, connections);
        cluster.commandsTo(connections);
        if (problem != null) {
            cluster.record(new TimelineEntry(Instant.now(), "console", "config", "inventory", problem));
        }
        if (clusterDef != null) {
            connect(cluster, clusterDef);
        }
        var window = new ConsoleWindow(cluster, edits, connections);
        window.topology().rememberLayoutIn(Inventory.defaultFile().resolveSibling(
                "layout-" + cluster.name().replaceAll("[^A-Za-z0-9._-]", "_") + ".json"));
        if (clusterDef == null) {
            cluster.record(new TimelineEntry(Instant.now(), "console", "config", "inventory",
                    "No directors configured (File → Directors…, stored in " + Inventory.defaultFile()
                            + "): opening the training lab"));
            lab = dev.pharos.console.lab.LabMode.start(window, cluster, connections);
        }
        window.onEditDirectors(() -> new dev.pharos.console.connect.InventoryDialog(Optional.ofNullable(current))
                .showAndWait().ifPresent(updated -> {
                    try {
                        new Inventory(java.util.List.of(updated)).save(Inventory.defaultFile());
                    } catch (IOException e) {
                        cluster.record(new TimelineEntry(Instant.now(), "console", "config", "inventory",
                                "cannot save " + Inventory.defaultFile() + ": " + e.getMessage()));
                        return;
                    }
                    if (lab != null) {
                        lab.close();
                        lab = null;
                    }
                    connections.values().forEach(DirectorConnection::close);
                    connections.clear();
                    cluster.directors().clear();
                    connect(cluster, updated);
                    window.refreshDirectors();
                }));
        var scene = new Scene(window, 1280, 800);
        scene.getStylesheets().addAll(ConsoleWindow.stylesheets());
        stage.getIcons().addAll(dev.pharos.icons.Icons.appIcons());
        stage.setTitle("Pharos — " + cluster.name());
        stage.setScene(scene);
        var remembered = WindowState.load(WindowState.defaultFile());
        remembered.applyTo(stage);
        if (remembered.dark()) {
            ConsoleWindow.toggleDark(window);
        }
        stage.setOnHiding(e -> WindowState.of(stage, window.getStyleClass().contains("dark")).save(WindowState.defaultFile()));
        stage.show();
    }

    private Inventory.Cluster current;
    private dev.pharos.console.lab.LabMode lab;

    private void connect(ClusterModel cluster, Inventory.Cluster def) {
        current = def;
        var connector = SshConnector.forUser(this::askHostKey, new DialogPrompts());
        for (var d : def.directors()) {
            var listener = cluster.listenerFor(d.name());
            connections.put(d.name(), new DirectorConnection(d, connector::connect, listener, Duration.ofSeconds(2),
                    Duration.ofSeconds(20)).start());
        }
    }

    /// Asked from a connection thread: shows the fingerprint on the FX thread and waits for the answer.
    private boolean askHostKey(String host, String type, String fingerprint) {
        var answer = new CompletableFuture<Boolean>();
        Platform.runLater(() -> {
            var alert = new Alert(Alert.AlertType.CONFIRMATION,
                    "The authenticity of host " + host + " can't be established.\n" + type + " key fingerprint is\n"
                            + fingerprint + "\n\nCompare it with `ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub` on the"
                            + " director. Trust it and remember it in ~/.ssh/known_hosts?",
                    ButtonType.YES, ButtonType.NO);
            alert.setHeaderText("Unknown host key");
            answer.complete(alert.showAndWait().filter(b -> b == ButtonType.YES).isPresent());
        });
        return answer.join();
    }

    /// Passphrases and passwords from dialogs (asked from connection threads).
    private static final class DialogPrompts implements Prompts {
        @Override
        public Optional<String> passphrase(String keyDescription) {
            return ask("Passphrase", keyDescription);
        }

        @Override
        public Optional<String> password(String userAtHost) {
            return ask("Password", "Password for " + userAtHost + " (keys and the ssh-agent were refused)");
        }

        private static Optional<String> ask(String title, String header) {
            var answer = new CompletableFuture<Optional<String>>();
            Platform.runLater(() -> {
                var dialog = new TextInputDialog();
                var field = new PasswordField();
                dialog.getDialogPane().setContent(field);
                dialog.setTitle(title);
                dialog.setHeaderText(header);
                dialog.setResultConverter(b -> b == ButtonType.OK ? field.getText() : null);
                answer.complete(dialog.showAndWait());
            });
            return answer.join();
        }
    }

    @Override
    public void stop() {
        if (lab != null) {
            lab.close();
        }
        connections.values().forEach(DirectorConnection::close);
        if (edits != null) {
            edits.close();
        }
    }
}
