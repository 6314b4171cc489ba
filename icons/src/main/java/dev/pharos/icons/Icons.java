package dev.pharos.icons;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import javafx.application.Platform;
import javafx.geometry.Rectangle2D;
import javafx.scene.Group;
import javafx.scene.Node;
import javafx.scene.SnapshotParameters;
import javafx.scene.image.Image;
import javafx.scene.image.WritableImage;
import javafx.scene.paint.Color;
import javafx.scene.shape.SVGPath;
import javafx.scene.transform.Scale;

/// The accessor of Pharos's icons: vector nodes for scenes, tinted images where a node cannot
/// go, the raw path data, and the application icons for `Stage.getIcons()`.
///
/// ### Colouring with CSS
/// JavaFX CSS has no `currentColor`; an icon node carries it instead. Every node returned by
/// [#node] has the style classes `icon` and `icon-<name>` ([Icon#styleClass()]) and a styleable
/// `-fx-fill` that colours all its paths (black until a stylesheet says otherwise). A theme
/// therefore colours icons like this:
///
/// ```css
/// .root { -pharos-icon: #1f2933; -pharos-ok: #2f9e44; }          /* light */
/// .root.dark { -pharos-icon: #e6edf3; -pharos-ok: #69db7c; }     /* dark  */
/// .icon { -fx-fill: -pharos-icon; }
/// .icon-health-up { -fx-fill: -pharos-ok; }
/// ```
///
/// The SVG sources are read once per icon and kept; the nodes and images are new on each call.
public final class Icons {
    /// The sizes, in pixels, of the application icons [#appIcons()] returns, smallest first.
    public static final List<Integer> APP_ICON_SIZES = List.of(16, 24, 32, 48, 64, 128, 256);

    /// The largest image [#image] renders; beyond it a vector node is the right tool (and the
    /// snapshot's buffer would run to gigabytes).
    public static final int MAX_IMAGE_SIZE = 4096;

    private static final String APP_ICON_DIRECTORY = "dev/pharos/icons/app/";
    private static final Map<Icon, IconShape> SHAPES = new ConcurrentHashMap<>();

    private Icons() {
    }

    /// A resizable vector node of `icon`, `size`×`size` pixels: a region whose minimum,
    /// preferred and maximum size are `size` (CSS or code may change them; the paths always
    /// scale to fit, centred). Style classes `icon` and `icon-<name>`; colour with `-fx-fill`.
    /// May be called on any thread, like creating any node; use it on the FX thread once shown.
    ///
    /// @throws IllegalArgumentException if `size` is not a positive finite number
    /// @throws IconFormatException if the icon's SVG source is broken (a build defect)
    public static Node node(Icon icon, double size) {
        return new IconRegion(icon, shape(icon), checkSize(size));
    }

    /// `icon` rasterised as a `ceil(size)`-pixel square image in `color` on a transparent
    /// background, antialiased from the vector paths, for places that take an [Image]
    /// (a drag view, a tray, a PNG export). Pass `size` times the screen's output scale for a
    /// crisp image on a HiDPI screen.
    ///
    /// It renders with `Node.snapshot`, which JavaFX allows only on the JavaFX Application
    /// Thread.
    ///
    /// @throws IllegalStateException if called on any other thread
    /// @throws IllegalArgumentException if `size` is not a positive number of at most
    ///     [#MAX_IMAGE_SIZE]
    public static Image image(Icon icon, double size, Color color) {
        Objects.requireNonNull(icon, "icon");
        Objects.requireNonNull(color, "color");
        if (!Platform.isFxApplicationThread()) {
            throw new IllegalStateException("Icons.image must be called on the JavaFX Application Thread, not on "
                    + Thread.currentThread().getName());
        }
        checkSize(size);
        if (size > MAX_IMAGE_SIZE) {
            throw new IllegalArgumentException("icon images are at most %d px, asked for %s; use Icons.node for larger"
                    .formatted(MAX_IMAGE_SIZE, size));
        }
        var glyph = new Group();
        for (var path : shape(icon).paths()) {
            var svg = new SVGPath();
            svg.setContent(path.data());
            svg.setFillRule(path.fillRule());
            svg.setFill(color);
            glyph.getChildren().add(svg);
        }
        int pixels = (int) Math.ceil(size);
        var parameters = new SnapshotParameters();
        parameters.setFill(Color.TRANSPARENT);
        parameters.setTransform(new Scale(size / IconShape.GRID, size / IconShape.GRID));
        // The viewport is the scaled grid, not the paths' bounds, so every icon keeps its margins.
        parameters.setViewport(new Rectangle2D(0, 0, pixels, pixels));
        return glyph.snapshot(parameters, new WritableImage(pixels, pixels));
    }

    /// The SVG path data of `icon`, all its paths joined, in the 24×24 grid: usable as an
    /// `SVGPath`'s content or an `-fx-shape`, where it draws the same picture with the default
    /// non-zero fill rule.
    ///
    /// @throws IconFormatException if the icon's SVG source is broken (a build defect)
    public static String pathData(Icon icon) {
        return shape(icon).combinedData();
    }

    /// The application icons, one per size in [#APP_ICON_SIZES], smallest first, ready for
    /// `stage.getIcons().setAll(Icons.appIcons())`. Loading an [Image] needs the JavaFX toolkit
    /// to be running; the images load synchronously.
    ///
    /// @throws IllegalStateException if a PNG is missing from the class path (a build defect)
    public static List<Image> appIcons() {
        return APP_ICON_SIZES.stream().map(Icons::appIcon).toList();
    }

    /// The class-path resource of the application icon of `size` pixels, e.g.
    /// `dev/pharos/icons/app/app-32.png`.
    public static String appIconResource(int size) {
        return APP_ICON_DIRECTORY + "app-" + size + ".png";
    }

    private static Image appIcon(int size) {
        var resource = appIconResource(size);
        var url = Icons.class.getClassLoader().getResource(resource);
        if (url == null) {
            throw new IllegalStateException(resource + " is missing from the class path; regenerate the PNGs "
                    + "as icons/README.md describes");
        }
        var image = new Image(url.toExternalForm());
        if (image.isError()) {
            throw new IllegalStateException(resource + " cannot be decoded: " + image.getException(), image.getException());
        }
        return image;
    }

    static IconShape shape(Icon icon) {
        Objects.requireNonNull(icon, "icon");
        return SHAPES.computeIfAbsent(icon, SvgIconReader::read);
    }

    private static double checkSize(double size) {
        if (!(size > 0) || !Double.isFinite(size)) {
            throw new IllegalArgumentException("icon size must be a positive number of pixels, got " + size);
        }
        return size;
    }
}
