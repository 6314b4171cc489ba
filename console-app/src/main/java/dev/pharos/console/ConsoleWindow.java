package dev.pharos.console;

import dev.pharos.console.configedit.ConfigEditorView;
import dev.pharos.console.configedit.ConfigEditorViewModel;
import dev.pharos.console.edit.EditService;
import dev.pharos.console.inspect.InspectorView;
import dev.pharos.console.inspect.InspectorViewModel;
import dev.pharos.console.lab.LabHost;
import dev.pharos.console.lab.LabView;
import dev.pharos.console.lab.LabViewModel;
import dev.pharos.console.model.ClusterModel;
import dev.pharos.console.timeline.TimelineView;
import dev.pharos.console.timeline.TimelineViewModel;
import dev.pharos.console.topology.MotionViewModel;
import dev.pharos.console.topology.TopologyView;
import dev.pharos.console.topology.TopologyViewModel;
import dev.pharos.console.traffic.TrafficView;
import dev.pharos.console.traffic.TrafficViewModel;
import dev.pharos.icons.IconTheme;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import javafx.animation.PauseTransition;
import javafx.beans.binding.Bindings;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Alert;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.KeyEvent;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.stage.FileChooser;
import javafx.stage.WindowEvent;
import javafx.util.Duration;

/// The main window's content for one cluster: topology in the middle, inspector on the right,
/// timeline below (while a lab runs, the lab's workspace: [#showLab]); menus with the keyboard
/// shortcuts.
public final class ConsoleWindow extends BorderPane implements LabHost {

    private final TopologyViewModel topologyModel;
    private final TopologyView topology;
    private final TimelineView timeline;
    private final InspectorView inspector;
    private Runnable editDirectors = () -> { };
    private Runnable addDirector = () -> { };
    private Executor work = task -> Thread.ofVirtual().name("console-work").start(task);
    private TabPane tabs;
    private final Tab topologyTab;
    private final SplitPane side;
    private final SplitPane upper;
    private final SplitPane split;
    /// Once a lab runs or is about to: the topology with the lab beside it ([#showLab]).
    private BorderPane labWorkspace;
    /// The workspace's right column, where the running lab's controls go.
    private ScrollPane labColumn;
    /// The lab's lesson slot above the topology.
    private Tab lessonTab;
    private LabView shownLab;
    private Tab explanationsTab;
    private String logLocation = "the terminal that started the console";

    /// Keys and gestures, as Help → Keyboard shortcuts lists them.
    private static final String[][] SHORTCUTS = {
        {"F1", "this list"},
        {"Ctrl+Z", "undo your last edit"},
        {"Ctrl+Shift+Z", "redo"},
        {"Ctrl+E", "export the topology as PNG"},
        {"Ctrl+Shift+E", "export it at twice the size, for slides"},
        {"Ctrl+D", "dark or light theme"},
        {"Ctrl+Q", "quit"},
        {"scroll", "zoom the topology"},
        {"drag background", "pan"},
        {"drag a real server", "move it to another virtual server, or onto Remove"},
        {"right-click", "drain, weight, remove; Reconnect now; fix drift"},
    };
    private final TrafficView traffic;
    private final ConfigEditorViewModel configEditor;
    /// Made when its tab is first chosen ([#configView()]): styling and laying out an editor nobody
    /// looks at would delay the console's first full frame.
    private ConfigEditorView configView;
    private final Tab configTab;

    /// A window whose configuration editor has no directors (the topology's tests).
    public ConsoleWindow(ClusterModel cluster, EditService edits) {
        this(cluster, edits, null);
    }

    /// A window for `cluster`; `configEditor` is the configuration editor's view model, made by the
    /// application over its connections (null: one without directors that works on this window's
    /// executor).
    public ConsoleWindow(ClusterModel cluster, EditService edits, ConfigEditorViewModel configEditor) {
        getStyleClass().add("console");
        // The executor is read at each use: [#workOn] may replace it after this.
        topologyModel = new TopologyViewModel(cluster, edits, task -> work.execute(task));
        topology = new TopologyView(topologyModel);
        this.configEditor = configEditor != null ? configEditor
                : new ConfigEditorViewModel(Map.of(), task -> work.execute(task));
        timeline = new TimelineView(new TimelineViewModel(cluster.timeline()));
        inspector = new InspectorView(new InspectorViewModel(topology.selectionProperty(), cluster.driftProperty()));
        traffic = new TrafficView(new TrafficViewModel(topology.selectionProperty()));
        side = new SplitPane(inspector, traffic);
        side.setOrientation(Orientation.VERTICAL);
        side.setDividerPositions(0.45);
        upper = new SplitPane(topology, side);
        upper.setDividerPositions(0.76);
        split = new SplitPane(upper, timeline);
        split.setOrientation(Orientation.VERTICAL);
        split.setDividerPositions(0.72);
        topologyTab = new Tab("Topology", split);
        configTab = new Tab("Configuration");
        configTab.selectedProperty().addListener((o, was, now) -> {
            if (now) {
                configView();
            }
        });
        topologyTab.setClosable(false);
        configTab.setClosable(false);
        tabs = new TabPane(topologyTab, configTab);
        tabs.setId("console-tabs");
        setCenter(tabs);
        setTop(menus());
        installProgress(edits);
        // A one-line field (the timeline's filter) would take Ctrl+Z for its own text: the operator
        // means their last edit. The configuration editor's text keeps its own undo.
        addEventFilter(KeyEvent.KEY_PRESSED, e -> {
            if (!(e.getTarget() instanceof TextField)) {
                return;
            }
            if (REDO.match(e)) {
                topologyModel.redo();
                e.consume();
            } else if (UNDO.match(e)) {
                topologyModel.undo();
                e.consume();
            }
        });
        // A click on the topology takes the keyboard back from a field.
        topology.addEventFilter(MouseEvent.MOUSE_PRESSED, e -> topology.requestFocus());
    }

    /// The window's close button: configuration changes not applied are asked about first.
    public void closeRequested(WindowEvent e) {
        if (configEditor.dirtyProperty().get()) {
            e.consume();
            configView().leaveThen(() -> getScene().getWindow().hide());
        }
    }

    /// The configuration editor, made and put into its tab on first use.
    private ConfigEditorView configView() {
        if (configView == null) {
            configView = new ConfigEditorView(configEditor);
            configTab.setContent(configView);
        }
        return configView;
    }

    private static final KeyCombination UNDO = KeyCombination.keyCombination("Shortcut+Z");
    private static final KeyCombination REDO = KeyCombination.keyCombination("Shortcut+Shift+Z");

    private MenuBar menus() {
        var export = new MenuItem("Export topology as PNG…");
        export.setAccelerator(KeyCombination.keyCombination("Shortcut+E"));
        export.setOnAction(e -> exportPng(1, "topology.png"));
        var exportSharp = new MenuItem("Export topology as PNG, 2× (for slides)…");
        exportSharp.setAccelerator(KeyCombination.keyCombination("Shortcut+Shift+E"));
        exportSharp.setOnAction(e -> exportPng(2, "topology@2x.png"));
        var directors = new MenuItem("Directors…");
        directors.setOnAction(e -> editDirectors.run());
        var addDirectorItem = new MenuItem("Add a director…");
        addDirectorItem.setOnAction(e -> addDirector.run());
        var quit = new MenuItem("Quit");
        quit.setAccelerator(KeyCombination.keyCombination("Shortcut+Q"));
        quit.setOnAction(e -> {
            if (configEditor.dirtyProperty().get()) {
                configView().leaveThen(() -> getScene().getWindow().hide());
            } else {
                getScene().getWindow().hide();
            }
        });
        var undo = new MenuItem("Undo");
        undo.setAccelerator(UNDO);
        undo.disableProperty().bind(topologyModel.canUndoProperty().not());
        undo.setOnAction(e -> topologyModel.undo());
        var redo = new MenuItem("Redo");
        redo.setAccelerator(REDO);
        redo.disableProperty().bind(topologyModel.canRedoProperty().not());
        redo.setOnAction(e -> topologyModel.redo());
        var dark = new MenuItem("Toggle dark theme");
        dark.setAccelerator(KeyCombination.keyCombination("Shortcut+D"));
        dark.setOnAction(e -> toggleDark(getScene().getRoot()));
        var shortcuts = new MenuItem("Keyboard shortcuts");
        shortcuts.setAccelerator(new KeyCodeCombination(KeyCode.F1));
        shortcuts.setOnAction(e -> showHelp());
        var about = new MenuItem("About Pharos");
        about.setOnAction(e -> showAbout());
        return new MenuBar(new Menu("File", null, directors, addDirectorItem, export, exportSharp, quit), new Menu("Edit", null, undo, redo),
                new Menu("View", null, dark), new Menu("Help", null, shortcuts, about));
    }

    /// What the keys do (F1).
    private void showHelp() {
        var text = new StringBuilder();
        for (var row : SHORTCUTS) {
            text.append(String.format("%-20s %s%n", row[0], row[1]));
        }
        var area = new TextArea(text.toString());
        area.setEditable(false);
        area.setId("help-shortcuts");
        area.setPrefRowCount(SHORTCUTS.length + 1);
        area.getStyleClass().add("help-text");
        var dialog = new Alert(Alert.AlertType.INFORMATION);
        dialog.setTitle("Keyboard shortcuts");
        dialog.setHeaderText("Keyboard and mouse");
        dialog.getDialogPane().setContent(area);
        dialog.initOwner(getScene().getWindow());
        dialog.show();
    }

    private void showAbout() {
        var version = Objects.requireNonNullElse(ConsoleWindow.class.getPackage().getImplementationVersion(),
                "development build");
        var dialog = new Alert(Alert.AlertType.INFORMATION);
        dialog.setTitle("About Pharos");
        dialog.setHeaderText("Pharos console — " + version);
        dialog.setContentText("Highly available layer-4 load balancing: VRRP, health checks and the IPVS table, "
                + "compatible with keepalived.conf.\n\nThe console's log: " + logLocation);
        dialog.initOwner(getScene().getWindow());
        dialog.show();
    }

    /// Asks where, then writes the topology at `scale` there (the picture is taken here, on the FX
    /// thread; encoding and writing run on `work`; the status line says where it went).
    private void exportPng(double scale, String suggested) {
        var chooser = new FileChooser();
        chooser.setInitialFileName(suggested);
        var file = chooser.showSaveDialog(getScene().getWindow());
        if (file != null) {
            topologyModel.exportPng(file.getPath(), topology.picture(scale));
        }
    }

    /// A spinner next to the menus while edits are in flight for more than 200 ms (shorter work
    /// would only flicker).
    private void installProgress(EditService edits) {
        var spinner = new ProgressIndicator();
        spinner.setId("busy");
        spinner.setPrefSize(18, 18);
        spinner.setVisible(false);
        var delay = new PauseTransition(Duration.millis(200));
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
        var box = new HBox(8, bar, spinner);
        HBox.setHgrow(bar, Priority.ALWAYS);
        box.setAlignment(Pos.CENTER_LEFT);
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
            scene.getStylesheets().removeAll(IconTheme.LIGHT.stylesheets());
            scene.getStylesheets().removeAll(IconTheme.DARK.stylesheets());
            scene.getStylesheets().addAll(0, (dark ? IconTheme.DARK : IconTheme.LIGHT).stylesheets());
        }
    }

    /// The stylesheets a scene showing this window needs (light theme).
    public static List<String> stylesheets() {
        var all = new ArrayList<>(IconTheme.LIGHT.stylesheets());
        all.add(ConsoleWindow.class.getResource("pharos.css").toExternalForm());
        return all;
    }

    /// Where Help → About says the log goes (the launcher's [ConsoleLog]).
    public void logLocation(String where) {
        this.logLocation = where;
    }

    /// Where the export menu and the configuration editor run their file work (the application's
    /// `console-work`); a window built without the application (tests) uses a virtual thread per task.
    public void workOn(Executor executor) {
        this.work = executor;
    }

    public TopologyView topology() {
        return topology;
    }

    public TopologyViewModel topologyModel() {
        return topologyModel;
    }

    @Override
    public void showMotion(MotionViewModel motion) {
        topology.showMotion(motion);
    }

    /// Shows the lab's workspace, for a class to see at once at 1024×700 and up: the topology in
    /// the middle, the lab's controls, VIP owners and last explanation in a column on the right (no
    /// scrolling at that size; a smaller window scrolls it), and under the topology the lesson, the
    /// timeline, inspector, traffic charts and every explanation as tabs. The lesson has a tab
    /// rather than a strip above the topology: its narration and observations took a third of the
    /// topology's height, and the topology is what the class watches. A loaded pair's view
    /// replaces the last one.
    @Override
    public void showLab(LabView view) {
        openLabWorkspace();
        shownLab = view;
        var lesson = new ScrollPane(view.lessonSlot());
        lesson.setFitToWidth(true);
        lesson.setHbarPolicy(ScrollPane.ScrollBarPolicy.NEVER);
        lessonTab.setContent(lesson);
        explanationsTab.setContent(view.history());
        labColumn.setContent(view);
    }

    /// Lays out the lab's workspace ([#showLab]) before a lab runs, its column empty until then. A
    /// console that opens on the training lab calls this before its first full frame, so its panes
    /// are styled and laid out once: moved from the operator's split panes into the workspace
    /// later, every one of them would be styled again, which the console's start waits for.
    public void openLabWorkspace() {
        if (labWorkspace != null) {
            return;
        }
        labColumn = new ScrollPane();
        labColumn.setFitToWidth(true);
        labColumn.setFitToHeight(true);
        labColumn.setHbarPolicy(ScrollPane.ScrollBarPolicy.NEVER);
        labColumn.setId("lab-panel");
        // the column's rows need 440 px; a wider window gives some of its width to them, most to the topology
        labColumn.prefWidthProperty().bind(Bindings.createDoubleBinding(() -> Math.clamp(getWidth() * 0.36, 440, 480),
                widthProperty()));
        labColumn.setMinWidth(Region.USE_PREF_SIZE);
        // the operator's panes leave their split panes for the workspace's tabs
        side.getItems().clear();
        upper.getItems().clear();
        split.getItems().clear();
        explanationsTab = new Tab("Why it happened (all)");
        lessonTab = new Tab("Lesson");
        lessonTab.setId("lab-lesson-tab");
        var inspectorTab = shownWhenChosen("Inspector", inspector);
        var details = new TabPane(lessonTab, shownWhenChosen("Timeline", timeline), inspectorTab,
                shownWhenChosen("Traffic", traffic), explanationsTab);
        // a click on a card shows what it is, as the inspector beside the topology did, unless
        // a lesson runs in view: its Next stays in reach
        topology.selectionProperty().addListener((o, was, now) -> {
            var lessonInView = lessonTab.isSelected() && shownLab != null && shownLab.lessonChosenProperty().get();
            if (now != null && !lessonInView) {
                details.getSelectionModel().select(inspectorTab);
            }
        });
        details.setId("details");
        details.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        details.setMinHeight(0);
        var left = new SplitPane(topology, details);
        left.setOrientation(Orientation.VERTICAL);
        left.setDividerPositions(0.64);
        labWorkspace = new BorderPane(left);
        labWorkspace.setId("lab-workspace");
        labWorkspace.setRight(labColumn);
        topologyTab.setContent(labWorkspace);
        // a class sees the whole pair, whatever the window's size
        topology.fitToWindow();
    }

    /// A tab that takes `content` into the scene when first chosen: the lesson's tab is the one in
    /// view at the start, and the others' panes (charts, a table) need not be styled and laid out
    /// before the console's first full frame.
    private static Tab shownWhenChosen(String title, Node content) {
        var tab = new Tab(title);
        tab.selectedProperty().subscribe(chosen -> {
            if (chosen && tab.getContent() == null) {
                tab.setContent(content);
            }
        });
        return tab;
    }

    @Override
    public void offerSpares(List<LabViewModel.RealServer> spares) {
        topologyModel.offerSpares(spares.stream().map(s -> new TopologyViewModel.Spare(s.label().replaceFirst(" \\(.*", ""),
                new TopologyViewModel.NewServer(s.address(), null, 1))).toList());
    }

    @Override
    public void showError(String message) {
        topologyModel.showError(message);
    }

    /// What File → Directors… does (the application opens the inventory dialog).
    public void onEditDirectors(Runnable action) {
        this.editDirectors = action;
    }

    /// What File → Add a director… does (the application opens its window).
    public void onAddDirector(Runnable action) {
        this.addDirector = action;
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
