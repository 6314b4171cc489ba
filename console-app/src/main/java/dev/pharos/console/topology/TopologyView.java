package dev.pharos.console.topology;

import dev.pharos.console.edit.Edit;
import dev.pharos.icons.Icon;
import dev.pharos.icons.Icons;
import dev.pharos.console.edit.EditService;
import dev.pharos.console.model.ClusterModel;
import dev.pharos.console.model.DirectorModel;
import dev.pharos.console.model.InstanceModel;
import dev.pharos.console.model.Liveness;
import dev.pharos.console.model.RealServerModel;
import dev.pharos.console.model.VirtualServerModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import javafx.application.Platform;
import javafx.beans.InvalidationListener;
import javafx.beans.Observable;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.css.PseudoClass;
import javafx.geometry.Point2D;
import javafx.scene.Group;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.Label;
import javafx.scene.control.MenuItem;
import javafx.scene.control.TextInputDialog;
import javafx.scene.control.ToolBar;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.scene.input.ScrollEvent;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Pane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.scene.shape.Line;
import javafx.scene.shape.Rectangle;

/// The live topology of one cluster. Rebuilt from the model whenever it changes (coalesced to
/// one rebuild per pulse); every gesture becomes an [Edit] sent through the [EditService].
///
/// Dragging is done with mouse events and the view's own hit test rather than the platform's
/// drag-and-drop, so it behaves the same on every OS, in a remote session and headless.
public final class TopologyView extends BorderPane {

    private static final PseudoClass PENDING = PseudoClass.getPseudoClass("pending");
    private static final PseudoClass SELECTED = PseudoClass.getPseudoClass("selected");
    private static final PseudoClass DROP = PseudoClass.getPseudoClass("drop-target");
    private static final PseudoClass STALE = PseudoClass.getPseudoClass("stale");

    /// What the operator picked, for the inspector.
    public sealed interface Selection {
        record Director(DirectorModel director) implements Selection {
        }

        record VirtualServer(String id, List<VirtualServerModel> perDirector) implements Selection {
        }

        record RealServer(String virtualServer, String id, List<RealServerModel> perDirector) implements Selection {
        }
    }

    /// What a new real server dropped from the palette needs; the default asks in a dialog.
    public record NewServer(String address, Integer port, int weight) {
    }

    private final ClusterModel cluster;
    private final EditService edits;
    private final Pane canvas = new Pane();
    private final Group zoomGroup = new Group(canvas);
    private final Pane viewport = new Pane(zoomGroup);
    private final Label bin = new Label("Remove");
    private final Label palette = new Label("Real server");
    private final StringProperty status = new SimpleStringProperty("");
    private final Label statusLabel = new Label();
    private final ObjectProperty<Selection> selection = new SimpleObjectProperty<>();
    private final List<Runnable> detach = new ArrayList<>();
    private final Map<String, Node> vsNodes = new LinkedHashMap<>();
    private final Map<String, Node> rsNodes = new LinkedHashMap<>();
    /// Selected real servers by `vsId|rsId`; kept across redraws. Ctrl-click (⌘ on macOS) adds or
    /// removes one; a drag or a context-menu action applies to all of them.
    private final javafx.collections.ObservableSet<String> selectedRealServers =
            javafx.collections.FXCollections.observableSet(new java.util.LinkedHashSet<>());
    /// What each selected real server needs for an edit: its virtual server, id and model.
    private final Map<String, RealServerModel> rsModels = new LinkedHashMap<>();
    private BiFunction<String, Optional<NewServer>, Optional<NewServer>> newServerPrompt = (vs, suggested) -> ask(vs);
    private boolean dirty;
    private boolean dragging;
    private double dragStartX;
    private double dragStartY;
    private Node dropHover;

    public TopologyView(ClusterModel cluster, EditService edits) {
        this.cluster = cluster;
        this.edits = edits;
        getStyleClass().add("topology");
        canvas.getStyleClass().add("topology-canvas");
        viewport.getStyleClass().add("topology-viewport");
        var clip = new Rectangle();
        clip.widthProperty().bind(viewport.widthProperty());
        clip.heightProperty().bind(viewport.heightProperty());
        viewport.setClip(clip);
        bin.getStyleClass().add("bin");
        bin.setGraphic(Icons.node(Icon.BIN, 20));
        bin.setId("bin");
        palette.getStyleClass().add("palette-item");
        palette.setGraphic(Icons.node(Icon.ADD, 14));
        palette.setId("palette-real-server");
        statusLabel.textProperty().bind(status);
        statusLabel.getStyleClass().add("status");
        statusLabel.setId("topology-status");

        var undo = new Button("Undo");
        undo.disableProperty().bind(edits.canUndoProperty().not());
        undo.setOnAction(e -> edits.undo(this::report));
        var redo = new Button("Redo");
        redo.disableProperty().bind(edits.canRedoProperty().not());
        redo.setOnAction(e -> edits.redo(this::report));
        var zoomIn = new Button("+");
        zoomIn.setOnAction(e -> zoom(1.2));
        var zoomOut = new Button("−");
        zoomOut.setOnAction(e -> zoom(1 / 1.2));
        var fit = new Button("1:1");
        fit.setOnAction(e -> {
            zoomGroup.setScaleX(1);
            zoomGroup.setScaleY(1);
            zoomGroup.setTranslateX(0);
            zoomGroup.setTranslateY(0);
        });
        var spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        setTop(new ToolBar(palette, undo, redo, spacer, zoomOut, fit, zoomIn));
        var stack = new StackPane(viewport, bin);
        StackPane.setAlignment(bin, javafx.geometry.Pos.BOTTOM_RIGHT);
        setCenter(stack);
        setBottom(statusLabel);

        installPan();
        installPalette();
        cluster.directors().addListener((InvalidationListener) o -> markDirty());
        rebuild();
    }

    /// Replaces the dialog that asks for a new real server's address (tests, scripted demos).
    public void setNewServerPrompt(BiFunction<String, Optional<NewServer>, Optional<NewServer>> prompt) {
        this.newServerPrompt = prompt;
    }

    public ObjectProperty<Selection> selectionProperty() {
        return selection;
    }

    /// The last outcome or error, as shown in the status line.
    public StringProperty statusProperty() {
        return status;
    }

    /// The drawing, for export as PNG.
    public Node canvas() {
        return canvas;
    }

    /// The node of a real server (`vsId|rsId`) or virtual server, for tests and keyboard focus.
    public Optional<Node> nodeFor(String key) {
        return Optional.ofNullable(rsNodes.containsKey(key) ? rsNodes.get(key) : vsNodes.get(key));
    }

    /// Schedules one rebuild. While the operator drags, nothing is redrawn (the dragged node
    /// must not vanish under the mouse); the rebuild runs when the gesture ends.
    private void markDirty() {
        if (!dirty) {
            dirty = true;
            if (!dragging) {
                Platform.runLater(this::rebuild);
            }
        }
    }

    private void dragStarted() {
        dragging = true;
    }

    private void dragEnded() {
        dragging = false;
        if (dirty) {
            Platform.runLater(this::rebuild);
        }
    }

    private void watchServer(Observable o, String key) {
        InvalidationListener l = x -> refreshLater(key);
        o.addListener(l);
        detach.add(() -> o.removeListener(l));
    }

    private final java.util.Set<String> refreshQueue = new java.util.LinkedHashSet<>();

    private void refreshLater(String key) {
        if (refreshQueue.isEmpty()) {
            Platform.runLater(this::refreshQueued);
        }
        refreshQueue.add(key);
    }

    private void refreshQueued() {
        var keys = List.copyOf(refreshQueue);
        refreshQueue.clear();
        if (dirty) {
            return; // a full redraw is coming anyway
        }
        for (var key : keys) {
            var parts = rsParts.get(key);
            if (parts != null) {
                parts.refresh().run();
            }
        }
    }

    /// A drawn real server: how to bring its node and its link up to date with the model.
    private record RsParts(Runnable refresh) {
    }

    private final Map<String, RsParts> rsParts = new LinkedHashMap<>();
    private final Map<String, Line> rsLinks = new LinkedHashMap<>();

    private void watch(Observable o) {
        InvalidationListener l = x -> markDirty();
        o.addListener(l);
        detach.add(() -> o.removeListener(l));
    }

    /// Draws everything again from the model and re-attaches the listeners that trigger the next time.
    private void rebuild() {
        if (dragging) {
            return;
        }
        dirty = false;
        detach.forEach(Runnable::run);
        detach.clear();
        vsNodes.clear();
        rsNodes.clear();
        rsModels.clear();
        rsParts.clear();
        rsLinks.clear();
        canvas.getChildren().clear();

        // Virtual servers as the union over directors (in dual-master LVS both carry the same table).
        var vsByid = new LinkedHashMap<String, List<VirtualServerModel>>();
        for (var d : cluster.directors()) {
            watch(d.livenessProperty());
            watch(d.instances());
            watch(d.virtualServers());
            for (var i : d.instances()) {
                watch(i.stateProperty());
                watch(i.priorityProperty());
            }
            for (var v : d.virtualServers()) {
                vsByid.computeIfAbsent(v.id(), k -> new ArrayList<>()).add(v);
                watch(v.realServers());
                for (var r : v.realServers()) {
                    // A change of one server's health, weight or pending state updates its node in
                    // place: no redraw of the whole topology (200 events/s must stay cheap).
                    var key = v.id() + "|" + r.id();
                    watchServer(r.healthProperty(), key);
                    watchServer(r.weightProperty(), key);
                    watchServer(r.pendingProperty(), key);
                }
            }
        }
        var layoutInput = new LinkedHashMap<String, List<String>>();
        vsByid.forEach((id, models) -> {
            var ids = new ArrayList<String>();
            for (var v : models) {
                for (var r : v.realServers()) {
                    if (!ids.contains(r.id())) {
                        ids.add(r.id());
                    }
                }
            }
            layoutInput.put(id, ids);
        });
        var names = cluster.directors().stream().map(DirectorModel::name).toList();
        var layout = TopologyLayout.compute(names, layoutInput);
        canvas.setPrefSize(layout.width(), layout.height());

        if (cluster.directors().isEmpty()) {
            var empty = new Label("No directors in this cluster yet.");
            empty.getStyleClass().add("empty-hint");
            empty.relocate(TopologyLayout.MARGIN, TopologyLayout.MARGIN);
            canvas.getChildren().add(empty);
        }
        // Links first, so boxes draw over them.
        for (var d : cluster.directors()) {
            var db = shifted(layout.directors().get(d.name()), "director " + d.name());
            for (var e : vsByid.entrySet()) {
                var vb = shifted(layout.virtualServers().get(e.getKey()), "vs " + e.getKey());
                var vip = e.getValue().getFirst().addressProperty().get();
                var role = roleFor(d, vip);
                if (role.isEmpty()) {
                    continue;
                }
                var line = new Line(db.centerX(), db.bottom(), vb.centerX(), vb.y());
                line.getStyleClass().addAll("link", "link-" + role.get().toLowerCase(java.util.Locale.ROOT));
                line.pseudoClassStateChanged(STALE, d.livenessProperty().get() != Liveness.LIVE);
                canvas.getChildren().add(line);
            }
        }
        for (var e : vsByid.entrySet()) {
            var vb = shifted(layout.virtualServers().get(e.getKey()), "vs " + e.getKey());
            for (var rsId : layoutInput.get(e.getKey())) {
                var rb = shifted(layout.realServers().get(e.getKey() + "|" + rsId), "vs " + e.getKey());
                var line = new Line(vb.centerX(), vb.bottom(), rb.centerX(), rb.y());
                line.getStyleClass().addAll("link", "link-real-server", "health-" + health(e.getValue(), rsId));
                canvas.getChildren().add(line);
                rsLinks.put(e.getKey() + "|" + rsId, line);
            }
        }
        for (var d : cluster.directors()) {
            var node = directorNode(d);
            var b = shifted(layout.directors().get(d.name()), "director " + d.name());
            place(node, b);
            movable(node, "director " + d.name());
        }
        for (var e : vsByid.entrySet()) {
            var node = virtualServerNode(e.getKey(), e.getValue());
            place(node, shifted(layout.virtualServers().get(e.getKey()), "vs " + e.getKey()));
            movable(node, "vs " + e.getKey());
            vsNodes.put(e.getKey(), node);
            for (var rsId : layoutInput.get(e.getKey())) {
                var rnode = realServerNode(e.getKey(), rsId, e.getValue());
                place(rnode, shifted(layout.realServers().get(e.getKey() + "|" + rsId), "vs " + e.getKey()));
                rsNodes.put(e.getKey() + "|" + rsId, rnode);
                rnode.pseudoClassStateChanged(SELECTED, selectedRealServers.contains(e.getKey() + "|" + rsId));
            }
        }
        pruneSelection();
    }

    /// Where the operator moved a director or a virtual server (with its real servers), as an
    /// offset from the automatic layout; kept per cluster in [#rememberLayoutIn]'s file.
    private final Map<String, Point2D> offsets = new LinkedHashMap<>();
    private java.nio.file.Path layoutFile;

    /// Remembers the operator's arrangement in `file` (JSON), and applies the one saved there.
    public void rememberLayoutIn(java.nio.file.Path file) {
        layoutFile = file;
        try {
            if (java.nio.file.Files.exists(file)) {
                var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(file.toFile());
                tree.properties().forEach(e -> offsets.put(e.getKey(),
                        new Point2D(e.getValue().path("dx").asDouble(), e.getValue().path("dy").asDouble())));
            }
        } catch (java.io.IOException | RuntimeException e) {
            status.set("the saved layout " + file + " is unreadable; using the automatic one");
        }
        markDirty();
    }

    private void saveLayout() {
        if (layoutFile == null) {
            return;
        }
        try {
            var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
            var root = mapper.createObjectNode();
            offsets.forEach((k, v) -> root.putObject(k).put("dx", v.getX()).put("dy", v.getY()));
            java.nio.file.Files.createDirectories(layoutFile.toAbsolutePath().getParent());
            var tmp = java.nio.file.Files.createTempFile(layoutFile.toAbsolutePath().getParent(), ".layout", ".tmp");
            mapper.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), root);
            java.nio.file.Files.move(tmp, layoutFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (java.io.IOException e) {
            status.set("the layout could not be saved: " + e.getMessage());
        }
    }

    /// The automatic box moved by the operator's offset for `key`.
    private TopologyLayout.Box shifted(TopologyLayout.Box b, String key) {
        var o = offsets.get(key);
        return o == null ? b : new TopologyLayout.Box(b.x() + o.getX(), b.y() + o.getY(), b.w(), b.h());
    }

    /// Lets the operator drag a director or a virtual server (a drag of more than a few pixels;
    /// a click still selects it). A moved virtual server takes its real servers along.
    public void moveBy(String key, double dx, double dy) {
        var o = offsets.getOrDefault(key, Point2D.ZERO);
        offsets.put(key, new Point2D(o.getX() + dx, o.getY() + dy));
        saveLayout();
        markDirty();
    }

    private void movable(Region node, String key) {
        var start = new double[2];
        node.addEventHandler(MouseEvent.MOUSE_PRESSED, e -> {
            if (e.getButton() == MouseButton.PRIMARY) {
                start[0] = e.getSceneX();
                start[1] = e.getSceneY();
                dragStarted();
                e.consume();
            }
        });
        node.addEventHandler(MouseEvent.MOUSE_DRAGGED, e -> {
            if (e.isPrimaryButtonDown()) {
                double scale = zoomGroup.getScaleX();
                node.setTranslateX((e.getSceneX() - start[0]) / scale);
                node.setTranslateY((e.getSceneY() - start[1]) / scale);
                e.consume();
            }
        });
        node.addEventHandler(MouseEvent.MOUSE_RELEASED, e -> {
            if (e.getButton() != MouseButton.PRIMARY) {
                return;
            }
            dragEnded();
            double scale = zoomGroup.getScaleX();
            double dx = (e.getSceneX() - start[0]) / scale;
            double dy = (e.getSceneY() - start[1]) / scale;
            if (Math.hypot(dx, dy) > 4) {
                moveBy(key, dx, dy);
            } else {
                node.setTranslateX(0);
                node.setTranslateY(0);
            }
            e.consume();
        });
    }

    /// Forgets selected real servers that are no longer drawn (removed or moved away).
    private void pruneSelection() {
        selectedRealServers.retainAll(rsNodes.keySet());
    }

    /// The keys of the selected real servers (`vsId|rsId`), in selection order.
    public java.util.List<String> selectedRealServers() {
        return java.util.List.copyOf(selectedRealServers);
    }

    private void place(Region node, TopologyLayout.Box b) {
        node.setPrefSize(b.w(), b.h());
        node.setMinSize(b.w(), b.h());
        node.setMaxSize(b.w(), b.h());
        node.relocate(b.x(), b.y());
        canvas.getChildren().add(node);
    }

    /// MASTER/BACKUP/FAULT of the director's instance that holds `vip`, if any.
    private static Optional<String> roleFor(DirectorModel d, String vip) {
        if (vip == null) {
            return Optional.empty();
        }
        for (var i : d.instances()) {
            for (var a : i.virtualAddressesProperty().get()) {
                if (a.equals(vip) || a.startsWith(vip + "/")) {
                    return Optional.of(i.stateProperty().get());
                }
            }
        }
        return Optional.empty();
    }

    private Region directorNode(DirectorModel d) {
        var box = new VBox(2);
        box.getStyleClass().addAll("director", "liveness-" + d.livenessProperty().get().name().toLowerCase(java.util.Locale.ROOT));
        box.setId("director-" + d.name());
        var live = d.livenessProperty().get();
        var title = new Label(d.name(), Icons.node(live == Liveness.LIVE ? Icon.DIRECTOR : Icon.LINK_LOST, 18));
        title.getStyleClass().add("title");
        var sub = new Label(switch (live) {
            case LIVE -> "live";
            case CONNECTING -> "connecting…";
            case UNKNOWN -> "UNKNOWN — last known state";
            case FAILED -> "connection refused — see timeline";
        });
        sub.getStyleClass().add("subtitle");
        box.getChildren().addAll(title, sub);
        for (var i : d.instances()) {
            var role = switch (i.stateProperty().get()) {
                case "MASTER" -> Icon.MASTER;
                case "FAULT" -> Icon.FAULT;
                default -> Icon.BACKUP;
            };
            var l = new Label(instanceLine(i), Icons.node(live == Liveness.LIVE ? role : Icon.HEALTH_UNKNOWN, 14));
            l.getStyleClass().addAll("instance", "role-" + i.stateProperty().get().toLowerCase(java.util.Locale.ROOT));
            l.pseudoClassStateChanged(STALE, live != Liveness.LIVE);
            box.getChildren().add(l);
        }
        box.pseudoClassStateChanged(STALE, live != Liveness.LIVE);
        box.setOnMouseClicked(e -> select(new Selection.Director(d), box));
        return box;
    }

    private static String instanceLine(InstanceModel i) {
        return i.name() + "  " + i.stateProperty().get() + "  prio " + i.priorityProperty().get();
    }

    private Region virtualServerNode(String id, List<VirtualServerModel> models) {
        var v = models.getFirst();
        var box = new VBox(2);
        box.getStyleClass().add("virtual-server");
        box.setId("vs-" + id);
        box.setUserData(id);
        var title = new Label(id, Icons.node(Icon.VIRTUAL_SERVER, 16));
        title.getStyleClass().add("title");
        var persistence = v.persistenceSecondsProperty().get();
        var sub = new Label(v.schedulerProperty().get() + " · " + v.kindProperty().get()
                + (persistence > 0 ? " · persist " + persistence + "s" : "")
                + ("proxied".equals(v.servedAsProperty().get()) ? " · proxied" : ""));
        sub.getStyleClass().add("subtitle");
        box.getChildren().addAll(title, sub);
        box.setOnMouseClicked(e -> select(new Selection.VirtualServer(id, models), box));
        return box;
    }

    /// Worst health of the real server across the directors that report it live.
    private String health(List<VirtualServerModel> models, String rsId) {
        String best = "unknown";
        for (var v : models) {
            var r = v.realServer(rsId);
            if (r.isEmpty()) {
                continue;
            }
            var h = r.get().healthProperty().get();
            if ("down".equals(h)) {
                return "down";
            }
            if ("up".equals(h) || ("unchecked".equals(h) && !"up".equals(best))) {
                best = h;
            }
        }
        return best;
    }

    private Region realServerNode(String vsId, String rsId, List<VirtualServerModel> models) {
        var perDirector = new ArrayList<RealServerModel>();
        models.forEach(v -> v.realServer(rsId).ifPresent(perDirector::add));
        var r = perDirector.getFirst();
        var key = vsId + "|" + rsId;
        var box = new HBox(6);
        box.getStyleClass().add("real-server");
        box.setId("rs-" + key);
        var text = new VBox(0);
        var title = new Label(rsId);
        title.getStyleClass().add("title");
        var sub = new Label();
        sub.getStyleClass().add("subtitle");
        text.getChildren().addAll(title, sub);
        box.getChildren().addAll(new Region(), text);
        Runnable refresh = () -> {
            var health = health(models, rsId);
            int w = r.weightProperty().get();
            box.getStyleClass().removeIf(c -> c.startsWith("health-") || c.equals("draining"));
            box.getStyleClass().add("health-" + health);
            if (w == 0) {
                box.getStyleClass().add("draining");
            }
            box.getChildren().set(0, Icons.node(w == 0 ? Icon.DRAINING : switch (health) {
                case "up", "unchecked" -> Icon.HEALTH_UP;
                case "down" -> Icon.HEALTH_DOWN;
                default -> Icon.HEALTH_UNKNOWN;
            }, 18));
            sub.setText((w == 0 ? "draining" : "weight " + w) + " · " + health);
            box.pseudoClassStateChanged(PENDING, perDirector.stream().anyMatch(x -> x.pendingProperty().get()));
            var link = rsLinks.get(key);
            if (link != null) {
                link.getStyleClass().removeIf(c -> c.startsWith("health-"));
                link.getStyleClass().add("health-" + health);
            }
        };
        refresh.run();
        rsParts.put(key, new RsParts(refresh));
        var weight = r.weightProperty().get();
        var selectionValue = new Selection.RealServer(vsId, rsId, perDirector);
        var menu = new ContextMenu();
        var drain = new MenuItem();
        drain.setOnAction(e -> forEachTarget(vsId + "|" + rsId, (v, id, m) -> submit(new Edit.SetWeight(v, id,
                r.weightProperty().get() == 0 ? 1 : 0, m.weightProperty().get()))));
        var setWeight = new MenuItem("Set weight…");
        setWeight.setOnAction(e -> {
            int current = r.weightProperty().get();
            var dialog = new TextInputDialog(Integer.toString(current));
            dialog.setHeaderText("Weight of " + rsId + " in " + vsId + " (0 drains it)");
            dialog.showAndWait().ifPresent(t -> {
                try {
                    submit(new Edit.SetWeight(vsId, rsId, Integer.parseInt(t.strip()), current));
                } catch (NumberFormatException ex) {
                    status.set("\"" + t + "\" is not a weight (0–65535)");
                }
            });
        });
        var remove = new MenuItem("Remove");
        remove.setOnAction(e -> forEachTarget(vsId + "|" + rsId, (v, id, m) -> submit(removal(v, id, m))));
        menu.getItems().addAll(drain, setWeight, remove);
        menu.setOnShowing(e -> drain.setText(r.weightProperty().get() == 0 ? "Undrain (weight 1)" : "Drain"));
        box.setOnContextMenuRequested(e -> menu.show(box, e.getScreenX(), e.getScreenY()));
        rsModels.put(vsId + "|" + rsId, r);
        installDrag(box, vsId, rsId, r, selectionValue);
        return box;
    }

    private static Edit removal(String vsId, String rsId, RealServerModel r) {
        return new Edit.Remove(vsId, rsId, r.addressProperty().get(), r.portProperty().get(), r.weightProperty().get());
    }

    @FunctionalInterface
    private interface RealServerAction {
        void apply(String virtualServer, String realServer, RealServerModel model);
    }

    /// Runs `action` on every selected real server when `key` is one of them, else on `key` alone.
    private void forEachTarget(String key, RealServerAction action) {
        var keys = selectedRealServers.contains(key) ? List.copyOf(selectedRealServers) : List.of(key);
        for (var k : keys) {
            var m = rsModels.get(k);
            if (m != null) {
                int bar = k.indexOf('|');
                action.apply(k.substring(0, bar), k.substring(bar + 1), m);
            }
        }
    }

    private void installDrag(Region box, String vsId, String rsId, RealServerModel r, Selection selectionValue) {
        var key = vsId + "|" + rsId;
        box.addEventHandler(MouseEvent.MOUSE_PRESSED, e -> {
            if (e.getButton() != MouseButton.PRIMARY) {
                return;
            }
            dragStartX = e.getSceneX();
            dragStartY = e.getSceneY();
            dragStarted();
            if (e.isShortcutDown()) {
                if (!selectedRealServers.remove(key)) {
                    selectedRealServers.add(key);
                }
            } else if (!selectedRealServers.contains(key)) {
                selectedRealServers.clear();
                selectedRealServers.add(key);
            }
            rsNodes.forEach((k, n) -> n.pseudoClassStateChanged(SELECTED, selectedRealServers.contains(k)));
            selection.set(selectionValue);
            e.consume();
        });
        box.addEventHandler(MouseEvent.MOUSE_DRAGGED, e -> {
            if (!e.isPrimaryButtonDown()) {
                return;
            }
            double scale = zoomGroup.getScaleX();
            for (var k : dragged(key)) {
                var n = rsNodes.get(k);
                n.setTranslateX((e.getSceneX() - dragStartX) / scale);
                n.setTranslateY((e.getSceneY() - dragStartY) / scale);
                n.toFront();
            }
            hover(targetAt(e.getSceneX(), e.getSceneY(), vsId));
            e.consume();
        });
        box.addEventHandler(MouseEvent.MOUSE_RELEASED, e -> {
            if (e.getButton() != MouseButton.PRIMARY) {
                return;
            }
            hover(null);
            dragEnded();
            boolean moved = Math.hypot(e.getSceneX() - dragStartX, e.getSceneY() - dragStartY) > 4;
            var target = moved ? targetAt(e.getSceneX(), e.getSceneY(), vsId) : null;
            var keys = dragged(key);
            if (target == bin) {
                for (var k : keys) {
                    rsNodes.get(k).pseudoClassStateChanged(PENDING, true);
                }
                forEachTarget(key, (v, id, m) -> submit(removal(v, id, m)));
            } else if (target != null) {
                var to = (String) target.getUserData();
                for (var k : keys) {
                    rsNodes.get(k).pseudoClassStateChanged(PENDING, true);
                }
                forEachTarget(key, (v, id, m) -> {
                    if (v.equals(to)) {
                        return;
                    }
                    var port = m.portProperty().get();
                    var toPort = portOf(to).orElse(port);
                    submit(new Edit.Move(v, id, to, java.util.Objects.equals(toPort, port) ? null : toPort, port));
                });
            } else {
                for (var k : keys) {
                    rsNodes.get(k).setTranslateX(0);
                    rsNodes.get(k).setTranslateY(0);
                }
            }
            e.consume();
        });
    }

    /// The nodes a drag started on `key` carries: the whole selection when `key` is in it.
    private List<String> dragged(String key) {
        var keys = selectedRealServers.contains(key) ? List.copyOf(selectedRealServers) : List.of(key);
        return keys.stream().filter(rsNodes::containsKey).toList();
    }

    /// The port of a `proto/address:port` id.
    private static Optional<Integer> portOf(String vsId) {
        int colon = vsId.lastIndexOf(':');
        if (colon < 0 || !vsId.contains("/")) {
            return Optional.empty();
        }
        try {
            return Optional.of(Integer.parseInt(vsId.substring(colon + 1)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /// The drop target under a scene point: the bin, or a virtual server other than `except`.
    private Node targetAt(double sceneX, double sceneY, String except) {
        var p = new Point2D(sceneX, sceneY);
        if (bin.localToScene(bin.getBoundsInLocal()).contains(p)) {
            return bin;
        }
        for (var e : vsNodes.entrySet()) {
            if (!e.getKey().equals(except) && e.getValue().localToScene(e.getValue().getBoundsInLocal()).contains(p)) {
                return e.getValue();
            }
        }
        return null;
    }

    private void hover(Node target) {
        if (dropHover != null) {
            dropHover.pseudoClassStateChanged(DROP, false);
        }
        dropHover = target;
        if (target != null) {
            target.pseudoClassStateChanged(DROP, true);
        }
    }

    private void installPalette() {
        var ghost = new Label("New real server");
        ghost.getStyleClass().addAll("palette-item", "ghost");
        ghost.setMouseTransparent(true);
        palette.setOnMousePressed(e -> {
            dragStartX = e.getSceneX();
            dragStartY = e.getSceneY();
            dragStarted();
            e.consume();
        });
        palette.setOnMouseDragged(e -> {
            if (!viewport.getChildren().contains(ghost)) {
                viewport.getChildren().add(ghost);
            }
            var local = viewport.sceneToLocal(e.getSceneX(), e.getSceneY());
            ghost.relocate(local.getX() + 8, local.getY() + 8);
            hover(targetAt(e.getSceneX(), e.getSceneY(), null) == bin ? null : targetAt(e.getSceneX(), e.getSceneY(), null));
            e.consume();
        });
        palette.setOnMouseReleased(e -> {
            viewport.getChildren().remove(ghost);
            hover(null);
            dragEnded();
            var target = targetAt(e.getSceneX(), e.getSceneY(), null);
            if (target != null && target != bin) {
                var vsId = (String) target.getUserData();
                newServerPrompt.apply(vsId, Optional.empty())
                        .ifPresent(n -> submit(new Edit.Add(vsId, n.address(), n.port() != null ? n.port()
                                : portOf(vsId).orElse(null), n.weight())));
            }
            e.consume();
        });
    }

    private Optional<NewServer> ask(String vsId) {
        var dialog = new TextInputDialog();
        dialog.setTitle("Add a real server");
        dialog.setHeaderText("New real server in " + vsId + "\nAddress, or address:port, and optionally a weight: 198.51.100.20:80 2");
        return dialog.showAndWait().flatMap(text -> {
            var parts = text.strip().split("\\s+");
            try {
                var hp = parts[0];
                Integer port = null;
                int colon = hp.lastIndexOf(':');
                if (colon > 0 && hp.indexOf(':') == colon) {
                    port = Integer.parseInt(hp.substring(colon + 1));
                    hp = hp.substring(0, colon);
                }
                int weight = parts.length > 1 ? Integer.parseInt(parts[1]) : 1;
                return Optional.of(new NewServer(hp, port, weight));
            } catch (NumberFormatException e) {
                status.set("\"" + text + "\": expected ADDRESS[:PORT] [WEIGHT]");
                return Optional.empty();
            }
        });
    }

    private void submit(Edit edit) {
        status.set("sending: " + edit.describe() + "…");
        edits.submit(edit, this::report);
    }

    private void report(EditService.Outcome outcome) {
        if (outcome.ok()) {
            status.set("applied: " + outcome.edit().describe() + " on " + String.join(", ", outcome.applied()));
        } else {
            status.set("refused: " + outcome.edit().describe() + " — " + outcome.failures().entrySet().stream()
                    .map(e -> e.getKey() + ": " + e.getValue()).reduce((a, b) -> a + "; " + b).orElse(""));
            getStyleClass().add("has-error");
        }
        // Whatever happened, draw the agents' truth again: a refused move snaps back here.
        markDirty();
    }

    private void select(Selection s, Node node) {
        selectedRealServers.clear();
        canvas.getChildren().forEach(n -> n.pseudoClassStateChanged(SELECTED, false));
        node.pseudoClassStateChanged(SELECTED, true);
        selection.set(s);
    }

    private void zoom(double factor) {
        double s = Math.max(0.2, Math.min(4, zoomGroup.getScaleX() * factor));
        zoomGroup.setScaleX(s);
        zoomGroup.setScaleY(s);
    }

    private void installPan() {
        var last = new double[2];
        viewport.addEventHandler(MouseEvent.MOUSE_PRESSED, e -> {
            last[0] = e.getSceneX();
            last[1] = e.getSceneY();
        });
        viewport.addEventHandler(MouseEvent.MOUSE_DRAGGED, e -> {
            if (e.isConsumed()) {
                return;
            }
            zoomGroup.setTranslateX(zoomGroup.getTranslateX() + e.getSceneX() - last[0]);
            zoomGroup.setTranslateY(zoomGroup.getTranslateY() + e.getSceneY() - last[1]);
            last[0] = e.getSceneX();
            last[1] = e.getSceneY();
        });
        viewport.addEventHandler(ScrollEvent.SCROLL, e -> {
            if (e.getDeltaY() != 0) {
                zoom(e.getDeltaY() > 0 ? 1.1 : 1 / 1.1);
            }
        });
    }
}
