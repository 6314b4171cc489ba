package dev.pharos.console.edit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.console.FakeAgent;
import dev.pharos.console.connect.DirectorConnection;
import dev.pharos.console.connect.DirectorEndpoint;
import dev.pharos.console.model.ClusterModel;
import dev.pharos.console.model.Liveness;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/// The edit service on an executor of many threads (as the application's `console-work` is):
/// edits still reach a director one after the other, each on the revision the one before produced,
/// also when an edit brings the configuration back to a revision seen before.
class EditServiceTest {

    static final String VS = "tcp/192.0.2.100:80";
    static final String RS_11 = "198.51.100.11:80";
    static final String RS_12 = "198.51.100.12:80";

    FakeAgent agent;
    ClusterModel cluster;
    EditService edits;
    ExecutorService pool;
    final Map<String, DirectorConnection> connections = new ConcurrentSkipListMap<>();

    @BeforeEach
    void start() throws Exception {
        FxToolkit.registerPrimaryStage();
        agent = new FakeAgent("lvs-master", "MASTER", FakeAgent.DUAL_MASTER);
        pool = Executors.newCachedThreadPool();
        cluster = fx(() -> ClusterModel.onFxThread("seed"));
        edits = EditService.onFxThread(cluster, connections, pool);
        var listener = fx(() -> cluster.listenerFor("lvs-master"));
        connections.put("lvs-master", new DirectorConnection(new DirectorEndpoint("lvs-master", "in-memory", 0, null,
                null, null, null), agent::connect, listener, Duration.ofMillis(300), Duration.ofSeconds(10)).start());
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> fx(() -> cluster.director("lvs-master")
                .map(d -> d.livenessProperty().get() == Liveness.LIVE && !d.virtualServers().isEmpty()).orElse(false)));
    }

    @AfterEach
    void stop() {
        connections.values().forEach(DirectorConnection::close);
        edits.close();
        pool.shutdownNow();
    }

    static <T> T fx(Callable<T> call) throws Exception {
        return WaitForAsyncUtils.asyncFx(call).get(30, TimeUnit.SECONDS);
    }

    /// Four edits in one gesture, all read at the same revision: drain .11 (revision A), drain .12
    /// (B), give .12 back (A again) and give .11 back (the first revision). The last must be sent
    /// on A: a chain of revisions that led from A on to B sent it on B, which the agent refused.
    @Test
    void editsInOneGestureFollowEachOtherAlsoBackToASeenRevision() throws Exception {
        var outcomes = new CopyOnWriteArrayList<EditService.Outcome>();
        fx(() -> {
            edits.submit(new Edit.SetWeight(VS, RS_11, 0, 1), outcomes::add);
            edits.submit(new Edit.SetWeight(VS, RS_12, 0, 1), outcomes::add);
            edits.submit(new Edit.SetWeight(VS, RS_12, 1, 0), outcomes::add);
            edits.submit(new Edit.SetWeight(VS, RS_11, 1, 0), outcomes::add);
            return null;
        });
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> outcomes.size() == 4);
        assertThat(outcomes).allSatisfy(o -> assertThat(o.failures()).isEmpty());
        assertThat(outcomes).extracting(EditService.Outcome::edit).extracting(Edit::describe).containsExactly(
                "drain " + RS_11 + " in " + VS, "drain " + RS_12 + " in " + VS, "weight 1 for " + RS_12 + " in " + VS,
                "weight 1 for " + RS_11 + " in " + VS);
        assertThat(agent.edits()).extracting(c -> c.params().path("realServer").asText() + " "
                + c.params().path("weight").asInt()).containsExactly(RS_11 + " 0", RS_12 + " 0", RS_12 + " 1", RS_11 + " 1");
    }

    /// A priority goes to its one director, says what it does, and its inverse gives back the
    /// priority it replaced.
    @Test
    void aPriorityEditTargetsOneDirectorAndInvertsToTheOldPriority() {
        var edit = new Edit.SetPriority("lvs-backup", "VI_1", 120, 98);
        assertThat(edit.describe()).isEqualTo("priority of VI_1 on lvs-backup → 120");
        assertThat(edit.inverse()).isEqualTo(new Edit.SetPriority("lvs-backup", "VI_1", 98, 120));
        assertThat(edit.call("any revision").params()).hasToString("SetPriority[instance=VI_1, priority=120]");
    }

    /// A priority for a director the console is not connected to is refused at once and reported
    /// on the timeline; it does not enter the undo history.
    @Test
    void aPriorityForAnUnknownDirectorIsRefused() throws Exception {
        var outcomes = new CopyOnWriteArrayList<EditService.Outcome>();
        fx(() -> {
            edits.submit(new Edit.SetPriority("lvs-backup", "VI_1", 120, 98), outcomes::add);
            return null;
        });
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> outcomes.size() == 1);
        assertThat(outcomes.getFirst().ok()).isFalse();
        assertThat(outcomes.getFirst().failures()).containsEntry("cluster", "no connected director has VI_1 on lvs-backup");
        assertThat(fx(() -> edits.canUndoProperty().get())).isFalse();
        assertThat(fx(() -> List.copyOf(cluster.timeline()))).anyMatch(e -> e.kind().equals("edit")
                && e.text().startsWith("refused: priority of VI_1 on lvs-backup"));
    }
}
