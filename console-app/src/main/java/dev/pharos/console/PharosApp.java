package dev.pharos.console;

import dev.pharos.console.adopt.KeepalivedReader;
import dev.pharos.console.configedit.ConfigEditorViewModel;
import dev.pharos.console.connect.DirectorConnection;
import dev.pharos.console.connect.HostKeyPolicy;
import dev.pharos.console.connect.Inventory;
import dev.pharos.console.connect.Prompts;
import dev.pharos.console.connect.SshConnector;
import dev.pharos.console.install.AddDirectorView;
import dev.pharos.console.install.AddDirectorViewModel;
import dev.pharos.console.connections.InventoryDialog;
import dev.pharos.console.connections.InventoryViewModel;
import dev.pharos.console.edit.EditService;
import dev.pharos.console.lab.LabMode;
import dev.pharos.console.lab.LabPanel;
import dev.pharos.console.model.ClusterModel;
import dev.pharos.console.model.TimelineEntry;
import dev.pharos.icons.Icons;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.concurrent.Task;
import javafx.scene.Scene;
import javafx.scene.control.Alert;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Label;
import javafx.scene.control.PasswordField;
import javafx.scene.control.TextInputDialog;
import javafx.scene.layout.StackPane;
import javafx.stage.Stage;

/// The Pharos console: the first cluster of the inventory, connected over SSH.
public final class PharosApp extends Application {

    /// Changed on the FX thread (inventory change, lab load, exit) while the edit service's thread,
    /// the configuration editor's worker and `console-work` tasks read it: a concurrent map, so a
    /// reader iterates a consistent view instead of failing with ConcurrentModificationException
    /// or seeing a half-cleared table. Sorted by name, so lists of directors keep one order.
    private final Map<String, DirectorConnection> connections = new ConcurrentSkipListMap<>();
    /// The adopted keepalived directors' readers, by name (FX thread).
    private final Map<String, KeepalivedReader> adopted = new ConcurrentSkipListMap<>();
    private final ConsoleWork work = new ConsoleWork();
    private EditService edits;

    /// Shows the window at once with a placeholder, and builds the console after that first frame:
    /// building and laying out the whole console takes about a second, which used to show as a
    /// black window.
    @Override
    public void start(Stage stage) {
        var loaded = loadInventory();
        if (loaded.inventory().clusters().isEmpty()) {
            labSeed = LabMode.seedOn(work);
        }
        var pane = new StackPane(new Label("Starting the console…"));
        pane.getStyleClass().add("console");
        var scene = new Scene(pane, 1280, 800);
        scene.getStylesheets().addAll(ConsoleWindow.stylesheets());
        stage.getIcons().addAll(Icons.appIcons());
        stage.setTitle("Pharos");
        stage.setScene(scene);
        var remembered = WindowState.load(WindowState.defaultFile());
        remembered.applyTo(stage);
        if (remembered.dark()) {
            ConsoleWindow.toggleDark(pane);
        }
        stage.show();
        scene.addPostLayoutPulseListener(new Runnable() {
            @Override
            public void run() {
                scene.removePostLayoutPulseListener(this);
                // after this pulse has been drawn
                Platform.runLater(() -> build(stage, scene, remembered, loaded));
            }
        });
    }

    /// The inventory as read at the start, or empty with the reason it could not be read.
    private record LoadedInventory(Inventory inventory, String problem) {
    }

    private static LoadedInventory loadInventory() {
        try {
            return new LoadedInventory(Inventory.load(Inventory.defaultFile()), null);
        } catch (IOException e) {
            return new LoadedInventory(Inventory.EMPTY, e.getMessage());
        }
    }

    private void build(Stage stage, Scene scene, WindowState remembered, LoadedInventory loaded) {
        if (!stage.isShowing()) {
            return; // closed before its first frame: stop() has run, nothing is to be connected
        }
        var inventory = loaded.inventory();
        var problem = loaded.problem();
        var clusterDef = inventory.clusters().isEmpty() ? null : inventory.clusters().getFirst();
        var cluster = ClusterModel.onFxThread(clusterDef == null ? "training lab" : clusterDef.name());
        edits = EditService.onFxThread(cluster, connections, work);
        cluster.commandsTo(connections);
        if (problem != null) {
            cluster.record(new TimelineEntry(Instant.now(), "console", "config", "inventory", problem));
        }
        if (clusterDef != null) {
            connect(cluster, clusterDef);
        }
        var window = new ConsoleWindow(cluster, edits, new ConfigEditorViewModel(connections, work));
        window.workOn(work);
        var log = System.getProperty(Launcher.LOG_PROPERTY);
        if (log != null) {
            window.logLocation(log);
        }
        window.topologyModel().rememberLayoutIn(Inventory.defaultFile().resolveSibling(
                "layout-" + cluster.name().replaceAll("[^A-Za-z0-9._-]", "_") + ".json"));
        if (clusterDef == null) {
            cluster.record(new TimelineEntry(Instant.now(), "console", "config", "inventory",
                    "No directors configured (File → Directors…, stored in " + Inventory.defaultFile()
                            + "): opening the training lab"));
            // laid out as the lab's workspace from its first frame, the lab's controls to come
            window.openLabWorkspace();
            lab = LabMode.start(cluster, connections, edits, labSeed);
            labSeed = null;
            // a class waiting for the lab sees it coming, not "no directors"
            window.topologyModel().emptyHint("Starting the training lab…");
            lab.stateProperty().addListener((o, was, now) -> {
                if (now == LabMode.State.FAILED) {
                    window.topologyModel().emptyHint("The training lab could not start: the timeline says why.");
                }
            });
            LabPanel.attach(window, lab);
        }
        window.onAddDirector(() -> AddDirectorView.show(stage, new AddDirectorViewModel(
                SshConnector.forUser(hostKeys, new DialogPrompts())::openHost, work), ConsoleWindow.stylesheets()));
        window.onEditDirectors(() -> {
            var directors = new InventoryViewModel(Optional.ofNullable(current));
            new InventoryDialog(directors).showAndWait().filter(ButtonType.OK::equals).ifPresent(ok -> {
                var updated = directors.build();
                var save = work.run("saving the inventory",
                        () -> new Inventory(List.of(updated)).save(Inventory.defaultFile()));
                save.setOnFailed(e -> cluster.record(new TimelineEntry(Instant.now(), "console", "config", "inventory",
                        "cannot save " + Inventory.defaultFile() + ": " + save.getException().getMessage())));
                save.setOnSucceeded(e -> {
                    closeAll();
                    cluster.directors().clear();
                    connect(cluster, updated);
                    window.refreshDirectors();
                });
            });
        });
        scene.setRoot(window);
        stage.setOnCloseRequest(window::closeRequested);
        stage.setTitle("Pharos — " + cluster.name());
        if (remembered.dark()) {
            ConsoleWindow.toggleDark(window);
        }
        stage.setOnHiding(e -> {
            var state = WindowState.of(stage, window.getStyleClass().contains("dark"));
            work.run("remembering the window", () -> state.save(WindowState.defaultFile()));
        });
    }

    /// Stops the lab and closes every connection on `console-work` (a connection to a director
    /// that hangs takes up to 5 s to close); they leave the table at once, so nothing new is sent
    /// to them. FX thread.
    private List<Task<Void>> closeAll() {
        var closing = new ArrayList<Task<Void>>();
        var l = lab;
        lab = null;
        if (l != null) {
            closing.add(work.run("stopping the lab", l::close));
        }
        for (var c : List.copyOf(connections.values())) {
            connections.remove(c.endpoint().name(), c);
            closing.add(work.run("closing " + c.endpoint().name(), c::close));
        }
        for (var r : List.copyOf(adopted.values())) {
            adopted.remove(r.endpoint().name(), r);
            closing.add(work.run("closing " + r.endpoint().name(), r::close));
        }
        return closing;
    }

    private Inventory.Cluster current;
    /// One question per host and key for the whole session, whichever director asks first.
    private final HostKeyPolicy hostKeys = ((HostKeyPolicy) this::askHostKey).askingOnce();
    private LabMode lab;
    /// The seed lab begun in [#start(Stage)], until the window's lab mode takes it.
    private LabMode.Seed labSeed;

    private void connect(ClusterModel cluster, Inventory.Cluster def) {
        current = def;
        var connector = SshConnector.forUser(hostKeys, new DialogPrompts());
        for (var d : def.directors()) {
            switch (d.kind()) {
                case PHAROS -> connections.put(d.name(), new DirectorConnection(d, connector::connect,
                        cluster.listenerFor(d.name()), Duration.ofSeconds(2), Duration.ofSeconds(20)).start());
                case KEEPALIVED -> adopted.put(d.name(), new KeepalivedReader(d, connector::openHost,
                        cluster.adoptedListenerFor(d.name()), KeepalivedReader.PERIOD, Duration.ofSeconds(20)).start());
            }
        }
        // "Reconnect now" reaches an adopted director's reader as it reaches an agent's connection.
        cluster.onReconnect(name -> {
            var c = connections.get(name);
            if (c != null) {
                c.reconnectNow();
            }
            var r = adopted.get(name);
            if (r != null) {
                r.pollNow();
            }
        });
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

    /// Returns at once: the lab and the connections close on `console-work`, whose threads keep the
    /// JVM alive until they have (each connection within its 5 s).
    @Override
    public void stop() {
        if (labSeed != null) {
            // closed before the window was built: the lab that was starting for it goes too
            labSeed.discard();
            labSeed = null;
        }
        closeAll();
        if (edits != null) {
            edits.close();
        }
        work.shutdown();
    }
}
