package dev.pharos.console.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.console.model.Liveness;
import java.util.List;
import org.junit.jupiter.api.Test;

/// Each explanation against the scenario that produces it, on the seed lab (lvs-master: VI_1
/// `state MASTER` priority 100; lvs-backup: VI_1 priority 98): a graceful stop is Skew_Time after a
/// priority 0 advert, the restart preempts (it ignores the lower priority adverts), a crash and a
/// cut link are Master_Down_Interval, a heal and a raised priority preempt.
class ExplanationScenariosTest extends SeedLab {

    @Test
    void stopRestartAndCrashAreEachExplainedByWhatCausedThem() throws Exception {
        fx(() -> {
            since = lab.explanations().size();
            lab.stopDirector("lvs-master");
            return null;
        });
        var handover = awaitExplanation("lvs-backup (VI_1", "became MASTER");
        assertThat(handover).contains("priority 0").contains("Skew_Time = (256 − 98)/256 × 1.00 s = 0.62 s")
                .doesNotContain("heard no advert");
        assertThat(awaitExplanation("lvs-master (VI_1", "stopped")).contains("priority 0");

        fx(() -> {
            since = lab.explanations().size();
            lab.startDirector("lvs-master");
            return null;
        });
        var preempted = awaitExplanation("lvs-master (VI_1", "became MASTER");
        assertThat(preempted).contains("preemption").contains("lvs-backup was MASTER with priority 98")
                .doesNotContain("heard no advert").doesNotContain("priority 0");
        assertThat(awaitExplanation("lvs-backup (VI_1", "went back to BACKUP")).contains("higher priority");

        await(60, () -> fx(() -> cluster.director("lvs-master").orElseThrow().livenessProperty().get() == Liveness.LIVE));
        fx(() -> {
            since = lab.explanations().size();
            lab.killDirector("lvs-master");
            return null;
        });
        var crash = awaitExplanation("lvs-backup (VI_1", "became MASTER");
        assertThat(crash).contains("heard no advert for Master_Down_Interval = 3 × 1.00 s + Skew_Time 0.62 s = 3.62 s")
                .doesNotContain("priority 0").doesNotContain("preemption");
    }

    /// A cut link is Master_Down_Interval too (the text says "cut off from it"), healing it sends
    /// the lower priority back to BACKUP; a backup whose priority is raised above the master's
    /// preempts, and the master steps back on hearing it.
    @Test
    void aCutLinkAHealAndARaisedPriorityAreEachExplainedByWhatCausedThem() throws Exception {
        fx(() -> {
            since = lab.explanations().size();
            lab.partition();
            return null;
        });
        var cut = awaitExplanation("lvs-backup (VI_1", "became MASTER");
        assertThat(cut).contains("heard no advert for Master_Down_Interval").contains("cut off from it")
                .doesNotContain("priority 0").doesNotContain("preemption");

        fx(() -> {
            since = lab.explanations().size();
            lab.heal();
            return null;
        });
        assertThat(awaitExplanation("lvs-backup (VI_1", "went back to BACKUP")).contains("higher priority")
                .contains("preemption");

        fx(() -> {
            since = lab.explanations().size();
            var backup = lab.directors().stream().filter(d -> d.name().equals("lvs-backup")).findFirst().orElseThrow();
            backup.select("VI_1");
            lab.setPriority(backup, 110);
            return null;
        });
        var raised = awaitExplanation("lvs-backup (VI_1", "became MASTER");
        assertThat(raised).contains("preemption").contains("lvs-master was MASTER with priority 100")
                .contains("lower than its 110").doesNotContain("heard no advert");
        assertThat(awaitExplanation("lvs-master (VI_1", "went back to BACKUP")).contains("higher priority");
    }

    /// The directors' first takeovers, as the lab starts, are explained as starts: the console
    /// connects after the directors started, so it learns their starts from their state, and a
    /// start is not a crash.
    @Test
    void theFirstTakeoversAreExplainedAsStartsNotAsCrashes() throws Exception {
        var first = awaitExplanation("lvs-backup (VI_2", "became MASTER");
        assertThat(first).contains("after it started").doesNotContain("crashed");
    }

    /// How many explanations there were before the scenario's action (the list is newest first).
    int since;

    /// The newest explanation about `who` that says `what`, among those since the last action.
    String explanation(String who, String what) {
        List<String> all = lab.explanations();
        return all.subList(0, Math.max(0, all.size() - since)).stream()
                .filter(e -> e.contains(who) && e.contains(what)).findFirst().orElse(null);
    }

    String awaitExplanation(String who, String what) throws Exception {
        await(60, () -> fx(() -> explanation(who, what)) != null);
        return fx(() -> explanation(who, what));
    }
}
