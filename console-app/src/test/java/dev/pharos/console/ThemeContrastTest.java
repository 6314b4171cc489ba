package dev.pharos.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.console.edit.EditService;
import dev.pharos.console.model.ClusterModel;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import javafx.scene.paint.LinearGradient;
import javafx.scene.paint.Paint;
import javafx.scene.text.Text;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/// Text an operator must read stays readable in both themes: the topology's Remove target and the
/// timeline filter's prompt reach WCAG's 4.5:1 contrast against what is behind them (in the dark
/// theme the Remove label was light text on light pink, and the prompt dark grey on dark grey).
@ExtendWith(ApplicationExtension.class)
class ThemeContrastTest {

    ConsoleWindow window;

    @Start
    void start(Stage stage) {
        var cluster = ClusterModel.onFxThread("themes");
        window = new ConsoleWindow(cluster, EditService.onFxThread(cluster, Map.of()));
        var scene = new Scene(window, 1024, 700);
        scene.getStylesheets().addAll(ConsoleWindow.stylesheets());
        stage.setScene(scene);
        stage.show();
    }

    @Test
    void theRemoveTargetAndTheFilterPromptAreReadableInBothThemes(FxRobot robot) throws Exception {
        for (var theme : new String[] {"light", "dark"}) {
            if (theme.equals("dark")) {
                WaitForAsyncUtils.asyncFx(() -> ConsoleWindow.toggleDark(window)).get(10, TimeUnit.SECONDS);
            }
            WaitForAsyncUtils.waitForFxEvents();
            var bin = robot.lookup("#bin").queryAs(Label.class);
            var binText = WaitForAsyncUtils.asyncFx(() -> (Color) bin.getTextFill()).get();
            var binBackground = WaitForAsyncUtils.asyncFx(() -> (Color) bin.getBackground().getFills().getFirst().getFill())
                    .get();
            assertThat(contrast(binText, binBackground)).as("%s: Remove %s on %s", theme, binText, binBackground)
                    .isGreaterThanOrEqualTo(4.5);

            var filter = robot.lookup("#timeline-filter").queryAs(Region.class);
            var prompt = WaitForAsyncUtils.asyncFx(() -> filter.lookupAll(".text").stream()
                    .filter(n -> n instanceof Text t && "Filter (text)".equals(t.getText())).map(n -> (Color) ((Text) n)
                            .getFill()).findFirst().orElseThrow()).get();
            var field = WaitForAsyncUtils.asyncFx(() -> solid(filter.getBackground().getFills().getLast().getFill()))
                    .get();
            assertThat(contrast(prompt, field)).as("%s: prompt %s on %s", theme, prompt, field)
                    .isGreaterThanOrEqualTo(4.5);
        }
    }

    /// A fill as one colour: a gradient (Modena's field background) as the mean of its stops.
    static Color solid(Paint paint) {
        if (paint instanceof Color c) {
            return c;
        }
        var stops = ((LinearGradient) paint).getStops();
        double r = 0;
        double g = 0;
        double b = 0;
        for (var stop : stops) {
            r += stop.getColor().getRed();
            g += stop.getColor().getGreen();
            b += stop.getColor().getBlue();
        }
        return Color.color(r / stops.size(), g / stops.size(), b / stops.size());
    }

    /// WCAG 2's contrast ratio of two opaque colours.
    static double contrast(Color a, Color b) {
        double la = luminance(a);
        double lb = luminance(b);
        return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
    }

    private static double luminance(Color c) {
        return 0.2126 * channel(c.getRed()) + 0.7152 * channel(c.getGreen()) + 0.0722 * channel(c.getBlue());
    }

    private static double channel(double v) {
        return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    }
}
