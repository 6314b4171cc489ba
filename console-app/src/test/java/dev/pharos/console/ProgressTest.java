package dev.pharos.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.console.configedit.ConfigEditorViewModel;
import dev.pharos.console.connect.DirectorConnection;
import dev.pharos.console.connect.DirectorEndpoint;
import dev.pharos.console.edit.Edit;
import dev.pharos.console.edit.EditService;
import dev.pharos.console.model.ClusterModel;
import dev.pharos.console.model.Liveness;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/// An edit the agent takes long to answer shows progress after 200 ms, and the progress goes
/// when the answer comes; the FX thread is never the one waiting.
@ExtendWith(ApplicationExtension.class)
class ProgressTest {

    FakeAgent agent;
    ClusterModel cluster;
    EditService edits;
    ConsoleWindow window;
    final Map<String, DirectorConnection> connections = new LinkedHashMap<>();

    @Start
    void start(Stage stage) throws Exception {
        agent = new FakeAgent("lvs-master", "MASTER", FakeAgent.DUAL_MASTER);
        cluster = ClusterModel.onFxThread("seed");
        edits = EditService.onFxThread(cluster, connections);
        connections.put("lvs-master", new DirectorConnection(new DirectorEndpoint("lvs-master", "in-memory", 0, null,
                null, null, null), agent::connect, cluster.listenerFor("lvs-master"), Duration.ofMillis(300),
                Duration.ofSeconds(10)).start());
        window = new ConsoleWindow(cluster, edits,
                new ConfigEditorViewModel(connections, task -> Thread.ofVirtual().start(task)));
        stage.setScene(new Scene(window, 1024, 700));
        stage.show();
    }

    @AfterEach
    void stop() {
        connections.values().forEach(DirectorConnection::close);
        edits.close();
    }

    @Test
    void aSlowEditShowsProgress(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> cluster.director("lvs-master")
                .map(d -> d.livenessProperty().get() == Liveness.LIVE && !d.virtualServers().isEmpty()).orElse(false));
        var release = new java.util.concurrent.CountDownLatch(1);
        agent.refuseWhen((method, params) -> {
            try {
                release.await(20, TimeUnit.SECONDS); // the agent is slow to answer
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return false;
        });
        var outcome = new AtomicReference<EditService.Outcome>();
        robot.interact(() -> edits.submit(new Edit.SetWeight("tcp/192.0.2.100:80", "198.51.100.11:80", 0, 1), outcome::set));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#busy").query().isVisible());
        release.countDown();
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> outcome.get() != null);
        assertThat(outcome.get().ok()).isTrue();
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !robot.lookup("#busy").query().isVisible());
    }
}
