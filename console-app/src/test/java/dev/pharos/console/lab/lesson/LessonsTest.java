package dev.pharos.console.lab.lesson;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.lab.Lab;
import dev.pharos.console.lab.LabMode;
import dev.pharos.console.lab.LabWindowTest;
import dev.pharos.console.model.VrrpState;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/// Every shipped lesson, run headless in the console's window on the lab, Next pressed in its
/// lessons pane: each step's observations happen (with three times the lesson's deadlines: the lab runs real VRRP and
/// checker timing on a shared machine). A new lesson file is run without code. Each lesson's key
/// moment is pictured: into docs/lessons/ with `-Dpharos.docs.screens=true`, else into target/
/// to check the picture can be taken.
class LessonsTest extends LabWindowTest {

    static final double SLACK = 3;

    static Stream<String> lessonFiles() throws Exception {
        try (var files = Files.list(LessonParserTest.LESSONS)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".lesson")).sorted().toList()
                    .stream();
        }
    }

    @BeforeEach
    void openTheConsoleOnItsLab() throws Exception {
        open(1280, 800, SLACK);
        await(60, () -> fx(() -> mode.stateProperty().get() == LabMode.State.RUNNING && panel.view() != null
                && !lessons.lessons().isEmpty()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lessonFiles")
    void everyObservationOfEveryStepHappens(String file) throws Exception {
        var lesson = LessonParser.parse(file, Files.readString(LessonParserTest.LESSONS.resolve(file)));
        fx(() -> {
            lessons.choose(lesson);
            return null;
        });
        for (int k = 0; k < lesson.steps().size(); k++) {
            var step = lesson.steps().get(k);
            runStep(k, step);
            if (k == lesson.keyStep()) {
                picture(file.replaceFirst("\\.lesson$", ".png"));
            }
        }
    }

    /// Back stands the lab where it was before the current step: here, after the graceful
    /// lesson's stop, lvs-master is MASTER of VI_1 again and the first step shows.
    @Test
    void backReturnsTheLabToTheStateBeforeTheStep() throws Exception {
        var lesson = LessonParser.parse("graceful-failover.lesson",
                Files.readString(LessonParserTest.LESSONS.resolve("graceful-failover.lesson")));
        fx(() -> {
            lessons.choose(lesson);
            return null;
        });
        runStep(0, lesson.steps().get(0));
        runStep(1, lesson.steps().get(1));
        assertThat(fx(() -> master("lvs-backup", "VI_1"))).isTrue();
        var before = fx(() -> mode.session());
        new FxRobot().clickOn("#lesson-back");
        await(deadline(lesson.steps().get(0)), () -> fx(() -> mode.session() != before
                && lessons.stateProperty().get() == LessonViewModel.State.DONE));
        assertThat(fx(() -> lessons.stepProperty().get())).isZero();
        assertThat(fx(() -> lessons.missed())).isEmpty();
        assertThat(fx(() -> master("lvs-master", "VI_1") && mode.session().lab().running("lvs-master"))).isTrue();
        assertThat(fx(() -> lessons.stepTitleProperty().get())).startsWith("Step 1 of 3");
    }

    /// A trainer's own lesson, opened from a file with its lab beside it, runs like a shipped one;
    /// one with a mistake is refused with the mistake's place.
    @Test
    void aTrainersOwnLessonFileRunsWithItsLabBesideIt(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("pair"));
        Files.writeString(dir.resolve("pair").resolve("north.conf"), Lab.resource("lvs-master.conf"));
        Files.writeString(dir.resolve("pair").resolve("south.conf"), Lab.resource("lvs-backup.conf"));
        Files.writeString(dir.resolve("broken.lesson"), "lesson: Broken\nstep: One\nsay: s\nexpect: north is BOSS of VI_1\n");
        fx(() -> {
            lessons.open(dir.resolve("broken.lesson"));
            return null;
        });
        await(30, () -> fx(() -> lessons.stateProperty().get() == LessonViewModel.State.FAILED));
        assertThat(fx(() -> lessons.messageProperty().get())).contains("broken.lesson:4:18: a VRRP state is");

        Files.writeString(dir.resolve("mine.lesson"), """
                lesson: My own pair
                lab: pair/north.conf pair/south.conf
                step: At rest
                say: north holds VI_1.
                expect: north is MASTER of VI_1 within 15 s
                expect: 192.0.2.100 answers through north within 15 s
                """);
        fx(() -> {
            lessons.open(dir.resolve("mine.lesson"));
            return null;
        });
        await(30, () -> fx(() -> lessons.lessonProperty().get() != null
                && lessons.lessonProperty().get().title().equals("My own pair")));
        assertThat(fx(() -> lessons.lessons().getLast().title())).isEqualTo("My own pair");
        runStep(0, fx(() -> lessons.lessonProperty().get().steps().getFirst()));
        assertThat(fx(() -> mode.session().lab().directorNames())).containsExactly("north", "south");
    }

    /// What does not happen is not ticked: each such observation is missed, and says why (not
    /// within its deadline, or sooner than it may).
    @Test
    void anObservationThatDoesNotHappenIsMissedAndSaysWhy(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("wrong.lesson"), """
                lesson: Wrong on purpose
                step: At rest
                say: Nothing happens here that these say.
                expect: lvs-master is MASTER of VI_1 within 15 s
                expect: lvs-backup is MASTER of VI_1 within 2 s
                expect: 192.0.2.100 is held by lvs-backup within 2 s
                expect: web-1 is down on lvs-master within 2 s
                expect: 192.0.2.100 answers through lvs-backup within 2 s
                expect: lvs-master is MASTER of VI_1 not before 30 s within 40 s
                """);
        fx(() -> {
            lessons.open(dir.resolve("wrong.lesson"));
            return null;
        });
        await(30, () -> fx(() -> lessons.lessonProperty().get() != null));
        await(30, () -> fx(() -> !window.getScene().lookup("#lesson-next").isDisabled()));
        new FxRobot().clickOn("#lesson-next");
        await(120, () -> fx(() -> lessons.stateProperty().get() == LessonViewModel.State.DONE));
        assertThat(fx(() -> lessons.missed())).satisfiesExactly(
                m -> assertThat(m).startsWith("lvs-backup is MASTER of VI_1").contains("not seen within 6.0 s"),
                m -> assertThat(m).startsWith("192.0.2.100 is held by lvs-backup").contains("not seen within 6.0 s"),
                m -> assertThat(m).startsWith("web-1 is down on lvs-master").contains("not seen within 6.0 s"),
                m -> assertThat(m).startsWith("192.0.2.100 answers through").contains("not seen within 6.0 s"),
                m -> assertThat(m).startsWith("lvs-master is MASTER of VI_1 not before")
                        .contains("sooner than expected (not before 30.0 s)"));
        assertThat(fx(() -> lessons.messageProperty().get())).isEqualTo("1 of 6 observations seen.");
    }

    /// Presses Next in the lessons pane and waits for the step's observations to settle.
    private void runStep(int k, Lesson.Step step) throws Exception {
        await(30, () -> fx(() -> !window.getScene().lookup("#lesson-next").isDisabled()));
        new FxRobot().clickOn("#lesson-next");
        await(deadline(step), () -> fx(() -> lessons.stepProperty().get() == k && (lessons.stateProperty().get()
                == LessonViewModel.State.DONE || lessons.stateProperty().get() == LessonViewModel.State.FAILED)));
        assertThat(fx(() -> lessons.stateProperty().get())).as("step %d: %s", k + 1, fx(() -> lessons
                .messageProperty().get())).isEqualTo(LessonViewModel.State.DONE);
        assertThat(fx(() -> lessons.missed())).as("step %d, %s", k + 1, step.title()).isEmpty();
    }

    /// Long enough for the lab to restart and every observation's deadline to pass.
    static int deadline(Lesson.Step step) {
        var longest = step.observations().stream().map(Observation::within).max(Duration::compareTo)
                .orElse(Duration.ZERO);
        return 90 + (int) (longest.toSeconds() * SLACK);
    }

    boolean master(String director, String instance) {
        return cluster.director(director).flatMap(d -> d.instance(instance))
                .map(i -> i.stateProperty().get() == VrrpState.MASTER).orElse(false);
    }

    void picture(String name) throws Exception {
        var docs = Boolean.getBoolean("pharos.docs.screens");
        var dir = docs ? Path.of("..", "docs", "lessons") : Path.of("target", "lesson-screens");
        Files.createDirectories(dir);
        WaitForAsyncUtils.waitForFxEvents();
        var out = fx(() -> {
            var snap = window.getScene().getRoot().snapshot(null, null);
            var image = new BufferedImage((int) snap.getWidth(), (int) snap.getHeight(), BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < image.getHeight(); y++) {
                for (int x = 0; x < image.getWidth(); x++) {
                    image.setRGB(x, y, snap.getPixelReader().getArgb(x, y));
                }
            }
            return image;
        });
        assertThat(out.getWidth()).isEqualTo(1280);
        ImageIO.write(out, "png", dir.resolve(name).toFile());
        assertThat(Files.size(dir.resolve(name))).isGreaterThan(10_000);
    }
}
