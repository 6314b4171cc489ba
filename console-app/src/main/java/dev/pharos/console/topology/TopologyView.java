package dev.pharos.console.topology;

import dev.pharos.console.edit.Edit;
import dev.pharos.icons.Icon;
import dev.pharos.icons.Icons;
import dev.pharos.console.connect.LinkState;
import dev.pharos.console.edit.DriftRepair;
import dev.pharos.console.edit.EditService;
import dev.pharos.console.model.ClusterModel;
import dev.pharos.console.model.DirectorModel;
import dev.pharos.console.model.Drift;
import dev.pharos.console.model.Health;
import dev.pharos.console.model.InstanceModel;
import dev.pharos.console.model.Liveness;
import dev.pharos.console.model.RealServerModel;
import dev.pharos.console.model.VirtualServerModel;
import dev.pharos.console.model.VrrpState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import javafx.application.Platform;
import javafx.beans.InvalidationListener;
import javafx.beans.Observable;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.css.PseudoClass;
import javafx.geometry.BoundingBox;
import javafx.geometry.Bounds;
import javafx.geometry.Point2D;
import javafx.scene.Group;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.Label;
import javafx.scene.control.MenuItem;
import javafx.scene.control.TextInputDialog;
import javafx.scene.control.ToolBar;
import javafx.scene.image.WritableImage;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Pane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.scene.shape.Line;
import javafx.scene.shape.Rectangle;

/// The live topology of one cluster. Every gesture becomes an [Edit] sent through the
/// [EditService].
///
/// Built to stay smooth with thousands of real servers and hundreds of health events a second:
/// - model changes are coalesced to at most one scene update per pulse (a pre-layout pulse
///   listener), not one per change;
/// - a structural change (a server added, removed or moved, a director's state) reconciles the
///   drawing: nodes whose models did not change are kept and only moved, new ones are created,
///   gone ones dropped;
/// - a health, weight or pending change updates its real server's node in place;
/// - only what is in or near the visible area is in the scene graph (the rest is culled, kept
///   up to date off-scene, and put back when panned or zoomed into view): CSS, layout and
///   rendering cost what is on screen, not what is in the cluster.
///
/// The mouse gestures (drags, drops, panning, zoom) are [TopologyGestures]'.
public final class TopologyView extends BorderPane {

    private static final System.Logger LOG = System.getLogger(TopologyView.class.getName());
    static final PseudoClass PENDING = PseudoClass.getPseudoClass("pending");
    static final PseudoClass SELECTED = PseudoClass.getPseudoClass("selected");
    private static final PseudoClass STALE = PseudoClass.getPseudoClass("stale");
    private static final PseudoClass ERROR = PseudoClass.getPseudoClass("error");
    /// How far beyond the visible area nodes stay in the scene, as a fraction of the viewport's
    /// size: panning reveals nodes that are already styled and laid out.
    private static final double CULL_MARGIN = 0.5;

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
    private final Drawing drawing = new Drawing();
    private final Pane canvas = new Pane(drawing.links, drawing.boxes);
    private final Group zoomGroup = new Group(canvas);
    private final Pane viewport = new Pane(zoomGroup);
    private final Label bin = new Label("Remove");
    private final Label palette = new Label("Real server");
    private final StringProperty status = new SimpleStringProperty("");
    /// Whether the status line's current message is an error: set with each message, so the
    /// colour follows the message and never outlives it.
    private final javafx.beans.property.BooleanProperty statusError = new javafx.beans.property.SimpleBooleanProperty();
    private final Label statusLabel = new Label();
    private final ObjectProperty<Selection> selection = new SimpleObjectProperty<>();
    private final List<Runnable> detach = new ArrayList<>();
    /// The nodes of virtual and real servers by id (`vsId|rsId` for a real server); read by the
    /// gestures' hit test.
    final Map<String, Node> vsNodes = new LinkedHashMap<>();
    final Map<String, Node> rsNodes = new LinkedHashMap<>();
    /// Selected real servers by `vsId|rsId`; kept across redraws. Ctrl-click (⌘ on macOS) adds or
    /// removes one; a drag or a context-menu action applies to all of them.
    final javafx.collections.ObservableSet<String> selectedRealServers =
            javafx.collections.FXCollections.observableSet(new java.util.LinkedHashSet<>());
    /// What each selected real server needs for an edit: its virtual server, id and model.
    private final Map<String, RealServerModel> rsModels = new LinkedHashMap<>();
    private final Set<String> refreshQueue = new java.util.LinkedHashSet<>();
    private final TopologyGestures gestures;
    private BiFunction<String, Optional<NewServer>, Optional<NewServer>> newServerPrompt = (vs, suggested) -> ask(vs);
    private boolean dirty;
    private boolean cullDirty;
    /// What the last cull let into the scene (canvas coordinates, margin included).
    private Bounds culledArea;
    private boolean laterQueued;
    private int syncs;
    private int culls;

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
        // Any new message is plain until said otherwise ([#showError] sets the flag after the text).
        status.addListener((o, was, now) -> statusError.set(false));
        statusError.addListener((o, was, now) -> statusLabel.pseudoClassStateChanged(ERROR, now));
        statusLabel.getStyleClass().add("status");
        statusLabel.setId("topology-status");

        gestures = new TopologyGestures(this, zoomGroup, viewport, bin, palette);
        var undo = new Button("Undo");
        undo.disableProperty().bind(edits.canUndoProperty().not());
        undo.setOnAction(e -> edits.undo(this::report));
        var redo = new Button("Redo");
        redo.disableProperty().bind(edits.canRedoProperty().not());
        redo.setOnAction(e -> edits.redo(this::report));
        var zoomIn = new Button("+");
        zoomIn.setOnAction(e -> gestures.zoom(1.2));
        var zoomOut = new Button("−");
        zoomOut.setOnAction(e -> gestures.zoom(1 / 1.2));
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

        // What is visible changes with the pan, the zoom and the viewport's size.
        InvalidationListener recull = o -> requestCull();
        zoomGroup.translateXProperty().addListener(recull);
        zoomGroup.translateYProperty().addListener(recull);
        zoomGroup.scaleXProperty().addListener(recull);
        zoomGroup.scaleYProperty().addListener(recull);
        viewport.widthProperty().addListener(recull);
        viewport.heightProperty().addListener(recull);
        // All scene work happens once per pulse, just before CSS and layout.
        Runnable onPulse = this::onPulse;
        sceneProperty().addListener((obs, old, now) -> {
            if (old != null) {
                old.removePreLayoutPulseListener(onPulse);
            }
            if (now != null) {
                now.addPreLayoutPulseListener(onPulse);
                requestPulse();
            }
        });
        cluster.directors().addListener((InvalidationListener) o -> markDirty());
        sync();
    }

    /// Replaces the dialog that asks for a new real server's address (tests, scripted demos).
    public void setNewServerPrompt(BiFunction<String, Optional<NewServer>, Optional<NewServer>> prompt) {
        this.newServerPrompt = prompt;
    }

    public ObjectProperty<Selection> selectionProperty() {
        return selection;
    }

    /// The last outcome or error, as shown in the status line. Setting it shows a plain message;
    /// [#showError] shows an error.
    public StringProperty statusProperty() {
        return status;
    }

    /// Shows `message` in the status line as an error (red until the next message).
    public void showError(String message) {
        status.set(message);
        statusError.set(true);
    }

    /// Whether the status line shows an error now.
    public javafx.beans.property.ReadOnlyBooleanProperty statusErrorProperty() {
        return javafx.beans.property.ReadOnlyBooleanProperty.readOnlyBooleanProperty(statusError);
    }

    /// The drawing's root. Off-screen parts are culled from it: to picture the whole topology
    /// use [#snapshot()].
    public Node canvas() {
        return canvas;
    }

    /// A picture of the whole topology, off-screen parts included (for export as PNG). Must be
    /// called on the JavaFX Application Thread.
    public WritableImage snapshot() {
        drawing.showAll();
        try {
            return canvas.snapshot(null, null);
        } finally {
            cull();
        }
    }

    /// The node of a real server (`vsId|rsId`) or virtual server, for tests and keyboard focus.
    /// It exists (and is kept current) whether or not it is scrolled into view; whether it is in
    /// the scene graph now is [#isInScene].
    public Optional<Node> nodeFor(String key) {
        return Optional.ofNullable(rsNodes.containsKey(key) ? rsNodes.get(key) : vsNodes.get(key));
    }

    /// Whether `node` is in the scene graph now, i.e. not culled because it is far off-screen.
    public boolean isInScene(Node node) {
        return node.getParent() != null && node.getScene() == getScene();
    }

    /// How many structural updates ran, and how many nodes they created in all (for tests that
    /// check a change redraws only what changed).
    int syncCount() {
        return syncs;
    }

    /// How many times the scene's content was culled (for tests that check a small pan does not).
    int cullCount() {
        return culls;
    }

    int nodesCreated() {
        return drawing.created();
    }

    /// Schedules one structural update. While the operator drags, nothing is redrawn (the dragged
    /// node must not vanish under the mouse); the update runs when the gesture ends.
    private void markDirty() {
        if (!dirty) {
            dirty = true;
            requestPulse();
        }
    }

    private void requestCull() {
        if (!cullDirty) {
            cullDirty = true;
            requestPulse();
        }
    }

    private void refreshLater(String key) {
        if (refreshQueue.add(key) && refreshQueue.size() == 1) {
            requestPulse();
        }
    }

    /// Asks for a pulse: the pre-layout listener does the work. Without a scene (not shown yet),
    /// there are no pulses for this view; the work then runs once on the FX thread.
    private void requestPulse() {
        if (getScene() != null) {
            Platform.requestNextPulse();
        } else if (!laterQueued) {
            laterQueued = true;
            Platform.runLater(() -> {
                laterQueued = false;
                onPulse();
            });
        }
    }

    /// Once per pulse: the structural update if one is due, then in-place refreshes, then culling.
    /// During a drag only the in-place refreshes run (the dragged nodes must stay where they are).
    private void onPulse() {
        if (dirty && !gestures.dragging()) {
            sync();
        }
        if (!refreshQueue.isEmpty()) {
            var keys = List.copyOf(refreshQueue);
            refreshQueue.clear();
            for (var key : keys) {
                var d = drawing.get("r:" + key);
                if (d != null) {
                    d.refresh.run();
                }
            }
        }
        if (cullDirty && !gestures.dragging()) {
            recullIfNeeded();
        }
    }

    /// A gesture ended: what it held back (a structural update, culling, refreshes) runs now.
    void gestureEnded() {
        if (dirty || cullDirty || !refreshQueue.isEmpty()) {
            requestPulse();
        }
    }

    /// Asks for a new real server in `vsId` (the palette's drop), as [#setNewServerPrompt] says.
    Optional<NewServer> promptNewServer(String vsId) {
        return newServerPrompt.apply(vsId, Optional.empty());
    }

    /// Redraws when `o` changes: a list on any change; a value only when it differs by `equals`
    /// (an agent's state, re-read, sets equal values again: that must not redraw 2,000 servers).
    private void watch(Observable o) {
        if (o instanceof javafx.beans.value.ObservableValue<?> v) {
            javafx.beans.value.ChangeListener<Object> l = (x, was, now) -> markDirty();
            v.addListener(l);
            detach.add(() -> v.removeListener(l));
        } else {
            InvalidationListener l = x -> markDirty();
            o.addListener(l);
            detach.add(() -> o.removeListener(l));
        }
    }

    /// Brings the drawing in line with the model: computes the layout, keeps every node whose
    /// models are unchanged (moving it if the layout moved), creates the new ones and drops the
    /// gone ones, then culls. Structure listeners (lists, liveness, instance roles) are few and
    /// re-attached here; a real server's own listeners live as long as its node.
    private void sync() {
        long began = System.nanoTime();
        dirty = false;
        syncs++;
        detach.forEach(Runnable::run);
        detach.clear();
        drawing.beginUpdate();
        vsNodes.clear();
        rsNodes.clear();
        rsModels.clear();

        // Virtual servers as the union over directors (in dual-master LVS both carry the same table).
        var vsByid = new LinkedHashMap<String, List<VirtualServerModel>>();
        watch(cluster.driftProperty());
        for (var d : cluster.directors()) {
            watch(d.livenessProperty());
            watch(d.instances());
            watch(d.virtualServers());
            for (var i : d.instances()) {
                watch(i.stateProperty());
                watch(i.priorityProperty());
                watch(i.virtualAddressesProperty());
                watch(i.splitBrainStateProperty());
            }
            watch(d.linkProperty()); // a new retry time for the card's countdown
            for (var v : d.virtualServers()) {
                vsByid.computeIfAbsent(v.id(), k -> new ArrayList<>()).add(v);
                watch(v.realServers());
                // Every field the card draws (it kept "wrr" after an Apply changed it to "rr").
                watch(v.schedulerProperty());
                watch(v.kindProperty());
                watch(v.persistenceSecondsProperty());
                watch(v.servedAsProperty());
            }
        }
        var layoutInput = new LinkedHashMap<String, List<String>>();
        vsByid.forEach((id, models) -> {
            var ids = new java.util.LinkedHashSet<String>();
            for (var v : models) {
                for (var r : v.realServers()) {
                    ids.add(r.id());
                }
            }
            layoutInput.put(id, List.copyOf(ids));
        });
        var names = cluster.directors().stream().map(DirectorModel::name).toList();
        var layout = TopologyLayout.compute(names, layoutInput);
        canvas.setPrefSize(layout.width(), layout.height());

        if (cluster.directors().isEmpty()) {
            var e = drawing.reuse("empty", "empty", () -> {
                var empty = new Label("No directors in this cluster yet.");
                empty.getStyleClass().add("empty-hint");
                return new Drawing.Item(empty, drawing.boxes, "empty");
            });
            e.node.relocate(TopologyLayout.MARGIN, TopologyLayout.MARGIN);
            e.cover(TopologyLayout.MARGIN, TopologyLayout.MARGIN, TopologyLayout.MARGIN + 300, TopologyLayout.MARGIN + 20);
        }
        for (var d : cluster.directors()) {
            var db = shifted(layout.directors().get(d.name()), "director " + d.name());
            for (var e : vsByid.entrySet()) {
                var vb = shifted(layout.virtualServers().get(e.getKey()), "vs " + e.getKey());
                var vip = e.getValue().getFirst().addressProperty().get();
                var role = roleFor(d, vip);
                if (role.isEmpty()) {
                    continue;
                }
                boolean stale = d.livenessProperty().get() != Liveness.LIVE;
                var signature = role.get() + (stale ? " stale" : "");
                var l = drawing.reuse("dl:" + d.name() + "|" + e.getKey(), signature, () -> {
                    var line = new Line();
                    line.getStyleClass().addAll("link", "link-" + role.get().styleName());
                    line.pseudoClassStateChanged(STALE, stale);
                    return new Drawing.Item(line, drawing.links, signature);
                });
                l.line(db.centerX(), db.bottom(), vb.centerX(), vb.y());
            }
        }
        for (var d : cluster.directors()) {
            var live = d.livenessProperty().get();
            var signature = new ArrayList<Object>();
            signature.add(d);
            signature.add(live);
            signature.add(d.linkProperty().get());
            d.instances().forEach(i -> signature.add(instanceLine(i)));
            var e = drawing.reuse("d:" + d.name(), signature, () -> {
                var node = directorNode(d);
                gestures.installMovable(node, "director " + d.name());
                return new Drawing.Item(node, drawing.boxes, signature);
            });
            e.box(shifted(layout.directors().get(d.name()), "director " + d.name()));
        }
        for (var e : vsByid.entrySet()) {
            var vsId = e.getKey();
            var vb = shifted(layout.virtualServers().get(vsId), "vs " + vsId);
            var models = e.getValue();
            var drift = cluster.driftProperty().get().get(vsId);
            var vsSignature = List.of(models, models.stream().map(TopologyView::subtitleOf).toList(),
                    drift == null ? List.of() : drift.differences());
            var vsEntry = drawing.reuse("v:" + vsId, vsSignature, () -> {
                var node = virtualServerNode(vsId, models, drift);
                gestures.installMovable(node, "vs " + vsId);
                return new Drawing.Item(node, drawing.boxes, vsSignature);
            });
            vsEntry.box(vb);
            vsNodes.put(vsId, vsEntry.node);
            for (var rsId : layoutInput.get(vsId)) {
                var key = vsId + "|" + rsId;
                var rb = shifted(layout.realServers().get(key), "vs " + vsId);
                if (rsNodes.containsKey(key)) {
                    continue; // the same id listed twice by one director: drawn once
                }
                var perDirector = new ArrayList<RealServerModel>();
                models.forEach(v -> v.realServer(rsId).ifPresent(perDirector::add));
                var link = drawing.reuse("rl:" + key, perDirector, () -> {
                    var line = new Line();
                    line.getStyleClass().addAll("link", "link-real-server", "health-unknown");
                    return new Drawing.Item(line, drawing.links, perDirector);
                });
                link.line(vb.centerX(), vb.bottom(), rb.centerX(), rb.y());
                var rs = drawing.reuse("r:" + key, perDirector, () -> realServerNode(vsId, rsId, perDirector));
                rs.box(rb);
                rs.refresh.run(); // the model is the truth: clears a pending mark a refused drop left
                rsNodes.put(key, rs.node);
                rsModels.put(key, perDirector.getFirst());
                rs.node.pseudoClassStateChanged(SELECTED, selectedRealServers.contains(key));
            }
        }
        drawing.endUpdate();
        pruneSelection();
        cull();
        LOG.log(System.Logger.Level.DEBUG, () -> "topology update %d: %d drawn, %d created so far, %.1f ms"
                .formatted(syncs, drawing.items().size(), drawing.created(), (System.nanoTime() - began) / 1e6));
    }

    /// Puts into the scene exactly what is in or near view and takes out the rest. Selected
    /// nodes stay in (a drag may carry them).
    private void cull() {
        cullDirty = false;
        culls++;
        culledArea = visibleArea();
        drawing.cull(culledArea, n -> n.getPseudoClassStates().contains(SELECTED));
    }

    /// After a pan or a zoom: culls again only when the view came within half a margin of the
    /// edge of what the scene holds, or zoomed in so far that the scene holds more than twice
    /// what is wanted. Panning then walks every drawn item (thousands) once per quarter of a
    /// viewport travelled, not at every pulse.
    private void recullIfNeeded() {
        var view = viewArea();
        if (view == null || culledArea == null) {
            cull();
            return;
        }
        cullDirty = false;
        var wanted = widened(view, CULL_MARGIN);
        if (!culledArea.contains(widened(view, CULL_MARGIN / 2))
                || culledArea.getWidth() * culledArea.getHeight() > 2 * wanted.getWidth() * wanted.getHeight()) {
            cull();
        }
    }

    /// The part of the canvas (canvas coordinates) in view, widened by [#CULL_MARGIN]. Before
    /// the viewport has a size, a window-sized area at the origin.
    private Bounds visibleArea() {
        var view = viewArea();
        return view == null ? new BoundingBox(-400, -400, 2400, 1800) : widened(view, CULL_MARGIN);
    }

    /// The part of the canvas (canvas coordinates) in view; none before the viewport has a size.
    private Bounds viewArea() {
        double w = viewport.getWidth();
        double h = viewport.getHeight();
        if (w <= 0 || h <= 0 || getScene() == null) {
            return null;
        }
        return canvas.sceneToLocal(viewport.localToScene(new BoundingBox(0, 0, w, h)));
    }

    /// `b` widened on every side by `fraction` of its width and height.
    private static Bounds widened(Bounds b, double fraction) {
        double mx = b.getWidth() * fraction;
        double my = b.getHeight() * fraction;
        return new BoundingBox(b.getMinX() - mx, b.getMinY() - my, b.getWidth() + 2 * mx, b.getHeight() + 2 * my);
    }

    /// Where the operator moved a director or a virtual server (with its real servers), as an
    /// offset from the automatic layout; kept per cluster in [#rememberLayoutIn]'s file.
    private final Map<String, Point2D> offsets = new LinkedHashMap<>();
    private java.nio.file.Path layoutFile;

    /// Remembers the operator's arrangement in `file` (JSON), and applies the one saved there;
    /// writes it on the calling thread.
    public void rememberLayoutIn(java.nio.file.Path file) {
        rememberLayoutIn(file, Runnable::run);
    }

    /// Remembers the operator's arrangement in `file` (JSON), and applies the one saved there;
    /// each change is written by a task on `io` (the application's `console-work`), off the FX thread.
    public void rememberLayoutIn(java.nio.file.Path file, java.util.concurrent.Executor io) {
        layoutFile = file;
        layoutIo = io;
        try {
            if (java.nio.file.Files.exists(file)) {
                var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(file.toFile());
                tree.properties().forEach(e -> offsets.put(e.getKey(),
                        new Point2D(e.getValue().path("dx").asDouble(), e.getValue().path("dy").asDouble())));
            }
        } catch (java.io.IOException | RuntimeException e) {
            showError("the saved layout " + file + " is unreadable; using the automatic one");
        }
        markDirty();
    }

    private java.util.concurrent.Executor layoutIo = Runnable::run;
    /// The newest arrangement not written yet; tasks take it under [#layoutWrite], so two writes
    /// never interleave and the last arrangement is the one that stays on disk.
    private final java.util.concurrent.atomic.AtomicReference<Map<String, Point2D>> unsavedLayout =
            new java.util.concurrent.atomic.AtomicReference<>();
    private final Object layoutWrite = new Object();

    /// FX thread: copies the arrangement and has it written on [#layoutIo].
    private void saveLayout() {
        if (layoutFile == null) {
            return;
        }
        var file = layoutFile;
        unsavedLayout.set(Map.copyOf(offsets));
        var write = new javafx.concurrent.Task<Void>() {
            @Override
            protected Void call() throws java.io.IOException {
                synchronized (layoutWrite) {
                    var layout = unsavedLayout.getAndSet(null);
                    if (layout != null) {
                        writeLayout(file, layout);
                    }
                }
                return null;
            }
        };
        write.setOnFailed(e -> showError("the layout could not be saved: " + write.getException().getMessage()));
        layoutIo.execute(write);
    }

    private static void writeLayout(java.nio.file.Path file, Map<String, Point2D> layout) throws java.io.IOException {
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        var root = mapper.createObjectNode();
        new java.util.TreeMap<>(layout).forEach((k, v) -> root.putObject(k).put("dx", v.getX()).put("dy", v.getY()));
        java.nio.file.Files.createDirectories(file.toAbsolutePath().getParent());
        var tmp = java.nio.file.Files.createTempFile(file.toAbsolutePath().getParent(), ".layout", ".tmp");
        mapper.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), root);
        java.nio.file.Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
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

    /// Forgets selected real servers that are no longer drawn (removed or moved away).
    private void pruneSelection() {
        selectedRealServers.retainAll(rsNodes.keySet());
    }

    /// The keys of the selected real servers (`vsId|rsId`), in selection order.
    public java.util.List<String> selectedRealServers() {
        return java.util.List.copyOf(selectedRealServers);
    }

    /// MASTER/BACKUP/FAULT of the director's instance that holds `vip`, if any.
    private static Optional<VrrpState> roleFor(DirectorModel d, String vip) {
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

    /// "reconnecting in 7 s — last known state", counting down to `next` once a second; the card is
    /// drawn anew when the link changes, so the count stops at 0 ("reconnecting…").
    private static void countDown(Label label, java.time.Instant next, String what, String after) {
        Runnable show = () -> {
            long left = (long) Math.ceil(java.time.Duration.between(java.time.Instant.now(), next).toMillis() / 1000.0);
            label.setText(what + (left > 0 ? " in " + left + " s" : "…") + after);
        };
        show.run();
        long seconds = Math.max(0, java.time.Duration.between(java.time.Instant.now(), next).toSeconds() + 1);
        if (seconds > 0) {
            var ticks = new javafx.animation.Timeline(new javafx.animation.KeyFrame(javafx.util.Duration.seconds(1), e -> show.run()));
            ticks.setCycleCount((int) Math.min(seconds, 60));
            ticks.play();
        }
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
            case UNREACHABLE -> "unreachable — retrying";
            case RECONNECTING -> "reconnecting… — last known state";
            case STOPPED -> "stopped on purpose — last known state";
            case FAILED -> "connection refused — see timeline";
        });
        sub.getStyleClass().add("subtitle");
        sub.setId("director-status-" + d.name());
        if (d.linkProperty().get() instanceof LinkState.Retrying r && live != Liveness.LIVE) {
            countDown(sub, r.since().plus(r.retryIn()), switch (live) {
                case UNREACHABLE -> "unreachable — retrying";
                case STOPPED -> "stopped on purpose — next try";
                case LIVE, CONNECTING, RECONNECTING, FAILED -> "reconnecting";
            }, live == Liveness.UNREACHABLE ? "" : " — last known state");
        }
        var reconnect = new MenuItem("Reconnect now");
        reconnect.setDisable(live == Liveness.LIVE);
        reconnect.setOnAction(e -> d.reconnectNow());
        var menu = new ContextMenu(reconnect);
        box.setOnContextMenuRequested(e -> menu.show(box, e.getScreenX(), e.getScreenY()));
        box.getChildren().addAll(title, sub);
        for (var i : d.instances()) {
            var role = switch (i.stateProperty().get()) {
                case MASTER -> Icon.MASTER;
                case FAULT -> Icon.FAULT;
                case INIT, BACKUP, STOPPED, UNKNOWN -> Icon.BACKUP;
            };
            var split = i.splitBrainProperty().get();
            var l = new Label(instanceLine(i), Icons.node(live == Liveness.LIVE ? role : Icon.HEALTH_UNKNOWN, 14));
            l.getStyleClass().addAll("instance", "role-" + i.stateProperty().get().styleName());
            if (split) {
                l.getStyleClass().add("split-brain");
            }
            l.pseudoClassStateChanged(STALE, live != Liveness.LIVE);
            box.getChildren().add(l);
        }
        box.pseudoClassStateChanged(STALE, live != Liveness.LIVE);
        box.setOnMouseClicked(e -> select(new Selection.Director(d), box));
        return box;
    }

    /// "VI_1 MASTER prio 100", "VI_1 MASTER checking" (another director says MASTER too, not yet
    /// for long enough to be a split brain) or "VI_1 SPLIT BRAIN": short enough for the card, so
    /// the warning is never the part cut off.
    private static String instanceLine(InstanceModel i) {
        return switch (i.splitBrainStateProperty().get()) {
            case SPLIT -> i.name() + " SPLIT BRAIN";
            case CHECKING -> i.name() + " MASTER checking";
            case NONE -> i.name() + " " + i.stateProperty().get() + " prio " + i.priorityProperty().get();
        };
    }

    /// "wrr · NAT · persist 300s · proxied": what a virtual server's card says under its id.
    private static String subtitleOf(VirtualServerModel v) {
        var persistence = v.persistenceSecondsProperty().get();
        return v.schedulerProperty().get() + " · " + v.kindProperty().get()
                + (persistence > 0 ? " · persist " + persistence + "s" : "")
                + ("proxied".equals(v.servedAsProperty().get()) ? " · proxied" : "");
    }

    private Region virtualServerNode(String id, List<VirtualServerModel> models, Drift drift) {
        var v = models.getFirst();
        var box = new VBox(2);
        box.getStyleClass().add("virtual-server");
        box.setId("vs-" + id);
        box.setUserData(id);
        var title = new Label(id, Icons.node(Icon.VIRTUAL_SERVER, 16));
        title.getStyleClass().add("title");
        var sub = new Label(subtitleOf(v));
        sub.getStyleClass().add("subtitle");
        box.getChildren().addAll(title, sub);
        if (drift != null) {
            // The directors disagree: a failover would change how this service is balanced.
            var n = drift.differences().size();
            var warning = new Label("drift: " + n + (n == 1 ? " difference" : " differences") + " between directors",
                    Icons.node(Icon.FAULT, 14));
            warning.getStyleClass().add("drift");
            warning.setTooltip(new javafx.scene.control.Tooltip(String.join("\n", drift.differences())));
            box.getChildren().add(warning);
            box.setOnContextMenuRequested(e -> driftMenu(id, drift).show(box, e.getScreenX(), e.getScreenY()));
        }
        box.setOnMouseClicked(e -> select(new Selection.VirtualServer(id, models), box));
        return box;
    }

    /// "Make lvs-backup match lvs-master": the edits that repair the drift, sent to that director only.
    private ContextMenu driftMenu(String vsId, Drift drift) {
        var menu = new ContextMenu();
        var reference = cluster.director(drift.reference()).orElse(null);
        for (var other : cluster.directors()) {
            if (reference == null || other == reference) {
                continue;
            }
            var repair = DriftRepair.edits(vsId, reference, other);
            if (repair.isEmpty()) {
                continue;
            }
            var item = new MenuItem("Make " + other.name() + " match " + reference.name() + " (" + repair.size()
                    + (repair.size() == 1 ? " edit)" : " edits)"));
            item.setOnAction(e -> repair.forEach(this::submit));
            menu.getItems().add(item);
        }
        if (menu.getItems().isEmpty()) {
            var none = new MenuItem("Only the VRRP settings differ: change them in the configuration editor");
            none.setDisable(true);
            menu.getItems().add(none);
        }
        return menu;
    }

    /// Worst health of the real server across the directors that report it.
    private static Health healthOf(List<RealServerModel> perDirector) {
        var best = Health.UNKNOWN;
        for (var r : perDirector) {
            var h = r.healthProperty().get();
            if (h == Health.DOWN) {
                return Health.DOWN;
            }
            if (h == Health.UP || (h == Health.UNCHECKED && best != Health.UP)) {
                best = h;
            }
        }
        return best;
    }

    private Drawing.Item realServerNode(String vsId, String rsId, List<RealServerModel> perDirector) {
        var r = perDirector.getFirst();
        var key = vsId + "|" + rsId;
        var box = new RealServerCard(rsId);
        box.setId("rs-" + key);
        var d = new Drawing.Item(box, drawing.boxes, perDirector);
        d.refresh = () -> {
            var health = healthOf(perDirector);
            box.show(health, r.weightProperty().get());
            box.pseudoClassStateChanged(PENDING, perDirector.stream().anyMatch(x -> x.pendingProperty().get()));
            var link = drawing.get("rl:" + key);
            if (link != null) {
                var classes = link.node.getStyleClass();
                var healthClass = "health-" + health;
                if (!healthClass.equals(classes.getLast())) {
                    classes.set(classes.size() - 1, healthClass);
                }
            }
        };
        // A change of one server's health, weight or pending state updates its node in place, at
        // the next pulse: no structural update (200 events/s must stay cheap).
        var undo = new ArrayList<Runnable>();
        for (var m : perDirector) {
            for (var o : List.<Observable>of(m.healthProperty(), m.weightProperty(), m.pendingProperty())) {
                InvalidationListener l = x -> refreshLater(key);
                o.addListener(l);
                undo.add(() -> o.removeListener(l));
            }
        }
        d.dispose = () -> undo.forEach(Runnable::run);
        var selectionValue = new Selection.RealServer(vsId, rsId, perDirector);
        // The context menu is built when first asked for: a popup per server would cost thousands.
        box.setOnContextMenuRequested(e -> realServerMenu(vsId, rsId, r).show(box, e.getScreenX(), e.getScreenY()));
        gestures.installRealServerDrag(box, vsId, rsId, selectionValue);
        return d;
    }

    private ContextMenu realServerMenu(String vsId, String rsId, RealServerModel r) {
        var menu = new ContextMenu();
        var drain = new MenuItem(r.weightProperty().get() == 0 ? "Undrain (weight 1)" : "Drain");
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
                    showError("\"" + t + "\" is not a weight (0–65535)");
                }
            });
        });
        var remove = new MenuItem("Remove");
        remove.setOnAction(e -> forEachTarget(vsId + "|" + rsId, (v, id, m) -> submit(removal(v, id, m))));
        menu.getItems().addAll(drain, setWeight, remove);
        return menu;
    }

    static Edit removal(String vsId, String rsId, RealServerModel r) {
        return new Edit.Remove(vsId, rsId, r.addressProperty().get(), r.portProperty().get(), r.weightProperty().get());
    }

    @FunctionalInterface
    interface RealServerAction {
        void apply(String virtualServer, String realServer, RealServerModel model);
    }

    /// Runs `action` on every selected real server when `key` is one of them, else on `key` alone.
    void forEachTarget(String key, RealServerAction action) {
        var keys = selectedRealServers.contains(key) ? List.copyOf(selectedRealServers) : List.of(key);
        for (var k : keys) {
            var m = rsModels.get(k);
            if (m != null) {
                int bar = k.indexOf('|');
                action.apply(k.substring(0, bar), k.substring(bar + 1), m);
            }
        }
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
                showError("\"" + text + "\": expected ADDRESS[:PORT] [WEIGHT]");
                return Optional.empty();
            }
        });
    }

    void submit(Edit edit) {
        status.set("sending: " + edit.describe() + "…");
        edits.submit(edit, this::report);
    }

    private void report(EditService.Outcome outcome) {
        if (outcome.ok()) {
            status.set("applied: " + outcome.edit().describe() + " on " + String.join(", ", outcome.applied()));
        } else {
            showError("refused: " + outcome.edit().describe() + " — " + outcome.failures().entrySet().stream()
                    .map(e -> e.getKey() + ": " + e.getValue()).reduce((a, b) -> a + "; " + b).orElse(""));
        }
        // Whatever happened, draw the agents' truth again: a refused move snaps back here.
        markDirty();
    }

    private void select(Selection s, Node node) {
        selectedRealServers.clear();
        for (var d : drawing.items()) {
            d.node.pseudoClassStateChanged(SELECTED, false);
        }
        node.pseudoClassStateChanged(SELECTED, true);
        selection.set(s);
    }

}
