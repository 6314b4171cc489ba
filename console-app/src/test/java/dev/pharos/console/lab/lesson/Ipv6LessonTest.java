package dev.pharos.console.lab.lesson;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.console.lab.LabMode;
import dev.pharos.console.lab.LabWindowTest;
import dev.pharos.console.model.VrrpState;
import java.net.InetAddress;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Labeled;
import javafx.scene.text.Text;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;

/// The lesson "IPv6 failover (VRRPv3)" in the console's window on the lab, headless: the IPv6 pair
/// loads, lvs-master holds 2001:db8::100 and the clients get answers through it, and the console
/// writes every IPv6 address compressed (the configuration writes the VIP in full); then the
/// master is killed and lvs-backup takes the VIP and its traffic.
class Ipv6LessonTest extends LabWindowTest {

    private static final String FILE = "ipv6-failover.lesson";
    private static final InetAddress VIP = InetAddress.ofLiteral("2001:db8::100");

    @Test
    void theIpv6PairFailsOverOnScreen() throws Exception {
        open(1280, 800, LessonsTest.SLACK);
        await(60, () -> fx(() -> mode.stateProperty().get() == LabMode.State.RUNNING && panel.view() != null
                && !lessons.lessons().isEmpty()));
        assertThat(fx(() -> lessons.lessons().stream().map(Lesson::file).toList())).as("in the index").contains(FILE);
        var lesson = LessonParser.parse(FILE, Files.readString(LessonParserTest.LESSONS.resolve(FILE)));
        fx(() -> {
            lessons.choose(lesson);
            return null;
        });

        runStep(0, lesson.steps().get(0));
        assertThat(fx(() -> mode.session().lab().holders(VIP))).isEqualTo(Set.of("lvs-master"));
        assertThat(fx(() -> state("lvs-master"))).isEqualTo(VrrpState.MASTER);
        await(30, () -> fx(() -> texts(window.getScene().getRoot()).stream()
                .anyMatch(t -> t.contains("[2001:db8::100]:80"))));
        // (the step's narration quotes the configuration's long form on purpose)
        var shown = fx(() -> texts(window.getScene().getRoot())).stream()
                .filter(t -> !t.equals(lesson.steps().getFirst().narration())).toList();
        assertThat(shown).as("the VIP and the real servers, compressed")
                .anyMatch(t -> t.contains("2001:db8::100"))
                .anyMatch(t -> t.contains("2001:db8::198:51:100:66"))
                .noneMatch(t -> t.contains("0db8") || t.contains("2001:db8:0:0") || t.contains(":0100"));
        assertThat(fx(() -> window.getScene().lookup("#lab-owner-2001-db8--100") instanceof Labeled l ? l.getText() : ""))
                .isEqualTo("lvs-master");

        runStep(1, lesson.steps().get(1));
        assertThat(fx(() -> mode.session().lab().holders(VIP))).isEqualTo(Set.of("lvs-backup"));
        assertThat(fx(() -> state("lvs-backup"))).isEqualTo(VrrpState.MASTER);
        await(30, () -> fx(() -> window.getScene().lookup("#lab-owner-2001-db8--100") instanceof Labeled l
                && l.getText().equals("lvs-backup")));
    }

    private VrrpState state(String director) {
        return cluster.director(director).flatMap(d -> d.instance("VI_6")).map(i -> i.stateProperty().get())
                .orElse(VrrpState.UNKNOWN);
    }

    /// Presses Next and waits for the step's observations to settle: all seen.
    private void runStep(int k, Lesson.Step step) throws Exception {
        await(30, () -> fx(() -> !window.getScene().lookup("#lesson-next").isDisabled()));
        new FxRobot().clickOn("#lesson-next");
        await(LessonsTest.deadline(step), () -> fx(() -> lessons.stepProperty().get() == k
                && (lessons.stateProperty().get() == LessonViewModel.State.DONE
                        || lessons.stateProperty().get() == LessonViewModel.State.FAILED)));
        assertThat(fx(() -> lessons.missed())).as("step %d, %s: %s", k + 1, step.title(),
                fx(() -> lessons.messageProperty().get())).isEmpty();
        assertThat(fx(() -> lessons.stateProperty().get())).isEqualTo(LessonViewModel.State.DONE);
    }

    /// Every text the window shows: labels' and text nodes'.
    private static List<String> texts(Parent root) {
        var out = new ArrayList<String>();
        collect(root, out);
        return out;
    }

    private static void collect(Node node, List<String> out) {
        if (node instanceof Labeled l && l.getText() != null) {
            out.add(l.getText());
        } else if (node instanceof Text t && t.getText() != null) {
            out.add(t.getText());
        }
        if (node instanceof Parent p) {
            p.getChildrenUnmodifiable().forEach(c -> collect(c, out));
        }
    }
}
