package dev.pharos.console.lab;

import dev.pharos.console.ConsoleWork;
import dev.pharos.console.connect.DirectorConnection;
import dev.pharos.console.edit.EditService;
import dev.pharos.console.model.ClusterModel;
import dev.pharos.console.model.Liveness;
import dev.pharos.console.model.VrrpState;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/// The seed lab with its view model and no window, for tests of what the lab does: both directors
/// live, each MASTER of its own instance (the start-up takeovers are over) and reporting their
/// virtual servers before a test starts, everything stopped after.
abstract class SeedLab {

    ConsoleWork work;
    ClusterModel cluster;
    EditService edits;
    LabMode mode;
    LabViewModel lab;
    final Map<String, DirectorConnection> connections = new ConcurrentSkipListMap<>();

    @BeforeEach
    void startTheLab() throws Exception {
        FxToolkit.registerPrimaryStage();
        work = new ConsoleWork();
        cluster = fx(() -> ClusterModel.onFxThread("training lab"));
        edits = EditService.onFxThread(cluster, connections, work);
        mode = fx(() -> LabMode.start(cluster, connections, edits, work));
        await(60, () -> fx(() -> mode.stateProperty().get()) == LabMode.State.RUNNING);
        lab = fx(() -> mode.viewModelProperty().get());
        await(60, () -> fx(() -> cluster.directors().size() == 2 && cluster.directors().stream().allMatch(d ->
                d.livenessProperty().get() == Liveness.LIVE && d.instance("VI_1").isPresent()
                        && !d.virtualServers().isEmpty())));
        await(60, () -> fx(() -> master("lvs-master", "VI_1") && master("lvs-backup", "VI_2")));
    }

    @AfterEach
    void stopTheLab() {
        mode.close();
        edits.close();
        work.shutdown();
    }

    boolean master(String director, String instance) {
        return cluster.director(director).flatMap(d -> d.instance(instance))
                .map(i -> i.stateProperty().get() == VrrpState.MASTER).orElse(false);
    }

    static <T> T fx(Callable<T> call) throws Exception {
        return WaitForAsyncUtils.asyncFx(call).get(30, TimeUnit.SECONDS);
    }

    static void await(int seconds, Callable<Boolean> condition) throws Exception {
        WaitForAsyncUtils.waitFor(seconds, TimeUnit.SECONDS, condition);
    }
}
