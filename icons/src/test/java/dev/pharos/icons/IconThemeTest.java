package dev.pharos.icons;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import javafx.scene.Group;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.layout.HBox;
import javafx.scene.paint.Color;
import javafx.scene.paint.Paint;
import javafx.scene.shape.Shape;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class IconThemeTest {
    @BeforeAll
    static void startFx() throws InterruptedException {
        Fx.start();
    }

    @ParameterizedTest
    @EnumSource(IconTheme.class)
    void everyIconStandsOutFromTheThemesBackground(IconTheme theme) throws Exception {
        var fills = fills(theme.stylesheets());

        assertThat(fills).hasSize(Icon.values().length).allSatisfy((icon, fill) -> {
            assertThat(fill).as(icon.name()).isInstanceOf(Color.class);
            assertThat(contrast((Color) fill, theme.background())).as(icon + " contrast, " + fill)
                    .isGreaterThanOrEqualTo(3.0);
        });
    }

    @Test
    void themesColourByMeaningAndDifferForEveryIcon() throws Exception {
        var light = fills(IconTheme.LIGHT.stylesheets());
        var dark = fills(IconTheme.DARK.stylesheets());

        assertThat(light.get(Icon.DIRECTOR)).isEqualTo(Color.web("#24292f"));
        assertThat(light.get(Icon.HEALTH_UP)).isEqualTo(Color.web("#1a7f37"));
        assertThat(light.get(Icon.HEALTH_DOWN)).isEqualTo(light.get(Icon.LINK_LOST)).isEqualTo(Color.web("#cf222e"));
        assertThat(dark.get(Icon.DIRECTOR)).isEqualTo(Color.web("#e6edf3"));
        assertThat(dark.get(Icon.MASTER)).isEqualTo(Color.web("#d29922"));
        assertThat(Icon.values()).allSatisfy(icon -> assertThat(light.get(icon)).isNotEqualTo(dark.get(icon)));
    }

    @Test
    void aLaterStylesheetRedefinesThePalette() throws Exception {
        var override = "data:text/css;base64," + Base64.getEncoder().encodeToString(
                ".root { -pharos-icon-ok: #00aa00; }".getBytes(StandardCharsets.UTF_8));
        var stylesheets = new java.util.ArrayList<>(IconTheme.DARK.stylesheets());
        stylesheets.add(override);

        var fills = fills(stylesheets);

        assertThat(fills.get(Icon.HEALTH_UP)).isEqualTo(Color.web("#00aa00"));
        assertThat(fills.get(Icon.DIRECTOR)).isEqualTo(Color.web("#e6edf3"));
    }

    /// The fill of every icon's paths, in a scene with `stylesheets`; all paths of an icon share it.
    private static Map<Icon, Paint> fills(List<String> stylesheets) throws Exception {
        return Fx.call(() -> {
            var row = new HBox();
            for (var icon : Icon.values()) {
                row.getChildren().add(Icons.node(icon, 24));
            }
            var scene = new Scene(row, 600, 40);
            scene.getStylesheets().setAll(stylesheets);
            row.applyCss();
            var fills = new EnumMap<Icon, Paint>(Icon.class);
            for (var node : row.getChildren()) {
                var icon = Arrays.stream(Icon.values())
                        .filter(candidate -> node.getStyleClass().contains(candidate.styleClass()))
                        .findFirst().orElseThrow();
                var glyph = (Group) ((Parent) node).getChildrenUnmodifiable().getFirst();
                var paints = glyph.getChildren().stream().map(path -> ((Shape) path).getFill()).distinct().toList();
                assertThat(paints).as(icon.name()).hasSize(1);
                fills.put(icon, paints.getFirst());
            }
            return fills;
        });
    }

    /// WCAG 2.1 contrast ratio of two opaque colours.
    private static double contrast(Color a, Color b) {
        double la = luminance(a);
        double lb = luminance(b);
        return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
    }

    private static double luminance(Color c) {
        return 0.2126 * linear(c.getRed()) + 0.7152 * linear(c.getGreen()) + 0.0722 * linear(c.getBlue());
    }

    private static double linear(double channel) {
        return channel <= 0.04045 ? channel / 12.92 : Math.pow((channel + 0.055) / 1.055, 2.4);
    }
}
