package dev.pharos.console.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.console.lab.LabSpeedViewModel.Speed;
import dev.pharos.console.lab.LabViewModel.StepState;
import dev.pharos.console.model.TimelineEntry;
import dev.pharos.console.timeline.TimelineViewModel;
import dev.pharos.testing.Netns;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/// The lab's time as the console shows it: an outage measured across a step-by-step pause leaves
/// the pause out, the timeline has one clock (the lab's) and keeps the order things happened in,
/// and the speed is a command of the lab's view model.
class LabTimeTest extends SeedLab {

    static final Pattern AGAIN = Pattern.compile("answered again after (\\d+\\.\\d+) s");

    Optional<TimelineEntry> answeredAgain(String vip) throws Exception {
        return fx(() -> cluster.timeline().stream().filter(e -> e.kind().equals("traffic")
                && e.subject().equals("VIP " + vip) && AGAIN.matcher(e.text()).find()).findFirst());
    }

    /// A copy of the timeline, from any thread.
    List<TimelineEntry> timeline() {
        try {
            return fx(() -> List.copyOf(cluster.timeline()));
        } catch (Exception e) {
            throw new IllegalStateException("the FX thread did not answer", e);
        }
    }

    /// lvs-master crashes, so VIP1 stops answering at once; the lab pauses at lvs-backup's
    /// takeover, Master_Down_Interval later, and stays paused for seconds. The clients stand still
    /// with the lab, so no answer comes during the pause: the outage spans it. Measured on the
    /// lab's clock, it is the takeover's time, not that plus the pause.
    @Test
    void anOutageAcrossAPauseLeavesThePauseOut() throws Exception {
        fx(() -> {
            lab.rate(20);
            lab.pauseOn("VI_2", false);
            lab.stepping(true);
            return null;
        });
        // the clients have answered, so the outage to come is an "answered again"
        await(30, () -> fx(() -> lab.vips().getFirst().stateProperty().get()) == LabViewModel.TrafficState.ANSWERING);
        fx(() -> {
            lab.killDirector("lvs-master");
            return null;
        });
        await(30, () -> fx(() -> lab.stepStateProperty().get()) == StepState.PAUSED);
        var pause = mode.session().lab().stepGate().paused();
        assertThat(pause.director()).isEqualTo("lvs-backup");
        assertThat(pause.change().instance()).isEqualTo("VI_1");
        assertThat(pause.change().reason()).isEqualTo("master down timer expired");

        var pausedFor = Duration.ofSeconds(4);
        assertThat(Netns.await(pausedFor, () -> timeline().stream().anyMatch(e -> e.kind().equals("traffic")
                && e.subject().equals("VIP 192.0.2.100:80") && AGAIN.matcher(e.text()).find())))
                .as("VIP1 answered during the pause: the outage would not span it").isFalse();
        fx(() -> {
            lab.stepping(false);
            return null;
        });
        await(30, () -> answeredAgain("192.0.2.100:80").isPresent());
        var text = answeredAgain("192.0.2.100:80").orElseThrow().text();
        var matcher = AGAIN.matcher(text);
        assertThat(matcher.find()).isTrue();
        double seconds = Double.parseDouble(matcher.group(1));
        // The crash to the takeover: Master_Down_Interval (3.62 s) less the time since the last
        // advert, plus a client's period. With the pause it would be over 6.5 s.
        assertThat(seconds).as(text).isBetween(2.0, 4.2);
        assertThat(text).contains("now through lvs-backup");
    }

    /// In slow motion the lab's clock falls behind the wall clock: every entry of the timeline —
    /// the directors', and the console's own (scenarios, edits, connections, traffic) — is on the
    /// lab's clock, none ahead of it, and the rows are in the order things happened.
    @Test
    void theTimelineHasOneClockAndKeepsOrder() throws Exception {
        var rows = fx(() -> new TimelineViewModel(cluster.timeline()));
        fx(() -> {
            lab.speed().speed(Speed.QUARTER);
            return null;
        });
        assertThat(fx(() -> lab.speed().descriptionProperty().get())).contains("4 s");
        var labs = mode.session().lab();
        // Let the lab's clock fall 3 s behind: an entry stamped on the wall clock from here on is
        // ahead of the lab's time at the end.
        await(30, () -> Duration.between(labs.now(), Instant.now()).compareTo(Duration.ofSeconds(3)) > 0);
        var backup = lab.directors().stream().filter(d -> d.name().equals("lvs-backup")).findFirst().orElseThrow();
        var before = labs.now();
        fx(() -> {
            lab.stopDirector("lvs-master");
            lab.setPriority(backup, 120);
            return null;
        });
        var after = labs.now();
        // Through a takeover at a quarter speed, its traffic entry and the edit.
        await(60, () -> fx(() -> cluster.timeline().stream().anyMatch(e -> e.kind().equals("vrrp")
                && e.director().equals("lvs-backup") && e.text().contains("MASTER") && e.subject().equals("VI_1"))));
        await(60, () -> fx(() -> cluster.timeline().stream().anyMatch(e -> e.kind().equals("edit"))));
        await(60, () -> answeredAgain("192.0.2.100:80").isPresent());
        var labNow = labs.now();
        List<TimelineEntry> entries = fx(() -> {
            rows.appendIncoming();
            return List.copyOf(rows.rows());
        });
        assertThat(entries).extracting(TimelineEntry::kind).contains("scenario", "edit", "connection", "traffic", "vrrp");
        assertThat(entries).allSatisfy(e -> assertThat(e.at()).as("%s %s %s: on the lab's clock", e.kind(),
                e.subject(), e.text()).isBeforeOrEqualTo(labNow));
        for (int i = 1; i < entries.size(); i++) {
            assertThat(entries.get(i).at()).as("row %d in order", i).isAfterOrEqualTo(entries.get(i - 1).at());
        }
        assertThat(entries).filteredOn(e -> e.kind().equals("scenario") && e.subject().startsWith("stop lvs-master"))
                .singleElement().extracting(TimelineEntry::at).satisfies(at -> assertThat(at).isBetween(before, after));
        fx(() -> {
            lab.speed().speed(Speed.NORMAL);
            return null;
        });
        assertThat(fx(() -> lab.speed().speedProperty().get())).isEqualTo(Speed.NORMAL);
        assertThat(mode.session().lab().stepGate().speed()).isEqualTo(1.0);
        assertThat(Speed.QUARTER.label()).isEqualTo("0.25×");
    }
}
