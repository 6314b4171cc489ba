package dev.pharos.console.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.console.lab.LabSpeedViewModel.Speed;
import dev.pharos.console.model.Liveness;
import dev.pharos.console.model.VrrpState;
import dev.pharos.testing.Netns;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import javafx.geometry.Bounds;
import javafx.geometry.Point2D;
import javafx.scene.Node;
import javafx.scene.control.ToggleButton;
import javafx.scene.shape.Circle;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/// The lab's motion on the topology, headless at 1280×800: advert pulses run between the directors
/// while the lab runs and stand still when it is stopped (the speed control's Stop), and a VIP's
/// marker travels to the director that takes it over.
@ExtendWith(ApplicationExtension.class)
class LabMotionTest extends LabWindowTest {

    @Start
    void start(Stage stage) {
        show(stage, 1280, 800);
    }

    boolean master(String director, String instance) {
        return cluster.director(director).flatMap(d -> d.instance(instance))
                .map(i -> i.stateProperty().get() == VrrpState.MASTER).orElse(false)
                && cluster.director(director).map(d -> d.livenessProperty().get() == Liveness.LIVE).orElse(false);
    }

    void settled() throws Exception {
        await(60, () -> fx(() -> panel.view() != null && panel.view().getScene() != null
                && master("lvs-master", "VI_1") && master("lvs-backup", "VI_2")));
    }

    /// Where the visible advert pulses are now (canvas coordinates).
    List<Point2D> pulses(FxRobot robot) throws Exception {
        return fx(() -> robot.lookup(".motion-advert").queryAllAs(Circle.class).stream().filter(Node::isVisible)
                .map(c -> new Point2D(c.getCenterX(), c.getCenterY())).toList());
    }

    void speed(FxRobot robot, Speed speed) throws Exception {
        fx(() -> {
            robot.lookup("#lab-speed-" + speed.name().toLowerCase(Locale.ROOT)).queryAs(ToggleButton.class)
                    .fire();
            return null;
        });
        assertThat(mode.session().lab().stepGate().speed()).isEqualTo(speed.factor());
    }

    @Test
    void advertPulsesRunWhileTheLabRunsAndStandStillWhenItStops(FxRobot robot) throws Exception {
        settled();
        await(20, () -> !pulses(robot).isEmpty());
        // They move: two looks a frame or more apart differ.
        var first = pulses(robot);
        assertThat(Netns.await(Duration.ofSeconds(5), () -> {
            try {
                return !pulses(robot).equals(first);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        })).as("pulses move while the lab runs").isTrue();

        speed(robot, Speed.STOPPED);
        // What is drawn after the stop stays as it is: no pulse moves, none is added. (An advert
        // sent just before the stop is drawn in the next frames: let them pass.)
        WaitForAsyncUtils.waitForFxEvents(5);
        var held = pulses(robot);
        assertThat(Netns.await(Duration.ofSeconds(3), () -> {
            try {
                return !pulses(robot).equals(held);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        })).as("pulses moved while the lab stood still").isFalse();

        speed(robot, Speed.NORMAL);
        await(20, () -> !pulses(robot).isEmpty() && !pulses(robot).equals(held));
    }

    @Test
    void theVipMarkerEndsAtTheNewOwnerAfterATakeover(FxRobot robot) throws Exception {
        settled();
        await(20, () -> inside("lvs-master", robot));
        fx(() -> {
            mode.viewModelProperty().get().killDirector("lvs-master");
            return null;
        });
        await(30, () -> master("lvs-backup", "VI_1"));
        await(10, () -> inside("lvs-backup", robot));
    }

    /// Whether VIP1's marker stands over `director`'s card (its centre within the card's width).
    boolean inside(String director, FxRobot robot) throws Exception {
        return fx(() -> {
            var marker = robot.lookup("#motion-vip-192-0-2-100").tryQuery();
            var card = robot.lookup("#director-" + director).tryQuery();
            if (marker.isEmpty() || card.isEmpty() || !marker.get().isVisible()) {
                return false;
            }
            Bounds m = marker.get().getBoundsInParent();
            Bounds c = card.get().getBoundsInParent();
            return m.getCenterX() >= c.getMinX() && m.getCenterX() <= c.getMaxX()
                    && Math.abs(m.getMaxY() - c.getMinY()) < 20;
        });
    }
}
