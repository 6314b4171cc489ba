package dev.pharos.console;

import dev.pharos.console.configedit.ConfigEditorView;
import dev.pharos.console.configedit.ConfigEditorViewModel;
import dev.pharos.console.edit.EditService;
import dev.pharos.console.inspect.InspectorView;
import dev.pharos.console.inspect.InspectorViewModel;
import dev.pharos.console.lab.LabHost;
import dev.pharos.console.model.ClusterModel;
import dev.pharos.console.timeline.TimelineView;
import dev.pharos.console.timeline.TimelineViewModel;
import dev.pharos.console.topology.TopologyView;
import dev.pharos.console.topology.TopologyViewModel;
import dev.pharos.console.traffic.TrafficView;
import dev.pharos.console.traffic.TrafficViewModel;
import javafx.geometry.Orientation;
import javafx.scene.Parent;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SplitPane;
import javafx.scene.input.KeyCombination;
import javafx.scene.layout.BorderPane;

/// The main window's content for one cluster: topology in the middle, inspector on the right,
/// timeline below; menus with the keyboard shortcuts.
public final class ConsoleWindow extends BorderPane implements LabHost {

    private final TopologyViewModel topologyModel;
    private final TopologyView topology;
    private final TimelineView timeline;
    private final InspectorView inspector;
    private Runnable editDirectors = () -> { };
    private java.util.concurrent.Executor work = task -> Thread.ofVirtual().name("console-work").start(task);
    private javafx.scene.control.TabPane tabs;
    private SplitPane side;
    private SplitPane upper;
    private final TrafficView traffic;
    private final ConfigEditorViewModel configEditor;

    public ConsoleWindow(ClusterModel cluster, EditService edits) {
        this(cluster, edits, java.util.Map.of());
    }

    public ConsoleWindow(ClusterModel cluster, EditService edits,
            java.util.Map<String, dev.pharos.console.connect.DirectorConnection> connections) {
        getStyleClass().add("console");
        // The executor is read at each use: [#workOn] may replace it after this.
        topologyModel = new TopologyViewModel(cluster, edits, task -> work.execute(task));
        topology = new TopologyView(topologyModel);
        configEditor = new ConfigEditorViewModel(connections, task -> work.execute(task));
        timeline = new TimelineView(new TimelineViewModel(cluster.timeline()));
        inspector = new InspectorView(new InspectorViewModel(topology.selectionProperty(), cluster.driftProperty()));
        traffic = new TrafficView(new TrafficViewModel(topology.selectionProperty()));
        side = new SplitPane(inspector, traffic);
        side.setOrientation(Orientation.VERTICAL);
        side.setDividerPositions(0.45);
        upper = new SplitPane(topology, side);
        upper.setDividerPositions(0.76);
        var split = new SplitPane(upper, timeline);
        split.setOrientation(Orientation.VERTICAL);
        split.setDividerPositions(0.72);
        var topologyTab = new javafx.scene.control.Tab("Topology", split);
        var configTab = new javafx.scene.control.Tab("Configuration", new ConfigEditorView(configEditor));
        topologyTab.setClosable(false);
        configTab.setClosable(false);
        tabs = new javafx.scene.control.TabPane(topologyTab, configTab);
        tabs.setId("console-tabs");
        setCenter(tabs);
        setTop(menus(edits));
        installProgress(edits);
    }

    private MenuBar menus(EditService edits) {
        var export = new MenuItem("Export topology as PNG…");
        export.setAccelerator(KeyCombination.keyCombination("Shortcut+E"));
        export.setOnAction(e -> {
            var chooser = new javafx.stage.FileChooser();
            chooser.setInitialFileName("topology.png");
            var file = chooser.showSaveDialog(getScene().getWindow());
            if (file != null) {
                // The picture is taken here (FX thread); encoding and writing it run on `work`.
                topologyModel.exportPng(file.toPath(), topology.picture());
            }
        });
        var directors = new MenuItem("Directors…");
        directors.setOnAction(e -> editDirectors.run());
        var quit = new MenuItem("Quit");
        quit.setAccelerator(KeyCombination.keyCombination("Shortcut+Q"));
        quit.setOnAction(e -> getScene().getWindow().hide());
        var undo = new MenuItem("Undo");
        undo.setAccelerator(KeyCombination.keyCombination("Shortcut+Z"));
        undo.disableProperty().bind(edits.canUndoProperty().not());
        undo.setOnAction(e -> edits.undo(o -> report(o.ok(), "undone: " + o.edit().inverse().describe(),
                "undo refused: " + o.failures())));
        var redo = new MenuItem("Redo");
        redo.setAccelerator(KeyCombination.keyCombination("Shortcut+Shift+Z"));
        redo.disableProperty().bind(edits.canRedoProperty().not());
        redo.setOnAction(e -> edits.redo(o -> report(o.ok(), "redone: " + o.edit().describe(),
                "redo refused: " + o.failures())));
        var dark = new MenuItem("Toggle dark theme");
        dark.setAccelerator(KeyCombination.keyCombination("Shortcut+D"));
        dark.setOnAction(e -> toggleDark(getScene().getRoot()));
        return new MenuBar(new Menu("File", null, directors, export, quit), new Menu("Edit", null, undo, redo),
                new Menu("View", null, dark));
    }

    /// A spinner next to the menus while edits are in flight for more than 200 ms (shorter work
    /// would only flicker).
    private void installProgress(EditService edits) {
        var spinner = new javafx.scene.control.ProgressIndicator();
        spinner.setId("busy");
        spinner.setPrefSize(18, 18);
        spinner.setVisible(false);
        var delay = new javafx.animation.PauseTransition(javafx.util.Duration.millis(200));
        delay.setOnFinished(e -> spinner.setVisible(edits.inFlightProperty().get() > 0));
        edits.inFlightProperty().addListener((o, was, now) -> {
            if (now.intValue() > 0) {
                delay.playFromStart();
            } else {
                delay.stop();
                spinner.setVisible(false);
            }
        });
        var bar = (MenuBar) getTop();
        var box = new javafx.scene.layout.HBox(8, bar, spinner);
        javafx.scene.layout.HBox.setHgrow(bar, javafx.scene.layout.Priority.ALWAYS);
        box.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        setTop(box);
    }

    /// Switches between the light and the dark theme: the console's own colours (a `dark` class
    /// on the root) and the icons' palette stylesheets.
    static void toggleDark(Parent root) {
        boolean dark = !root.getStyleClass().remove("dark");
        if (dark) {
            root.getStyleClass().add("dark");
        }
        var scene = root.getScene();
        if (scene != null) {
            scene.getStylesheets().removeAll(dev.pharos.icons.IconTheme.LIGHT.stylesheets());
            scene.getStylesheets().removeAll(dev.pharos.icons.IconTheme.DARK.stylesheets());
            scene.getStylesheets().addAll(0, (dark ? dev.pharos.icons.IconTheme.DARK : dev.pharos.icons.IconTheme.LIGHT)
                    .stylesheets());
        }
    }

    /// The stylesheets a scene showing this window needs (light theme).
    public static java.util.List<String> stylesheets() {
        var all = new java.util.ArrayList<>(dev.pharos.icons.IconTheme.LIGHT.stylesheets());
        all.add(ConsoleWindow.class.getResource("pharos.css").toExternalForm());
        return all;
    }

    /// Where the export menu and the configuration editor run their file work (the application's
    /// `console-work`); a window built without the application (tests) uses a virtual thread per task.
    public void workOn(java.util.concurrent.Executor executor) {
        this.work = executor;
    }

    public TopologyView topology() {
        return topology;
    }

    public TopologyViewModel topologyModel() {
        return topologyModel;
    }

    /// Shows the lab's controls beside the topology (a side panel under the inspector).
    @Override
    public void showLab(javafx.scene.Node labView) {
        var scroll = new javafx.scene.control.ScrollPane(labView);
        scroll.setFitToWidth(true);
        scroll.setId("lab-panel");
        side.getItems().removeIf(n -> "lab-panel".equals(n.getId()));
        side.getItems().add(0, scroll);
        // after the next layout pass, or the split panes keep their old proportions
        javafx.application.Platform.runLater(() -> {
            side.setDividerPositions(0.62, 0.8);
            upper.setDividerPositions(0.6);
        });
    }

    private void report(boolean ok, String done, String refused) {
        if (ok) {
            topologyModel.showStatus(done);
        } else {
            topologyModel.showError(refused);
        }
    }

    @Override
    public void showError(String message) {
        topologyModel.showError(message);
    }

    /// What File → Directors… does (the application opens the inventory dialog).
    public void onEditDirectors(Runnable action) {
        this.editDirectors = action;
    }

    /// The configuration editor's director list follows the connections.
    @Override
    public void refreshDirectors() {
        configEditor.refreshDirectors();
    }

    public TrafficView traffic() {
        return traffic;
    }

    public InspectorView inspector() {
        return inspector;
    }
}
