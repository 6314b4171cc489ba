package dev.pharos.console.topology;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import javafx.geometry.BoundingBox;
import javafx.geometry.Bounds;
import javafx.scene.Group;
import javafx.scene.Node;
import javafx.scene.layout.Region;
import javafx.scene.shape.Line;

/// Everything the topology draws, whether in the scene graph now or culled: each node with the
/// rectangle it covers (canvas coordinates) and what it was drawn from. Two layers, links under
/// boxes, hold only what [#cull] lets in.
///
/// A structural update runs as [#beginUpdate], one [#reuse] per thing to draw (an unchanged
/// thing keeps its node), then [#endUpdate] (what was not asked for again goes). Keeping nodes
/// is what makes a change cost what changed, not the size of the cluster.
final class Drawing {

    /// One drawn thing: its node, its layer, the rectangle it covers (for culling), what it was
    /// drawn from (an unequal signature means a new node), and for a real server how to bring it
    /// up to date and what to detach when it goes.
    static final class Item {
        final Node node;
        final Group layer;
        final Object signature;
        Runnable refresh = () -> {
        };
        Runnable dispose = () -> {
        };
        private double minX;
        private double minY;
        private double maxX;
        private double maxY;
        private boolean seen;

        Item(Node node, Group layer, Object signature) {
            this.node = node;
            this.layer = layer;
            this.signature = signature;
        }

        /// Moves the line (the item's node) to run from (x0, y0) to (x1, y1).
        void line(double x0, double y0, double x1, double y1) {
            var line = (Line) node;
            line.setStartX(x0);
            line.setStartY(y0);
            line.setEndX(x1);
            line.setEndY(y1);
            cover(x0, y0, x1, y1);
        }

        /// Sizes and places the box (the item's node) at `b`.
        void box(TopologyLayout.Box b) {
            var region = (Region) node;
            region.setPrefSize(b.w(), b.h());
            region.setMinSize(b.w(), b.h());
            region.setMaxSize(b.w(), b.h());
            region.relocate(b.x(), b.y());
            // A kept node may still carry a drag's offset (a refused move snaps back here).
            region.setTranslateX(0);
            region.setTranslateY(0);
            cover(b.x(), b.y(), b.x() + b.w(), b.y() + b.h());
        }

        void cover(double x0, double y0, double x1, double y1) {
            minX = Math.min(x0, x1);
            minY = Math.min(y0, y1);
            maxX = Math.max(x0, x1);
            maxY = Math.max(y0, y1);
        }

        /// The rectangle the item covers, in the canvas's coordinates.
        Bounds bounds() {
            return new BoundingBox(minX, minY, maxX - minX, maxY - minY);
        }

        boolean intersects(Bounds b) {
            return maxX >= b.getMinX() && minX <= b.getMaxX() && maxY >= b.getMinY() && minY <= b.getMaxY();
        }
    }

    /// How far beyond the visible area items stay in the scene, as a fraction of the view's size:
    /// panning reveals nodes that are already styled and laid out.
    static final double CULL_MARGIN = 0.5;

    final Group links = new Group();
    final Group boxes = new Group();
    /// By kind-prefixed key (`d:`, `v:`, `r:`, `dl:`, `rl:`, `empty`), in drawing order.
    private final Map<String, Item> items = new LinkedHashMap<>();
    private int created;
    /// What the last [#cullAround] let into the scene (margin included).
    private Bounds culledArea;
    private int culls;

    Item get(String key) {
        return items.get(key);
    }

    Collection<Item> items() {
        return items.values();
    }

    /// How many nodes [#reuse] has created in all.
    int created() {
        return created;
    }

    void beginUpdate() {
        for (var item : items.values()) {
            item.seen = false;
        }
    }

    /// The item for `key`: the existing one if it was drawn from an equal `signature`, else a
    /// new one from `create`, which takes the old one's place in the scene at once (one list
    /// change: the node is never missing from the scene). Either way it stays drawn.
    Item reuse(String key, Object signature, Supplier<Item> create) {
        var item = items.get(key);
        if (item == null || !item.signature.equals(signature)) {
            var old = item;
            item = create.get();
            created++;
            items.put(key, item);
            if (old != null) {
                var siblings = old.layer.getChildren();
                int at = siblings.indexOf(old.node);
                if (at >= 0 && item.layer == old.layer) {
                    siblings.set(at, item.node);
                    // It enters the scene here, not through addMissing: it needs its content now
                    // (a card redrawn when a second director reported it showed empty).
                    if (item.node instanceof RealServerCard card) {
                        card.build();
                    }
                } else {
                    siblings.remove(old.node);
                }
                old.dispose.run();
            }
        }
        item.seen = true;
        return item;
    }

    /// Drops what was not asked for since [#beginUpdate].
    void endUpdate() {
        for (var it = items.values().iterator(); it.hasNext();) {
            var item = it.next();
            if (!item.seen) {
                it.remove();
                item.layer.getChildren().remove(item.node);
                item.dispose.run();
            }
        }
    }

    /// How many times [#cullAround] culled.
    int culls() {
        return culls;
    }

    /// Culls to `view` (the part of the canvas in view, in canvas coordinates) widened by
    /// [#CULL_MARGIN]; before the view has a size (null), to a window-sized area at the origin.
    void cullAround(Bounds view, Predicate<Node> keep) {
        culls++;
        culledArea = view == null ? new BoundingBox(-400, -400, 2400, 1800) : widened(view, CULL_MARGIN);
        cull(culledArea, keep);
    }

    /// After a pan or a zoom: culls again only when `view` came within half a margin of the edge
    /// of what the scene holds, or zoomed in so far that the scene holds more than twice what is
    /// wanted. Panning then walks every item (thousands) once per quarter of a viewport
    /// travelled, not at every pulse.
    void recullAround(Bounds view, Predicate<Node> keep) {
        if (view == null || culledArea == null) {
            cullAround(view, keep);
            return;
        }
        var wanted = widened(view, CULL_MARGIN);
        if (!culledArea.contains(widened(view, CULL_MARGIN / 2))
                || culledArea.getWidth() * culledArea.getHeight() > 2 * wanted.getWidth() * wanted.getHeight()) {
            cullAround(view, keep);
        }
    }

    /// `b` widened on every side by `fraction` of its width and height.
    private static Bounds widened(Bounds b, double fraction) {
        double mx = b.getWidth() * fraction;
        double my = b.getHeight() * fraction;
        return new BoundingBox(b.getMinX() - mx, b.getMinY() - my, b.getWidth() + 2 * mx, b.getHeight() + 2 * my);
    }

    /// Puts into the scene exactly the items that intersect `area` or that `keep` accepts, and
    /// takes out the rest: one removal and one addition per layer.
    void cull(Bounds area, Predicate<Node> keep) {
        var wanted = new HashSet<Node>();
        for (var item : items.values()) {
            if (item.intersects(area) || keep.test(item.node)) {
                wanted.add(item.node);
            }
        }
        for (var layer : List.of(links, boxes)) {
            var gone = new HashSet<Node>();
            for (var n : layer.getChildren()) {
                if (!wanted.contains(n)) {
                    gone.add(n);
                }
            }
            if (!gone.isEmpty()) {
                layer.getChildren().removeAll(gone);
            }
        }
        addMissing(item -> wanted.contains(item.node));
    }

    /// Puts every item into the scene (for a picture of the whole topology); [#cull] undoes it.
    void showAll() {
        addMissing(item -> true);
    }

    /// Adds to their layers (at the end, in drawing order) the items `which` accepts that are
    /// not in the scene; a real-server card builds its content as it enters.
    private void addMissing(Predicate<Item> which) {
        var newLinks = new ArrayList<Node>();
        var newBoxes = new ArrayList<Node>();
        for (var item : items.values()) {
            if (item.node.getParent() != item.layer && which.test(item)) {
                (item.layer == links ? newLinks : newBoxes).add(item.node);
                if (item.node instanceof RealServerCard card) {
                    card.build();
                }
            }
        }
        if (!newLinks.isEmpty()) {
            links.getChildren().addAll(newLinks);
        }
        if (!newBoxes.isEmpty()) {
            boxes.getChildren().addAll(newBoxes);
        }
    }
}
