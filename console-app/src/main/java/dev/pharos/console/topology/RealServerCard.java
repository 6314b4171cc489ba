package dev.pharos.console.topology;

import dev.pharos.icons.Icon;
import dev.pharos.icons.Icons;
import javafx.geometry.VPos;
import javafx.scene.Node;
import javafx.scene.layout.Region;
import javafx.scene.text.Text;

/// A real server's card: icon, id, "weight · health". A plain region laying out one icon
/// and two `Text`s itself: a fraction of the nodes, style classes and layout passes of
/// nested boxes of `Label`s, which matters at thousands of servers.
final class RealServerCard extends Region {
    private static final double ICON = 18;
    private static final double SPACING = 6;
    private final String rsId;
    private Text title;
    private Text subtitle;
    private Node icon;
    private Icon iconKind;
    private ShownHealth health = ShownHealth.UNKNOWN;
    private int weight;

    RealServerCard(String rsId) {
        this.rsId = rsId;
        // Index 1 is always the health class, so a change is one `set`, not a remove and an add.
        getStyleClass().addAll("real-server", ShownHealth.UNKNOWN.styleClass());
    }

    /// Creates the card's content (icon and text) the first time it enters the scene: most
    /// cards of a large cluster start off-screen, and building 2,000 icons and 4,000 texts
    /// before the first frame is what made the cold start slow.
    void build() {
        if (title != null) {
            return;
        }
        title = new Text(rsId);
        subtitle = new Text();
        title.getStyleClass().add("rs-title");
        subtitle.getStyleClass().add("rs-subtitle");
        title.setTextOrigin(VPos.TOP);
        subtitle.setTextOrigin(VPos.TOP);
        getChildren().addAll(title, subtitle);
        updateContent();
    }

    boolean built() {
        return title != null;
    }

    /// Shows `health` and `weight`, touching only what differs: the style classes at once
    /// (they are the state, built or not), icon and text once built.
    void show(ShownHealth health, int weight) {
        this.health = health;
        this.weight = weight;
        var healthClass = health.styleClass();
        if (!healthClass.equals(getStyleClass().get(1))) {
            getStyleClass().set(1, healthClass);
        }
        boolean draining = weight == 0;
        if (draining != getStyleClass().contains("draining")) {
            if (draining) {
                getStyleClass().add("draining");
            } else {
                getStyleClass().remove("draining");
            }
        }
        if (title != null) {
            updateContent();
        }
    }

    private void updateContent() {
        boolean draining = weight == 0;
        var kind = draining ? Icon.DRAINING : switch (health) {
            case UP, UNCHECKED -> Icon.HEALTH_UP;
            case DOWN -> Icon.HEALTH_DOWN;
            case UNKNOWN -> Icon.HEALTH_UNKNOWN;
        };
        if (kind != iconKind) {
            iconKind = kind;
            // Not cached (setCache): painting from a cache is cheaper (120 icons 1.0–1.3 → 0.4–0.85
            // ms a repaint in a probe) but every health change makes a new icon, and the software
            // renderer's cached images are released only under memory pressure: the heap grew by
            // 0.3 MB a minute at 200 events/s (class histograms: 285 render textures in 4 minutes).
            var fresh = Icons.node(kind, ICON);
            if (icon == null) {
                getChildren().add(0, fresh);
            } else {
                getChildren().set(0, fresh);
            }
            icon = fresh;
        }
        var text = (draining ? "draining" : "weight " + weight) + " · " + health.word();
        if (!text.equals(subtitle.getText())) {
            subtitle.setText(text);
        }
    }

    @Override
    protected void layoutChildren() {
        var in = getInsets();
        double h = getHeight() - in.getTop() - in.getBottom();
        double x = in.getLeft();
        if (icon != null) {
            icon.resizeRelocate(x, in.getTop() + (h - ICON) / 2, ICON, ICON);
            x += ICON + SPACING;
        }
        if (title == null) {
            return;
        }
        double th = title.getLayoutBounds().getHeight();
        double sh = subtitle.getLayoutBounds().getHeight();
        double y = in.getTop() + Math.max(0, (h - th - sh) / 2);
        title.relocate(x, y);
        subtitle.relocate(x, y + th);
    }
}
