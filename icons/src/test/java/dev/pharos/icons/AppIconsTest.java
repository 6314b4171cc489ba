package dev.pharos.icons;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javafx.scene.image.Image;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/// The committed application icons: present, of their sizes, not blank, and what
/// [AppIconGenerator] renders from `app.svg` today. With `-Dpharos.icons.regenerate=true` the
/// test first writes them into the source tree (see the README), then checks them.
class AppIconsTest {
    /// Relative to the module, which is surefire's working directory.
    private static final Path SOURCE_DIRECTORY = Path.of("src/main/resources/dev/pharos/icons/app");
    static final java.util.List<Integer> SIZES = Icons.APP_ICON_SIZES;

    @BeforeAll
    static void startFx() throws Exception {
        Fx.start();
        if (Boolean.getBoolean("pharos.icons.regenerate")) {
            AppIconGenerator.writeAll(SOURCE_DIRECTORY);
        }
    }

    @ParameterizedTest
    @FieldSource("SIZES")
    void committedPngHasItsSizeAndIsNotBlank(int size) throws IOException {
        var resource = Icons.appIconResource(size);
        BufferedImage png;
        try (var in = getClass().getClassLoader().getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            png = ImageIO.read(in);
        }
        var pixels = pixels(png);

        assertThat(pixels.width()).isEqualTo(size);
        assertThat(pixels.height()).isEqualTo(size);
        // The tile covers most of the square (its rounded corners fade out) …
        assertThat(pixels.visible()).isGreaterThan((long) size * size * 3 / 4);
        assertThat(pixels.argb()[0] >>> 24).as("alpha of the top-left corner").isLessThan(0xc0);
        // … and the lighthouse stands out from it.
        assertThat(java.util.Arrays.stream(pixels.argb())).contains(argb(AppIconGenerator.TILE));
        assertThat(java.util.Arrays.stream(pixels.argb()).filter(p -> p >>> 24 == 0xff && brightness(p) > 160).count())
                .as("light pixels of the mark").isGreaterThan((long) size * size / 30);
    }

    @Test
    void appIconsGivesOneImagePerSizeSmallestFirst() throws Exception {
        var images = Fx.call(Icons::appIcons);

        assertThat(images).extracting(Image::isError).containsOnly(false);
        assertThat(images).extracting(image -> (int) image.getWidth()).containsExactlyElementsOf(SIZES);
        assertThat(images).extracting(image -> (int) image.getHeight()).containsExactlyElementsOf(SIZES);
    }

    @ParameterizedTest
    @FieldSource("SIZES")
    void committedPngIsWhatTheGeneratorRendersFromTheSvg(int size) throws Exception {
        var file = SOURCE_DIRECTORY.resolve("app-" + size + ".png");
        assertThat(file).exists();
        var committed = pixels(ImageIO.read(Files.newInputStream(file)));

        var rendered = Pixels.of(Fx.call(() -> AppIconGenerator.render(size)));

        assertThat(rendered.maxChannelDifference(committed))
                .as("%s differs from app.svg's rendering: regenerate the PNGs (icons/README.md)", file)
                .isLessThanOrEqualTo(2);
    }

    private static Pixels pixels(BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        return new Pixels(width, height, image.getRGB(0, 0, width, height, null, 0, width));
    }

    private static int brightness(int argb) {
        return (((argb >>> 16) & 0xff) + ((argb >>> 8) & 0xff) + (argb & 0xff)) / 3;
    }

    private static int argb(javafx.scene.paint.Color color) {
        return 0xff << 24 | (int) Math.round(color.getRed() * 255) << 16
                | (int) Math.round(color.getGreen() * 255) << 8 | (int) Math.round(color.getBlue() * 255);
    }
}
