package dev.pharos.icons;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javafx.application.Platform;
import javafx.geometry.Rectangle2D;
import javafx.scene.Group;
import javafx.scene.SnapshotParameters;
import javafx.scene.image.Image;
import javafx.scene.image.WritableImage;
import javafx.scene.paint.Color;
import javafx.scene.shape.Rectangle;
import javafx.scene.shape.SVGPath;
import javafx.scene.transform.Scale;
import javafx.scene.transform.Translate;
import javax.imageio.ImageIO;

/// Renders the application icons from `app.svg`: the lighthouse in warm white on a rounded tile
/// of deep sea blue, so the mark stays visible on light and dark task bars alike. The committed
/// PNGs are its output; [AppIconsTest] re-renders them and fails if they are out of date, and
/// writes them when run with `-Dpharos.icons.regenerate=true` (see the README).
final class AppIconGenerator {
    static final Color TILE = Color.web("#0b4f6c");
    static final Color MARK = Color.web("#fff6dc");
    /// The lighthouse's share of the tile; the rest is margin.
    private static final double MARK_SHARE = 0.8;
    /// The tile's corner radius as a share of its side.
    private static final double CORNER_SHARE = 0.2;

    private AppIconGenerator() {
    }

    /// The icon of `size` pixels. Must run on the FX thread (it snapshots).
    static WritableImage render(int size) {
        if (!Platform.isFxApplicationThread()) {
            throw new IllegalStateException("render must run on the JavaFX Application Thread");
        }
        var tile = new Rectangle(0, 0, size, size);
        tile.setArcWidth(2 * CORNER_SHARE * size);
        tile.setArcHeight(2 * CORNER_SHARE * size);
        tile.setFill(TILE);
        var mark = new SVGPath();
        mark.setContent(Icons.pathData(Icon.APP));
        mark.setFill(MARK);
        double markSize = size * MARK_SHARE;
        double margin = (size - markSize) / 2;
        mark.getTransforms().setAll(new Translate(margin, margin),
                new Scale(markSize / IconShape.GRID, markSize / IconShape.GRID));
        var parameters = new SnapshotParameters();
        parameters.setFill(Color.TRANSPARENT);
        parameters.setViewport(new Rectangle2D(0, 0, size, size));
        return new Group(tile, mark).snapshot(parameters, new WritableImage(size, size));
    }

    /// Writes `image` as a PNG (through AWT's ImageIO: no JavaFX–Swing bridge needed).
    static void writePng(Image image, Path file) throws IOException {
        var pixels = Pixels.of(image);
        var buffered = new BufferedImage(pixels.width(), pixels.height(), BufferedImage.TYPE_INT_ARGB);
        buffered.setRGB(0, 0, pixels.width(), pixels.height(), pixels.argb(), 0, pixels.width());
        Files.createDirectories(file.toAbsolutePath().getParent());
        if (!ImageIO.write(buffered, "png", file.toFile())) {
            throw new IOException("no PNG writer in this JDK");
        }
    }

    /// Renders every size in [Icons#APP_ICON_SIZES] into `directory` as `app-<size>.png`.
    static void writeAll(Path directory) throws Exception {
        for (int size : Icons.APP_ICON_SIZES) {
            var image = Fx.call(() -> render(size));
            writePng(image, directory.resolve("app-" + size + ".png"));
        }
    }
}
