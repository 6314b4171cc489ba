package dev.pharos.icons;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import javafx.geometry.Bounds;
import javafx.geometry.Rectangle2D;
import javafx.scene.Group;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.SnapshotParameters;
import javafx.scene.image.WritableImage;
import javafx.scene.layout.StackPane;
import javafx.scene.paint.Color;
import javafx.scene.shape.SVGPath;
import javafx.scene.shape.Shape;
import javafx.scene.transform.Scale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class IconsTest {
    private static final Color INK = Color.web("#1f2933");

    @BeforeAll
    static void startFx() throws InterruptedException {
        Fx.start();
    }

    @ParameterizedTest
    @EnumSource(Icon.class)
    void everyPathLiesWithinTheGrid(Icon icon) throws Exception {
        var shapes = Fx.call(() -> Icons.shape(icon).paths().stream().map(path -> {
            var svg = new SVGPath();
            svg.setContent(path.data());
            return svg.getLayoutBounds();
        }).toList());

        assertThat(shapes).allSatisfy(bounds -> {
            assertThat(bounds.getMinX()).isGreaterThanOrEqualTo(0);
            assertThat(bounds.getMinY()).isGreaterThanOrEqualTo(0);
            assertThat(bounds.getMaxX()).isLessThanOrEqualTo(24);
            assertThat(bounds.getMaxY()).isLessThanOrEqualTo(24);
            // Drawn for the grid, not a speck in a corner of it.
            assertThat(bounds.getWidth()).isGreaterThan(6);
            assertThat(bounds.getHeight()).isGreaterThan(1);
        });
    }

    @ParameterizedTest
    @EnumSource(Icon.class)
    void nodeLaysOutAtItsSizeWithTheGlyphInside(Icon icon) throws Exception {
        // In a pane far larger than the icon, so only the icon's own size limits decide.
        var bounds = Fx.call(() -> {
            var node = Icons.node(icon, 48);
            layOut(new StackPane(node), 300, 300);
            var glyph = ((Parent) node).getChildrenUnmodifiable().getFirst();
            return List.of(node.getLayoutBounds(), glyph.getBoundsInParent());
        });

        assertThat(bounds.get(0).getWidth()).isCloseTo(48, within(1.0));
        assertThat(bounds.get(0).getHeight()).isCloseTo(48, within(1.0));
        assertInside(bounds.get(1), 0, 0, 48, 48);
    }

    @Test
    void nodeHasTheStyleClassesAndAnAccessibleText() throws Exception {
        var node = Fx.call(() -> Icons.node(Icon.REAL_SERVER, 16));

        assertThat(node.getStyleClass()).containsExactly("icon", "icon-real-server");
        assertThat(node.getAccessibleText()).isEqualTo("Real server");
    }

    @Test
    void nodeInAGroupTakesItsPreferredSize() throws Exception {
        var bounds = Fx.call(() -> {
            var node = Icons.node(Icon.VIP, 20);
            layOut(new Group(node), 100, 100);
            return node.getLayoutBounds();
        });

        assertThat(bounds.getWidth()).isCloseTo(20, within(1.0));
        assertThat(bounds.getHeight()).isCloseTo(20, within(1.0));
    }

    @Test
    void resizedNodeScalesTheGlyphToFitCentred() throws Exception {
        var glyph = Fx.call(() -> {
            var node = (IconRegion) Icons.node(Icon.ADD, 24);
            node.setMaxSize(Double.MAX_VALUE, Double.MAX_VALUE);
            layOut(new StackPane(node), 120, 60);
            return node.getChildrenUnmodifiable().getFirst().getBoundsInParent();
        });

        // The plus spans 4..20 of the grid; in a 120×60 region the grid is 60 px, centred at x 30.
        assertThat(glyph.getMinX()).isCloseTo(30 + 10, within(0.5));
        assertThat(glyph.getMaxX()).isCloseTo(30 + 50, within(0.5));
        assertThat(glyph.getMinY()).isCloseTo(10, within(0.5));
        assertThat(glyph.getMaxY()).isCloseTo(50, within(0.5));
    }

    @Test
    void cssFillColoursEveryPathThroughTheIconNode() throws Exception {
        var css = """
                .theme { -test-ok: #2f9e44; }
                .icon { -fx-fill: #123456; }
                .icon-health-up { -fx-fill: -test-ok; }
                """;
        var fills = Fx.call(() -> {
            var healthy = Icons.node(Icon.HEALTH_UP, 24);
            var director = Icons.node(Icon.DIRECTOR, 24);
            var unstyled = Icons.node(Icon.BIN, 24);
            var styled = new StackPane(healthy, director);
            // A theme defines a looked-up colour on an ancestor; the icon's -fx-fill refers to it.
            styled.getStyleClass().add("theme");
            styled.getStylesheets().add("data:text/css;base64,"
                    + Base64.getEncoder().encodeToString(css.getBytes(StandardCharsets.UTF_8)));
            layOut(new StackPane(styled, unstyled), 100, 100);
            return List.of(pathFills(healthy), pathFills(director), pathFills(unstyled));
        });

        assertThat(fills.get(0)).hasSize(2).containsOnly(Color.web("#2f9e44"));
        assertThat(fills.get(1)).containsOnly(Color.web("#123456"));
        assertThat(fills.get(2)).containsOnly(Color.BLACK);
    }

    @ParameterizedTest
    @ValueSource(doubles = {16, 256})
    void imagesAreRenderedAndNotBlank(double size) throws Exception {
        for (var icon : Icon.values()) {
            var pixels = Pixels.of(Fx.call(() -> Icons.image(icon, size, INK)));

            assertThat(pixels.width()).as(icon + " width").isEqualTo((int) size);
            assertThat(pixels.height()).as(icon + " height").isEqualTo((int) size);
            assertThat(pixels.visible()).as(icon + " visible pixels")
                    .isGreaterThan((long) (size * size / 20))
                    .isLessThan((long) (size * size));
            assertThat(pixels.distinct()).as(icon + " distinct colours").isGreaterThan(2);
            // Every pixel carries the colour asked for, antialiased only in its alpha (a 2 px
            // stroke is 1.3 px at 16, so only larger sizes must have fully covered pixels).
            assertThat(java.util.Arrays.stream(pixels.argb()).filter(p -> p >>> 24 != 0))
                    .as(icon + " colour of covered pixels")
                    .allSatisfy(p -> assertThat(rgbDistance(p, INK)).isLessThanOrEqualTo(2));
            if (size >= 48) {
                assertThat(java.util.Arrays.stream(pixels.argb()).filter(p -> p >>> 24 == 0xff))
                        .as(icon + " fully covered pixels").isNotEmpty();
            }
        }
    }

    @Test
    void imageOfAFractionalSizeRoundsUp() throws Exception {
        var image = Fx.call(() -> Icons.image(Icon.MASTER, 20.5, Color.RED));

        assertThat(image.getWidth()).isEqualTo(21);
        assertThat(image.getHeight()).isEqualTo(21);
    }

    @Test
    void imageRefusesToRunOffTheFxThread() {
        assertThatThrownBy(() -> Icons.image(Icon.APP, 32, Color.BLACK))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("JavaFX Application Thread")
                .hasMessageContaining(Thread.currentThread().getName());
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, -1, Double.NaN, Double.POSITIVE_INFINITY})
    void sizesMustBePositiveAndFinite(double size) throws Exception {
        assertThatThrownBy(() -> Icons.node(Icon.ADD, size))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("positive number of pixels");
        assertThatThrownBy(() -> Fx.call(() -> Icons.image(Icon.ADD, size, Color.BLACK)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void imagesHaveAnUpperSize() {
        assertThatThrownBy(() -> Fx.call(() -> Icons.image(Icon.ADD, Icons.MAX_IMAGE_SIZE + 1, Color.BLACK)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most 4096 px");
    }

    @ParameterizedTest
    @EnumSource(Icon.class)
    void pathDataDrawsTheSamePictureAsThePaths(Icon icon) throws Exception {
        assertThat(Icons.pathData(icon)).isEqualTo(Icons.shape(icon).combinedData());

        var separate = Pixels.of(Fx.call(() -> Icons.image(icon, 48, INK)));
        var combined = Pixels.of(Fx.call(() -> {
            var svg = new SVGPath();
            svg.setContent(Icons.pathData(icon));
            svg.setFill(INK);
            var parameters = new SnapshotParameters();
            parameters.setFill(Color.TRANSPARENT);
            parameters.setTransform(new Scale(2, 2));
            parameters.setViewport(new Rectangle2D(0, 0, 48, 48));
            return new Group(svg).snapshot(parameters, new WritableImage(48, 48));
        }));

        // Same coverage everywhere but along edges where separate paths overlap and are blended twice.
        long differing = java.util.stream.IntStream.range(0, separate.argb().length)
                .filter(i -> Math.abs((separate.argb()[i] >>> 24) - (combined.argb()[i] >>> 24)) > 48)
                .count();
        assertThat(differing).as("pixels whose coverage differs").isLessThanOrEqualTo(8);
        assertThat(combined.visible()).isGreaterThan(48 * 48 / 20);
    }

    private static void layOut(Parent root, double width, double height) {
        new Scene(root, width, height);
        root.applyCss();
        root.layout();
    }

    private static List<Object> pathFills(javafx.scene.Node icon) {
        var glyph = (Group) ((Parent) icon).getChildrenUnmodifiable().getFirst();
        return glyph.getChildren().stream().map(node -> (Object) ((Shape) node).getFill()).toList();
    }

    private static void assertInside(Bounds bounds, double minX, double minY, double maxX, double maxY) {
        assertThat(bounds.getMinX()).isGreaterThanOrEqualTo(minX - 0.01);
        assertThat(bounds.getMinY()).isGreaterThanOrEqualTo(minY - 0.01);
        assertThat(bounds.getMaxX()).isLessThanOrEqualTo(maxX + 0.01);
        assertThat(bounds.getMaxY()).isLessThanOrEqualTo(maxY + 0.01);
    }

    /// The largest channel difference from `color` after premultiplying both by the pixel's
    /// alpha: the rounding of a faint pixel's un-premultiplied colour does not count.
    private static int rgbDistance(int argb, Color color) {
        int alpha = argb >>> 24;
        int max = 0;
        double[] expected = {color.getRed(), color.getGreen(), color.getBlue()};
        for (int channel = 0; channel < 3; channel++) {
            int actual = (argb >>> (16 - 8 * channel)) & 0xff;
            max = Math.max(max, (int) Math.round(Math.abs(actual - expected[channel] * 255) * alpha / 255.0));
        }
        return max;
    }
}
