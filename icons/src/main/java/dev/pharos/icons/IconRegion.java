package dev.pharos.icons;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javafx.beans.property.ObjectProperty;
import javafx.css.CssMetaData;
import javafx.css.SimpleStyleableObjectProperty;
import javafx.css.StyleableProperty;
import javafx.css.converter.PaintConverter;
import javafx.css.Styleable;
import javafx.scene.AccessibleRole;
import javafx.scene.Group;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import javafx.scene.paint.Paint;
import javafx.scene.shape.SVGPath;
import javafx.scene.transform.Scale;
import javafx.scene.transform.Translate;

/// The node behind [Icons#node]: a region whose preferred, minimum and maximum size is the
/// requested size, holding the icon's paths scaled from the 24×24 grid to fit whatever size it
/// is laid out at, centred.
///
/// JavaFX CSS has no `currentColor`, so the region carries it: a styleable `-fx-fill` on the
/// `.icon` node is the colour of every path (they are bound to it). A stylesheet colours icons
/// with `.icon { -fx-fill: … }` and `.icon-health-down { -fx-fill: … }`, and may use looked-up
/// colours of the theme (`-fx-fill: -pharos-danger;`).
final class IconRegion extends Region {
    private static final Paint DEFAULT_FILL = Color.BLACK;

    private static final CssMetaData<IconRegion, Paint> FILL =
            new CssMetaData<>("-fx-fill", PaintConverter.getInstance(), DEFAULT_FILL) {
                @Override
                public boolean isSettable(IconRegion region) {
                    return !region.fill.isBound();
                }

                @Override
                public StyleableProperty<Paint> getStyleableProperty(IconRegion region) {
                    return region.fill;
                }
            };

    private static final List<CssMetaData<? extends Styleable, ?>> CSS_META_DATA;

    static {
        var all = new ArrayList<>(Region.getClassCssMetaData());
        all.add(FILL);
        CSS_META_DATA = Collections.unmodifiableList(all);
    }

    private final SimpleStyleableObjectProperty<Paint> fill =
            new SimpleStyleableObjectProperty<>(FILL, this, "fill", DEFAULT_FILL);
    private final Group glyph = new Group();
    private final Translate offset = new Translate();
    private final Scale scale = new Scale(1, 1, 0, 0);

    IconRegion(Icon icon, IconShape shape, double size) {
        getStyleClass().addAll("icon", icon.styleClass());
        setAccessibleRole(AccessibleRole.IMAGE_VIEW);
        setAccessibleText(icon.description());
        for (var path : shape.paths()) {
            var svg = new SVGPath();
            svg.setContent(path.data());
            svg.setFillRule(path.fillRule());
            svg.fillProperty().bind(fill);
            glyph.getChildren().add(svg);
        }
        // The group is placed by transforms alone (not by its bounds), so the grid's origin, not
        // the paths' top-left corner, lands on the region's content origin.
        glyph.setManaged(false);
        glyph.getTransforms().setAll(offset, scale);
        getChildren().add(glyph);
        setPrefSize(size, size);
        setMinSize(USE_PREF_SIZE, USE_PREF_SIZE);
        setMaxSize(USE_PREF_SIZE, USE_PREF_SIZE);
    }

    /// The colour of the icon, `-fx-fill` in CSS.
    ObjectProperty<Paint> fillProperty() {
        return fill;
    }

    @Override
    protected void layoutChildren() {
        var insets = getInsets();
        double width = getWidth() - insets.getLeft() - insets.getRight();
        double height = getHeight() - insets.getTop() - insets.getBottom();
        double side = Math.max(0, Math.min(width, height));
        double factor = side / IconShape.GRID;
        scale.setX(factor);
        scale.setY(factor);
        offset.setX(insets.getLeft() + (width - side) / 2);
        offset.setY(insets.getTop() + (height - side) / 2);
    }

    /// The CSS properties of this class: [Region]'s and `-fx-fill`.
    public static List<CssMetaData<? extends Styleable, ?>> getClassCssMetaData() {
        return CSS_META_DATA;
    }

    @Override
    public List<CssMetaData<? extends Styleable, ?>> getCssMetaData() {
        return CSS_META_DATA;
    }
}
