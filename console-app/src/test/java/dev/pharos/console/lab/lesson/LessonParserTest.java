package dev.pharos.console.lab.lesson;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/// The lesson format: what a trainer writes reads as meant, and a mistake is reported at its
/// `file:line:col`. Every shipped lesson reads and the index lists every one.
class LessonParserTest {

    static final Path LESSONS = Path.of("src", "main", "resources", "dev", "pharos", "console", "lab", "lessons");

    @Test
    void aLessonReadsAsWritten() throws Exception {
        var lesson = LessonParser.parse("x.lesson", """
                # a comment
                lesson: Crash
                about: What a crash does,
                  and why it takes longer.
                lab: quorum/lvs-master.conf quorum/lvs-backup.conf

                step: Kill it
                say: No goodbye:
                  the backup waits.
                do: kill lvs-master
                do: priority lvs-backup VI_1 120
                do: cut the link
                expect: lvs-backup becomes MASTER of VI_1 not before 2.5 s within 8 s
                expect: 192.0.2.100 answers through lvs-backup from web-2
                expect: 192.0.2.100 answers again after at most 6 s
                expect: 192.0.2.100 is held by lvs-master and lvs-backup
                expect: quorum of 192.0.2.100 is lost on lvs-master
                expect: web-1 has weight 0 on lvs-backup
                expect: 192.0.2.100 stays on web-2 for 10 s within 20 s
                expect: VI_1 is not marked SPLIT BRAIN
                picture: yes
                """);
        assertThat(lesson.title()).isEqualTo("Crash");
        assertThat(lesson.about()).isEqualTo("What a crash does, and why it takes longer.");
        assertThat(lesson.lab()).containsExactly("quorum/lvs-master.conf", "quorum/lvs-backup.conf");
        var step = lesson.steps().getFirst();
        assertThat(step.narration()).isEqualTo("No goodbye: the backup waits.");
        assertThat(step.actions()).containsExactly(
                new Action.Director("kill lvs-master", Action.Director.Verb.KILL, "lvs-master"),
                new Action.Priority("priority lvs-backup VI_1 120", "lvs-backup", "VI_1", 120),
                new Action.Link("cut the link", true));
        var first = step.observations().getFirst();
        assertThat(first.condition()).isEqualTo(new Observation.State("lvs-backup", "VI_1", "MASTER"));
        assertThat(first.within()).isEqualTo(Duration.ofSeconds(8));
        assertThat(first.notBefore()).isEqualTo(Duration.ofMillis(2500));
        assertThat(step.observations().stream().map(Observation::condition).toList()).containsSubsequence(List.of(
                new Observation.Answers("192.0.2.100", "lvs-backup", "web-2"),
                new Observation.AnswersAgain("192.0.2.100", Duration.ofSeconds(6)),
                new Observation.HeldBy("192.0.2.100", Set.of("lvs-master", "lvs-backup")),
                new Observation.Quorum("192.0.2.100", "lvs-master", false),
                new Observation.Weight("web-1", "lvs-backup", 0),
                new Observation.StaysOn("192.0.2.100", "web-2"),
                new Observation.SplitBrain("VI_1", false)));
        assertThat(step.observations().get(step.observations().size() - 2).lasting())
                .isEqualTo(Duration.ofSeconds(10));
        assertThat(step.observations().get(1).within()).as("the default deadline").isEqualTo(Duration.ofSeconds(20));
        assertThat(lesson.keyStep()).isZero();
    }

    @Test
    void mistakesAreReportedAtTheirLineAndColumn() {
        var head = "lesson: L\nstep: S\nsay: s\n";
        assertThatThrownBy(() -> LessonParser.parse("a.lesson", head + "do: reboot lvs-master\nexpect: x answers\n"))
                .hasMessageStartingWith("a.lesson:4:5: unknown action 'reboot'");
        assertThatThrownBy(() -> LessonParser.parse("a.lesson", head + "expect: lvs-backup is MASTR of VI_1\n"))
                .hasMessageStartingWith("a.lesson:4:23: a VRRP state is");
        assertThatThrownBy(() -> LessonParser.parse("a.lesson", head + "expect: 192.0.2.100 answers within ten s\n"))
                .hasMessageStartingWith("a.lesson:4:36: 'ten' is not a number of seconds");
        assertThatThrownBy(() -> LessonParser.parse("a.lesson", head + "expect: 192.0.2.100 replies\n"))
                .hasMessageStartingWith("a.lesson:4:9: cannot read this observation");
        assertThatThrownBy(() -> LessonParser.parse("a.lesson", head + "expect:   web-1 has weight x on d\n"))
                .hasMessageStartingWith("a.lesson:4:28: 'x' is not a whole number");
        assertThatThrownBy(() -> LessonParser.parse("a.lesson", head + "do: stop\nexpect: x answers\n"))
                .hasMessageStartingWith("a.lesson:4:9: write 'stop D");
        assertThatThrownBy(() -> LessonParser.parse("a.lesson", "lesson: L\nsay: s\n"))
                .hasMessageStartingWith("a.lesson:2:1: say: belongs to a step");
        assertThatThrownBy(() -> LessonParser.parse("a.lesson", "lesson: L\n  more\n"))
                .as("a continuation of a line that does not continue")
                .hasMessageStartingWith("a.lesson:2:3: an indented line continues");
        assertThatThrownBy(() -> LessonParser.parse("a.lesson", "lesson: L\nstep: S\nsay: s\n\n"))
                .hasMessageStartingWith("a.lesson:2:1: step 'S' has no expect:");
        assertThatThrownBy(() -> LessonParser.parse("a.lesson", "lesson: L\nlab: mine.txt\n"))
                .hasMessageStartingWith("a.lesson:2:6: lab: names 'seed'");
    }

    @Test
    void theIndexListsEveryShippedLessonAndEachReads() throws Exception {
        try (var files = Files.list(LESSONS)) {
            var shipped = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".lesson")).sorted().toList();
            assertThat(LessonCatalog.files()).containsExactlyInAnyOrderElementsOf(shipped);
        }
        var all = LessonCatalog.all();
        assertThat(all).hasSizeGreaterThanOrEqualTo(8);
        for (var lesson : all) {
            assertThat(LessonCatalog.lab(lesson)).as(lesson.file()).hasSizeGreaterThanOrEqualTo(2);
        }
    }
}
