package dev.pharos.console.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.api.AgentState;
import dev.pharos.agent.api.Methods;
import dev.pharos.agent.api.Params;
import dev.pharos.console.connect.AgentClient;
import dev.pharos.console.edit.EditService;
import dev.pharos.console.lab.LabViewModel.DirectorControls;
import dev.pharos.console.lab.LabViewModel.StepState;
import dev.pharos.console.model.RealServerModel;
import dev.pharos.agent.lab.Lab;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/// The lab's view model without a window, on the seed lab: its priority and drain commands are
/// edits through the edit service (pending while in flight, undone to the agent's former value,
/// a refusal reported), and step by step is a state.
class LabViewModelTest extends SeedLab {

    static final String WEB_2 = "198.51.100.66";

    /// What the director itself reports, asked over a link of its own.
    AgentState truth(String director) throws Exception {
        try (var client = mode.session().lab().connect(director)) {
            return new AgentClient(client, Duration.ofSeconds(10)).call(Methods.STATE_GET, Params.StateGet.ALL);
        }
    }

    /// The priority the instance runs at (the agent's `basePriority` is the configured one).
    int priority(String director, String instance) throws Exception {
        return truth(director).vrrp().stream().filter(i -> i.name().equals(instance)).findFirst()
                .orElseThrow().effectivePriority();
    }

    List<Integer> weights(String director, String address) throws Exception {
        return truth(director).virtualServers().stream().flatMap(v -> v.realServers().stream())
                .filter(r -> r.address().equals(address)).map(AgentState.RealServer::weight).toList();
    }

    EditService.Outcome undo() throws Exception {
        var undone = new CompletableFuture<EditService.Outcome>();
        fx(() -> {
            edits.undo(undone::complete);
            return null;
        });
        return undone.get(30, TimeUnit.SECONDS);
    }

    DirectorControls controls(String director) {
        return lab.directors().stream().filter(d -> d.name().equals(director)).findFirst().orElseThrow();
    }

    LabViewModel.RealServer realServer(String address) {
        return lab.realServers().stream().filter(r -> r.address().equals(address)).findFirst().orElseThrow();
    }

    /// "Load a pair" replaces the lab's view model; the cluster model outlives it and must not keep
    /// it (it used to keep every replaced one, each re-watching the new directors at every change).
    @Test
    void aReplacedLabsViewModelIsLetGo() throws Exception {
        var replaced = new WeakReference<>(lab);
        lab = null;
        fx(() -> {
            mode.load(List.of("mine-a", "mine-b"), List.of(Lab.resource("lvs-master.conf"),
                    Lab.resource("lvs-backup.conf")));
            return null;
        });
        await(60, () -> fx(() -> mode.viewModelProperty().get().title().contains("mine-a")));
        await(60, () -> fx(() -> cluster.directors().size() == 2));
        for (int i = 0; i < 50 && replaced.get() != null; i++) {
            System.gc();
            Thread.sleep(100); // bounded: 50 collections at most
        }
        assertThat(replaced.get()).as("the replaced view model is collectable").isNull();
    }

    @Test
    void aPriorityChangeIsAnEditThatShowsPendingAndUndoes() throws Exception {
        var backup = controls("lvs-backup");
        await(10, () -> fx(() -> backup.priorityProperty().get()) == 98);
        assertThat(priority("lvs-backup", "VI_1")).isEqualTo(98);

        assertThat(fx(() -> {
            lab.setPriority(backup, 120);
            return backup.pendingProperty().get();
        })).as("pending while the director has not answered").isTrue();
        await(30, () -> fx(() -> !backup.pendingProperty().get()));
        assertThat(fx(() -> lab.statusProperty().get())).startsWith("applied: priority of VI_1 on lvs-backup → 120");
        assertThat(fx(() -> lab.errorProperty().get())).isFalse();
        // The agent's VRRP engine takes the new priority on its own thread, just after answering.
        await(10, () -> priority("lvs-backup", "VI_1") == 120);
        await(10, () -> fx(() -> backup.priorityProperty().get()) == 120);
        assertThat(fx(() -> edits.canUndoProperty().get())).isTrue();

        // A second change replaces 120, not the configured 98: its undo goes back to 120.
        fx(() -> {
            lab.setPriority(backup, 110);
            return null;
        });
        await(30, () -> fx(() -> lab.statusProperty().get()).startsWith("applied: priority of VI_1 on lvs-backup → 110"));
        await(10, () -> priority("lvs-backup", "VI_1") == 110);
        await(10, () -> fx(() -> backup.priorityProperty().get()) == 110);
        assertThat(undo().ok()).isTrue();
        await(10, () -> priority("lvs-backup", "VI_1") == 120);
        await(10, () -> fx(() -> backup.priorityProperty().get()) == 120);
        assertThat(undo().ok()).isTrue();
        await(10, () -> priority("lvs-backup", "VI_1") == 98);
        await(10, () -> fx(() -> backup.priorityProperty().get()) == 98);
        assertThat(fx(() -> edits.canRedoProperty().get())).isTrue();
    }

    @Test
    void aRefusedPriorityIsReportedAndNotInTheHistory() throws Exception {
        var master = controls("lvs-master");
        fx(() -> {
            lab.setPriority(master, 255);
            return null;
        });
        await(30, () -> fx(() -> lab.errorProperty().get()));
        assertThat(fx(() -> lab.statusProperty().get())).startsWith("refused: priority of VI_1 on lvs-master → 255")
                .contains("outside 1–254");
        assertThat(fx(() -> master.pendingProperty().get())).isFalse();
        assertThat(fx(() -> edits.canUndoProperty().get())).isFalse();
        assertThat(priority("lvs-master", "VI_1")).isEqualTo(100);
        assertThat(cluster.timeline()).anyMatch(e -> e.kind().equals("edit") && e.text().startsWith("refused: priority"));
    }

    @Test
    void drainIsAnEditPerVirtualServerThatShowsPendingAndUndoes() throws Exception {
        var before = weights("lvs-master", WEB_2);
        assertThat(before).hasSize(2).doesNotContain(0);
        var server = realServer(WEB_2);
        var pending = fx(() -> {
            lab.drain(server);
            return cluster.directors().stream().flatMap(d -> d.virtualServers().stream())
                    .flatMap(v -> v.realServers().stream()).filter(r -> WEB_2.equals(r.addressProperty().get()))
                    .map(RealServerModel::pendingProperty).map(p -> p.get()).toList();
        });
        assertThat(pending).as("every real server drained shows pending").hasSize(4).containsOnly(true);
        await(30, () -> weights("lvs-master", WEB_2).equals(List.of(0, 0)) && weights("lvs-backup", WEB_2).equals(List.of(0, 0)));
        await(30, () -> fx(() -> edits.inFlightProperty().get() == 0));
        assertThat(fx(() -> lab.errorProperty().get())).isFalse();

        var first = new CompletableFuture<EditService.Outcome>();
        var second = new CompletableFuture<EditService.Outcome>();
        fx(() -> {
            edits.undo(first::complete);
            edits.undo(second::complete);
            return null;
        });
        // The second is based on the revision the first produced, which the drain had passed through.
        assertThat(first.get(30, TimeUnit.SECONDS).failures()).isEmpty();
        assertThat(second.get(30, TimeUnit.SECONDS).failures()).isEmpty();
        await(30, () -> weights("lvs-master", WEB_2).equals(before) && weights("lvs-backup", WEB_2).equals(before));
        assertThat(cluster.timeline()).anyMatch(e -> e.kind().equals("scenario") && e.subject().startsWith("drain"));
    }

    @Test
    void stepByStepIsAState() throws Exception {
        assertThat(fx(() -> lab.stepStateProperty().get())).isEqualTo(StepState.OFF);
        fx(() -> {
            lab.stepping(true);
            return null;
        });
        assertThat(fx(() -> lab.stepStateProperty().get())).isEqualTo(StepState.RUNNING);
        assertThat(fx(() -> lab.stepMessageProperty().get())).startsWith("Running");
        fx(() -> {
            lab.stopDirector("lvs-master");
            return null;
        });
        await(30, () -> fx(() -> lab.stepStateProperty().get()) == StepState.PAUSED);
        assertThat(fx(() -> lab.stepMessageProperty().get())).startsWith("Paused at lvs-master");
        fx(() -> {
            lab.stepping(false);
            return null;
        });
        await(30, () -> fx(() -> lab.stepStateProperty().get()) == StepState.OFF);
        assertThat(fx(() -> lab.stepMessageProperty().get())).isEmpty();
    }

    /// The trainer pauses on VI_2 only: stopping lvs-master (MASTER of VI_1, BACKUP of VI_2) pauses
    /// at its VI_2 transition, and every transition after it is shown in turn — none passes
    /// unpaused — until the lab runs again.
    @Test
    void stepByStepPausesOnTheChosenInstancesAndShowsEachTransition() throws Exception {
        assertThat(lab.instanceNames()).containsExactly("VI_1", "VI_2");
        fx(() -> {
            lab.stepping(true);
            lab.pauseOn("VI_1", false);
            lab.stopDirector("lvs-master");
            return null;
        });
        await(30, () -> fx(() -> lab.stepStateProperty().get()) == StepState.PAUSED);
        var seen = new java.util.ArrayList<String>();
        for (int i = 0; i < 20 && fx(() -> lab.stepStateProperty().get()) == StepState.PAUSED; i++) {
            var message = fx(() -> lab.stepMessageProperty().get());
            seen.add(message);
            fx(() -> {
                lab.resume();
                return null;
            });
            await(30, () -> !fx(() -> lab.stepMessageProperty().get()).equals(message)
                    || fx(() -> lab.stepStateProperty().get()) != StepState.PAUSED);
        }
        assertThat(seen).isNotEmpty().allSatisfy(m -> assertThat(m).contains(" VI_2: ").doesNotContain(" VI_1: "));
        assertThat(seen.getFirst()).startsWith("Paused at lvs-master VI_2");
    }
}
