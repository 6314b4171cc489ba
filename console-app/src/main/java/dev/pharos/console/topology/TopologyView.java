package dev.pharos.console.topology;

import dev.pharos.console.model.DirectorModel;
import dev.pharos.console.model.RealServerModel;
import dev.pharos.console.model.VirtualServerModel;
import dev.pharos.icons.Icon;
import dev.pharos.icons.Icons;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import javafx.application.Platform;
import javafx.beans.InvalidationListener;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableSet;
import javafx.css.PseudoClass;
import javafx.geometry.BoundingBox;
import javafx.geometry.Bounds;
import javafx.geometry.Pos;
import javafx.scene.Group;
import javafx.scene.Node;
import javafx.scene.SnapshotParameters;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ToolBar;
import javafx.scene.control.Tooltip;
import javafx.scene.image.PixelFormat;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Pane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.paint.Color;
import javafx.scene.shape.Rectangle;
import javafx.scene.transform.Transform;

/// The live topology of one cluster, drawn from the [TopologyViewModel]'s cluster model; every
/// gesture is a command of the view model.
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
/// A structural update is [TopologySync]'s, the cards are [TopologyNodes]', the context menus and
/// dialogs [TopologyMenus]', the mouse gestures (drags, drops, panning, zoom) [TopologyGestures]'.
public final class TopologyView extends BorderPane {

    static final PseudoClass PENDING = PseudoClass.getPseudoClass("pending");
    static final PseudoClass SELECTED = PseudoClass.getPseudoClass("selected");
    private static final PseudoClass ERROR = PseudoClass.getPseudoClass("error");
    private static final Predicate<Node> KEEP_SELECTED = n -> n.getPseudoClassStates().contains(SELECTED);

    /// What the operator picked, for the inspector.
    public sealed interface Selection {
        record Director(DirectorModel director) implements Selection {
        }

        record VirtualServer(String id, List<VirtualServerModel> perDirector) implements Selection {
        }

        record RealServer(String virtualServer, String id, List<RealServerModel> perDirector) implements Selection {
        }
    }

    private final TopologyViewModel model;
    private final Drawing drawing = new Drawing();
    private final Pane canvas = new Pane(drawing.links, drawing.boxes);
    private final Group zoomGroup = new Group(canvas);
    private final Pane viewport = new Pane(zoomGroup);
    private final Label bin = new Label("Remove");
    /// Where an announcing director is dragged to withdraw its VIPs; shown while one announces.
    private final Label outOfService = new Label("Out of service");
    private final Label palette = new Label("Real server");
    private final Label statusLabel = new Label();
    private final ObjectProperty<Selection> selection = new SimpleObjectProperty<>();
    /// The nodes of virtual and real servers by id (`vsId|rsId` for a real server); read by the
    /// gestures' hit test.
    final Map<String, Node> vsNodes = new LinkedHashMap<>();
    final Map<String, Node> rsNodes = new LinkedHashMap<>();
    /// Selected real servers by `vsId|rsId`; kept across redraws. Ctrl-click (⌘ on macOS) adds or
    /// removes one; a drag or a context-menu action applies to all of them.
    final ObservableSet<String> selectedRealServers = FXCollections.observableSet(new LinkedHashSet<>());
    /// What each drawn real server is, for an edit: its model as the first director reports it.
    private final Map<String, RealServerModel> rsModels = new LinkedHashMap<>();
    private final Set<String> refreshQueue = new LinkedHashSet<>();
    private final TopologyGestures gestures;
    private final TopologySync update;
    private BiFunction<String, Optional<TopologyViewModel.NewServer>, Optional<TopologyViewModel.NewServer>> newServerPrompt;
    private boolean dirty;
    /// Fit to the window (the Fit button) until the operator zooms or pans by hand.
    private boolean fitting;
    private static final double FIT_MARGIN = 8;
    private boolean cullDirty;
    private boolean laterQueued;
    private MotionLayer motion;

    public TopologyView(TopologyViewModel model) {
        this.model = model;
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
        outOfService.getStyleClass().add("out-of-service");
        outOfService.setGraphic(Icons.node(Icon.DRAINING, 20));
        outOfService.setId("out-of-service");
        outOfService.setTooltip(new Tooltip("Drop a director that announces its VIPs by BGP here: its routing daemon "
                + "withdraws them gracefully. Drag it back onto the VIP's virtual server to announce them again."));
        outOfService.setVisible(false);
        palette.getStyleClass().add("palette-item");
        palette.setGraphic(Icons.node(Icon.ADD, 14));
        palette.setId("palette-real-server");
        statusLabel.textProperty().bind(model.statusProperty());
        model.statusErrorProperty().addListener((o, was, now) -> statusLabel.pseudoClassStateChanged(ERROR, now));
        statusLabel.getStyleClass().add("status");
        statusLabel.setId("topology-status");

        gestures = new TopologyGestures(this, model, zoomGroup, viewport, bin, outOfService, palette);
        var menus = new TopologyMenus(this, model);
        var nodes = new TopologyNodes(this, model, gestures, menus, drawing);
        update = new TopologySync(model, drawing, nodes, vsNodes, rsNodes, rsModels, selectedRealServers, this::markDirty);
        newServerPrompt = (vs, suggested) -> menus.askNewServer(vs);
        var undo = new Button("Undo");
        undo.disableProperty().bind(model.canUndoProperty().not());
        undo.setOnAction(e -> model.undo());
        var redo = new Button("Redo");
        redo.disableProperty().bind(model.canRedoProperty().not());
        redo.setOnAction(e -> model.redo());
        var zoomIn = new Button("+");
        zoomIn.setOnAction(e -> gestures.zoom(1.2));
        var zoomOut = new Button("−");
        zoomOut.setOnAction(e -> gestures.zoom(1 / 1.2));
        var fitToWindow = new Button("Fit");
        fitToWindow.setId("topology-fit");
        fitToWindow.setTooltip(new Tooltip("Fit the topology to the window, and keep it fitted as the window changes"));
        fitToWindow.setOnAction(e -> fitToWindow());
        viewport.widthProperty().addListener((o, was, now) -> fitIfFitting());
        viewport.heightProperty().addListener((o, was, now) -> fitIfFitting());
        var fit = new Button("1:1");
        fit.setOnAction(e -> {
            fitting = false;
            zoomGroup.setScaleX(1);
            zoomGroup.setScaleY(1);
            zoomGroup.setTranslateX(0);
            zoomGroup.setTranslateY(0);
        });
        var spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        var toolbar = new ToolBar(palette, undo, redo, spacer, zoomOut, fit, fitToWindow, zoomIn);
        // The spares (the lab's web-3) stand beside "Real server", ready to drag.
        model.spares().addListener((ListChangeListener<TopologyViewModel.Spare>) c -> showSpares(toolbar));
        showSpares(toolbar);
        setTop(toolbar);
        var stack = new StackPane(viewport, bin, outOfService);
        StackPane.setAlignment(bin, Pos.BOTTOM_RIGHT);
        StackPane.setAlignment(outOfService, Pos.BOTTOM_LEFT);
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
        model.cluster().directors().addListener((InvalidationListener) o -> markDirty());
        // Whatever an edit's outcome, draw the agents' truth again: a refused move snaps back.
        model.answeredProperty().addListener((o, was, now) -> markDirty());
        model.offsetsProperty().addListener((o, was, now) -> markDirty());
        sync();
    }

    /// Draws `motions` over the topology from now on (the lab's adverts, VIPs and requests),
    /// replacing what was drawn before; null draws none.
    public void showMotion(MotionViewModel motions) {
        if (motion != null) {
            motion.dispose();
            canvas.getChildren().remove(motion);
            motion = null;
        }
        if (motions != null) {
            motion = new MotionLayer(motions, this::locate);
            canvas.getChildren().add(motion);
        }
    }

    /// Where a place of a motion is drawn, in the canvas's coordinates (culled or not).
    private Optional<Bounds> locate(MotionViewModel.Place place) {
        var key = switch (place) {
            case MotionViewModel.Place.Director d -> "d:" + d.name();
            case MotionViewModel.Place.VirtualServer v -> "v:" + v.id();
            case MotionViewModel.Place.RealServer r -> rsNodes.keySet().stream()
                    .filter(k -> k.equals(r.virtualServer() + "|" + r.address())
                            || k.startsWith(r.virtualServer() + "|" + r.address() + ":"))
                    .findFirst().map(k -> "r:" + k).orElse("");
            case MotionViewModel.Place.Clients c -> "";
        };
        return Optional.ofNullable(drawing.get(key)).map(Drawing.Item::bounds);
    }

    /// Replaces the dialog that asks for a new real server's address (tests, scripted demos).
    public void setNewServerPrompt(
            BiFunction<String, Optional<TopologyViewModel.NewServer>, Optional<TopologyViewModel.NewServer>> prompt) {
        this.newServerPrompt = prompt;
    }

    public ObjectProperty<Selection> selectionProperty() {
        return selection;
    }

    /// The drawing's root. Off-screen parts are culled from it: to picture the whole topology
    /// use [#picture()].
    public Node canvas() {
        return canvas;
    }

    /// A picture of the whole topology, off-screen parts included (for export as PNG). Must be
    /// called on the JavaFX Application Thread.
    public Picture picture() {
        return picture(1);
    }

    /// The whole topology at `scale` (2 for a sharp picture on a slide), on the theme's background
    /// rather than transparent, so it reads the same pasted anywhere.
    public Picture picture(double scale) {
        drawing.showAll();
        if (motion != null) {
            motion.setVisible(false); // a picture of the cluster, not of a moment's dots
        }
        try {
            var parameters = new SnapshotParameters();
            parameters.setTransform(Transform.scale(scale, scale));
            parameters.setFill(viewport.getBackground() != null && !viewport.getBackground().getFills().isEmpty()
                    ? viewport.getBackground().getFills().getFirst().getFill() : Color.WHITE);
            var image = canvas.snapshot(parameters, null);
            int width = (int) image.getWidth();
            int height = (int) image.getHeight();
            var argb = new int[width * height];
            image.getPixelReader().getPixels(0, 0, width, height, PixelFormat.getIntArgbInstance(), argb, 0, width);
            return new Picture(width, height, argb);
        } finally {
            if (motion != null) {
                motion.setVisible(true);
            }
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

    /// The keys of the selected real servers (`vsId|rsId`), in selection order.
    public List<String> selectedRealServers() {
        return List.copyOf(selectedRealServers);
    }

    /// How many structural updates ran, and how many nodes they created in all (for tests that
    /// check a change redraws only what changed).
    int syncCount() {
        return update.count();
    }

    /// How many times the scene's content was culled (for tests that check a small pan does not).
    int cullCount() {
        return drawing.culls();
    }

    /// The style classes of the link drawn from `director` to virtual server `vsId`; empty when
    /// none is (for tests).
    List<String> linkClasses(String director, String vsId) {
        var item = drawing.get("dl:" + director + "|" + vsId);
        return item == null ? List.of() : List.copyOf(item.node.getStyleClass());
    }

    int nodesCreated() {
        return drawing.created();
    }

    /// The real servers an action on `key` applies to: every selected one when `key` is one of
    /// them, else `key` alone.
    List<TopologyViewModel.RealServerRef> targets(String key) {
        var keys = selectedRealServers.contains(key) ? List.copyOf(selectedRealServers) : List.of(key);
        var targets = new ArrayList<TopologyViewModel.RealServerRef>();
        for (var k : keys) {
            var m = rsModels.get(k);
            if (m != null) {
                int bar = k.indexOf('|');
                targets.add(new TopologyViewModel.RealServerRef(k.substring(0, bar), k.substring(bar + 1), m));
            }
        }
        return targets;
    }

    private void showSpares(ToolBar toolbar) {
        toolbar.getItems().removeIf(n -> n.getStyleClass().contains("palette-spare"));
        int at = toolbar.getItems().indexOf(palette) + 1;
        for (var spare : model.spares()) {
            var item = new Label(spare.label());
            item.getStyleClass().addAll("palette-item", "palette-spare");
            item.setGraphic(Icons.node(Icon.ADD, 14));
            item.setId("palette-spare-" + spare.server().address().replaceAll("[^A-Za-z0-9]", "-"));
            item.setTooltip(new Tooltip("Drag onto a virtual server to add " + spare.server().address()));
            gestures.installPaletteItem(item, spare.label(), vs -> Optional.of(spare.server()));
            toolbar.getItems().add(at++, item);
        }
    }

    /// Asks for a new real server in `vsId` (the palette's drop), as [#setNewServerPrompt] says.
    Optional<TopologyViewModel.NewServer> promptNewServer(String vsId) {
        return newServerPrompt.apply(vsId, Optional.empty());
    }

    void select(Selection s, Node node) {
        selectedRealServers.clear();
        for (var d : drawing.items()) {
            d.node.pseudoClassStateChanged(SELECTED, false);
        }
        node.pseudoClassStateChanged(SELECTED, true);
        selection.set(s);
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

    /// Refreshes the card of real server `key` in place at the next pulse.
    void refreshLater(String key) {
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
            fitIfFitting();
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

    /// Fits the topology to the window and keeps it fitted, as the Fit button does.
    public void fitToWindow() {
        fitting = true;
        fit();
    }

    /// The operator zoomed or panned: the view stops fitting itself to the window.
    void arrangedByHand() {
        fitting = false;
    }

    private void fitIfFitting() {
        if (fitting) {
            fit();
        }
    }

    /// Scales the drawing (never above 1:1) and moves it so that all of it shows in the viewport.
    private void fit() {
        var b = zoomGroup.getLayoutBounds();
        double width = viewport.getWidth() - 2 * FIT_MARGIN;
        double height = viewport.getHeight() - 2 * FIT_MARGIN;
        if (b.getWidth() <= 0 || b.getHeight() <= 0 || width <= 0 || height <= 0) {
            return;
        }
        double s = Math.max(0.2, Math.min(1, Math.min(width / b.getWidth(), height / b.getHeight())));
        zoomGroup.setScaleX(s);
        zoomGroup.setScaleY(s);
        // a Group scales about the centre of its layout bounds
        zoomGroup.setTranslateX(FIT_MARGIN - (b.getMinX() + b.getWidth() / 2) + s * b.getWidth() / 2);
        zoomGroup.setTranslateY(FIT_MARGIN - (b.getMinY() + b.getHeight() / 2) + s * b.getHeight() / 2);
    }

    /// A gesture ended: what it held back (a structural update, culling, refreshes) runs now.
    void gestureEnded() {
        if (dirty || cullDirty || !refreshQueue.isEmpty()) {
            requestPulse();
        }
    }

    /// A structural update (see [TopologySync]), then culling.
    private void sync() {
        dirty = false;
        var layout = update.run();
        canvas.setPrefSize(layout.width(), layout.height());
        outOfService.setVisible(model.cluster().directors().stream().anyMatch(model::announces));
        // Forgets selected real servers that are no longer drawn (removed or moved away).
        selectedRealServers.retainAll(rsNodes.keySet());
        cull();
    }

    /// Puts into the scene exactly what is in or near view and takes out the rest. Selected
    /// nodes stay in (a drag may carry them).
    private void cull() {
        cullDirty = false;
        drawing.cullAround(viewArea(), KEEP_SELECTED);
    }

    /// After a pan or a zoom: culls again only if what the scene holds no longer covers the view.
    private void recullIfNeeded() {
        cullDirty = false;
        drawing.recullAround(viewArea(), KEEP_SELECTED);
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
}
