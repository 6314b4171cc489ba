package dev.pharos.console.topology;

import dev.pharos.console.model.DirectorModel;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import javafx.css.PseudoClass;
import javafx.geometry.Point2D;
import javafx.scene.Group;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.scene.input.ScrollEvent;
import javafx.scene.layout.Pane;
import javafx.scene.layout.Region;

/// The topology's mouse gestures, each turned into a command of the view model: dragging real
/// servers onto another virtual server or the bin, dragging a new one from the palette, moving a
/// director or a virtual server, dragging an announcing director onto Out of service and back onto
/// its VIP, panning the background and zooming with the wheel.
///
/// Dragging is done with mouse events and the view's own hit test rather than the platform's
/// drag-and-drop, so it behaves the same on every OS, in a remote session and headless. While a
/// gesture is under way the view holds back structural updates and culling (the dragged nodes
/// must stay where they are); [#dragging()] says so.
final class TopologyGestures {

    private static final PseudoClass DROP = PseudoClass.getPseudoClass("drop-target");

    private final TopologyView view;
    private final TopologyViewModel model;
    private final Group zoomGroup;
    private final Pane viewport;
    private final Label bin;
    private final Label outOfService;
    private boolean dragging;
    private double dragStartX;
    private double dragStartY;
    private Node dropHover;

    /// Installs the palette's drag, and panning and zooming on `viewport`.
    TopologyGestures(TopologyView view, TopologyViewModel model, Group zoomGroup, Pane viewport, Label bin,
            Label outOfService, Label palette) {
        this.view = view;
        this.model = model;
        this.zoomGroup = zoomGroup;
        this.viewport = viewport;
        this.bin = bin;
        this.outOfService = outOfService;
        installPan();
        installPaletteItem(palette, "New real server", view::promptNewServer);
    }

    /// Whether a drag is under way.
    boolean dragging() {
        return dragging;
    }

    private void started() {
        dragging = true;
    }

    private void ended() {
        dragging = false;
        view.gestureEnded();
    }

    /// Lets the operator drag a real server's card (with the rest of the selection when it is
    /// part of it) onto another virtual server (a move) or the bin (a removal); a click selects it,
    /// Ctrl-click (⌘ on macOS) adds it to the selection or takes it out.
    void installRealServerDrag(Region box, String vsId, String rsId, TopologyView.Selection selectionValue) {
        var key = vsId + "|" + rsId;
        box.addEventHandler(MouseEvent.MOUSE_PRESSED, e -> {
            if (e.getButton() != MouseButton.PRIMARY) {
                return;
            }
            dragStartX = e.getSceneX();
            dragStartY = e.getSceneY();
            started();
            // Only the nodes whose selection changes are touched (not all thousands).
            var before = List.copyOf(view.selectedRealServers);
            if (e.isShortcutDown()) {
                if (!view.selectedRealServers.remove(key)) {
                    view.selectedRealServers.add(key);
                }
            } else if (!view.selectedRealServers.contains(key)) {
                view.selectedRealServers.clear();
                view.selectedRealServers.add(key);
            }
            for (var k : before) {
                var n = view.rsNodes.get(k);
                if (n != null && !view.selectedRealServers.contains(k)) {
                    n.pseudoClassStateChanged(TopologyView.SELECTED, false);
                }
            }
            for (var k : view.selectedRealServers) {
                var n = view.rsNodes.get(k);
                if (n != null) {
                    n.pseudoClassStateChanged(TopologyView.SELECTED, true);
                }
            }
            view.selectionProperty().set(selectionValue);
            e.consume();
        });
        box.addEventHandler(MouseEvent.MOUSE_DRAGGED, e -> {
            if (!e.isPrimaryButtonDown()) {
                return;
            }
            double scale = zoomGroup.getScaleX();
            for (var k : dragged(key)) {
                var n = view.rsNodes.get(k);
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
            ended();
            boolean moved = Math.hypot(e.getSceneX() - dragStartX, e.getSceneY() - dragStartY) > 4;
            var target = moved ? targetAt(e.getSceneX(), e.getSceneY(), vsId) : null;
            var keys = dragged(key);
            if (target == bin) {
                for (var k : keys) {
                    view.rsNodes.get(k).pseudoClassStateChanged(TopologyView.PENDING, true);
                }
                model.remove(view.targets(key));
            } else if (target != null) {
                for (var k : keys) {
                    view.rsNodes.get(k).pseudoClassStateChanged(TopologyView.PENDING, true);
                }
                model.move(view.targets(key), (String) target.getUserData());
            } else {
                for (var k : keys) {
                    view.rsNodes.get(k).setTranslateX(0);
                    view.rsNodes.get(k).setTranslateY(0);
                }
            }
            e.consume();
        });
    }

    /// Lets the operator drag a new real server from the palette `item` onto a virtual server:
    /// `what` says which server, for the virtual server it was dropped on (or nothing: cancelled).
    void installPaletteItem(Label item, String ghostText, Function<String, Optional<TopologyViewModel.NewServer>> what) {
        var palette = item;
        var ghost = new Label(ghostText);
        ghost.getStyleClass().addAll("palette-item", "ghost");
        ghost.setMouseTransparent(true);
        palette.setOnMousePressed(e -> {
            dragStartX = e.getSceneX();
            dragStartY = e.getSceneY();
            started();
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
            ended();
            var target = targetAt(e.getSceneX(), e.getSceneY(), null);
            if (target != null && target != bin) {
                var vsId = (String) target.getUserData();
                what.apply(vsId).ifPresent(n -> model.add(vsId, n));
            }
            e.consume();
        });
    }

    /// Lets the operator move a director's card, and drag a director that announces its VIPs
    /// through a routing daemon onto Out of service (its VIPs are withdrawn gracefully) or, once
    /// out of service, onto a virtual server whose VIP it announces (they are announced again).
    void installDirectorDrag(Region node, DirectorModel director) {
        installMovable(node, "director " + director.name(), (x, y) -> directorTarget(director, x, y), target -> {
            if (target == outOfService) {
                model.takeOutOfService(director);
            } else {
                model.putBackInService(director);
            }
        });
    }

    /// Where a dragged `director` would go at a scene point: Out of service while it is in service,
    /// the card of a virtual server whose VIP it announces while it is out; else nowhere.
    private Node directorTarget(DirectorModel director, double sceneX, double sceneY) {
        if (!model.announces(director)) {
            return null;
        }
        var p = new Point2D(sceneX, sceneY);
        if (!model.outOfService(director)) {
            return outOfService.isVisible() && outOfService.localToScene(outOfService.getBoundsInLocal()).contains(p)
                    ? outOfService : null;
        }
        for (var e : view.vsNodes.entrySet()) {
            if (model.announcesVipOf(director, e.getKey()) && view.isInScene(e.getValue())
                    && e.getValue().localToScene(e.getValue().getBoundsInLocal()).contains(p)) {
                return e.getValue();
            }
        }
        return null;
    }

    /// Lets the operator drag a virtual server to another place (a drag of more than a few pixels;
    /// a click still selects it): the view model remembers the offset.
    void installMovable(Region node, String key) {
        installMovable(node, key, (x, y) -> null, target -> {
        });
    }

    /// As [#installMovable(Region, String)], but a drop on what `targetAt` finds at the mouse goes to
    /// `drop` instead, and the node goes back to its place.
    private void installMovable(Region node, String key, BiFunction<Double, Double, Node> targetAt,
            Consumer<Node> drop) {
        var start = new double[2];
        node.addEventHandler(MouseEvent.MOUSE_PRESSED, e -> {
            if (e.getButton() == MouseButton.PRIMARY) {
                start[0] = e.getSceneX();
                start[1] = e.getSceneY();
                started();
                e.consume();
            }
        });
        node.addEventHandler(MouseEvent.MOUSE_DRAGGED, e -> {
            if (e.isPrimaryButtonDown()) {
                double scale = zoomGroup.getScaleX();
                node.setTranslateX((e.getSceneX() - start[0]) / scale);
                node.setTranslateY((e.getSceneY() - start[1]) / scale);
                hover(targetAt.apply(e.getSceneX(), e.getSceneY()));
                e.consume();
            }
        });
        node.addEventHandler(MouseEvent.MOUSE_RELEASED, e -> {
            if (e.getButton() != MouseButton.PRIMARY) {
                return;
            }
            hover(null);
            ended();
            double scale = zoomGroup.getScaleX();
            double dx = (e.getSceneX() - start[0]) / scale;
            double dy = (e.getSceneY() - start[1]) / scale;
            var target = Math.hypot(dx, dy) > 4 ? targetAt.apply(e.getSceneX(), e.getSceneY()) : null;
            if (target != null) {
                node.setTranslateX(0);
                node.setTranslateY(0);
                drop.accept(target);
            } else if (Math.hypot(dx, dy) > 4) {
                model.moveBy(key, dx, dy);
            } else {
                node.setTranslateX(0);
                node.setTranslateY(0);
            }
            e.consume();
        });
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
            view.arrangedByHand();
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

    /// Zooms by `factor` (between 0.2× and 4×).
    void zoom(double factor) {
        view.arrangedByHand();
        double s = Math.max(0.2, Math.min(4, zoomGroup.getScaleX() * factor));
        zoomGroup.setScaleX(s);
        zoomGroup.setScaleY(s);
    }

    /// The nodes a drag started on `key` carries: the whole selection when `key` is in it.
    private List<String> dragged(String key) {
        var keys = view.selectedRealServers.contains(key) ? List.copyOf(view.selectedRealServers) : List.of(key);
        return keys.stream().filter(view.rsNodes::containsKey).toList();
    }

    /// The drop target under a scene point: the bin, or a virtual server other than `except`.
    private Node targetAt(double sceneX, double sceneY, String except) {
        var p = new Point2D(sceneX, sceneY);
        if (bin.localToScene(bin.getBoundsInLocal()).contains(p)) {
            return bin;
        }
        for (var e : view.vsNodes.entrySet()) {
            // A culled node is far off-screen: never under the mouse (and its bounds are not in scene terms).
            // An adopted keepalived director's virtual server takes no edits: never a drop target.
            if (!e.getKey().equals(except) && !model.readOnly(e.getKey()) && view.isInScene(e.getValue()) && e.getValue().localToScene(e.getValue().getBoundsInLocal()).contains(p)) {
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
}
