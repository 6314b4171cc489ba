package dev.pharos.console.configedit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.api.AgentEvent;
import dev.pharos.agent.api.AgentState;
import dev.pharos.agent.api.Methods;
import dev.pharos.agent.api.Params;
import dev.pharos.console.FakeAgent;
import dev.pharos.console.configedit.ConfigEditorViewModel.Severity;
import dev.pharos.console.configedit.ConfigEditorViewModel.Status;
import dev.pharos.console.connect.DirectorConnection;
import dev.pharos.console.connect.DirectorEndpoint;
import dev.pharos.console.connect.LinkState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.util.WaitForAsyncUtils;

/// The configuration editor's view model without a scene: file work and agent calls are handed to
/// the executor (never done on the calling thread), a refused or invalid text is an error status,
/// and the status's error flag follows each message.
class ConfigEditorViewModelTest {

    /// The view model's executor: holds the tasks until the test runs them, on a thread of its own.
    final ConcurrentLinkedQueue<Runnable> handedOver = new ConcurrentLinkedQueue<>();
    final List<DirectorConnection> opened = new ArrayList<>();

    @TempDir
    Path dir;

    @BeforeAll
    static void toolkit() {
        try {
            Platform.startup(() -> { });
        } catch (IllegalStateException alreadyStarted) {
            // another test of this JVM started it
        }
    }

    @AfterEach
    void close() {
        opened.forEach(DirectorConnection::close);
    }

    static <T> T fx(Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(10, TimeUnit.SECONDS);
    }

    static void onFx(Runnable r) throws Exception {
        fx(() -> {
            r.run();
            return null;
        });
    }

    /// Runs what was handed to the executor on a thread that is not the FX thread, then lets the
    /// results reach the FX thread.
    void runHandedOver() throws Exception {
        var tasks = List.copyOf(handedOver);
        handedOver.clear();
        var worker = Thread.ofPlatform().name("test-work").start(() -> tasks.forEach(Runnable::run));
        worker.join(10_000);
        WaitForAsyncUtils.waitForFxEvents();
    }

    @Test
    void importAndExportRunOnTheExecutorNotOnTheCallingThread() throws Exception {
        var model = fx(() -> new ConfigEditorViewModel(Map.of(), handedOver::add));
        var in = Files.writeString(dir.resolve("in.conf"), "global_defs {\n}\n", StandardCharsets.UTF_8);

        onFx(() -> model.importFrom(in.toString()));
        assertThat(handedOver).as("the file is read by a task on the executor").hasSize(1);
        assertThat(fx(() -> model.textProperty().get())).as("nothing read on the calling thread").isEmpty();
        assertThat(fx(() -> model.busyProperty().get())).isTrue();
        runHandedOver();
        assertThat(fx(() -> model.textProperty().get())).isEqualTo("global_defs {\n}\n");
        assertThat(fx(() -> model.statusProperty().get())).isEqualTo(new Status("imported " + in + " (not applied yet)", false));
        assertThat(fx(() -> model.dirtyProperty().get())).as("imported, not applied").isTrue();
        assertThat(fx(() -> model.busyProperty().get())).isFalse();

        var out = dir.resolve("out.conf");
        onFx(() -> model.exportTo(out.toString()));
        assertThat(handedOver).hasSize(1);
        assertThat(out).as("nothing written on the calling thread").doesNotExist();
        runHandedOver();
        assertThat(out).hasContent("global_defs {\n}\n");
        assertThat(fx(() -> model.statusProperty().get())).isEqualTo(new Status("exported to " + out, false));

        onFx(() -> model.importFrom(dir.resolve("missing.conf").toString()));
        runHandedOver();
        var failed = fx(() -> model.statusProperty().get());
        assertThat(failed.message()).startsWith("cannot read " + dir.resolve("missing.conf"));
        assertThat(failed.error()).isTrue();
        assertThat(fx(() -> model.textProperty().get())).as("a failed import keeps the text").isEqualTo("global_defs {\n}\n");
    }

    @Test
    void anInvalidTextIsAnErrorAndAnAppliedOneClearsIt() throws Exception {
        var agent = new FakeAgent("lvs-master", "MASTER", FakeAgent.DUAL_MASTER);
        var connection = connect(agent);
        var model = fx(() -> new ConfigEditorViewModel(Map.of("lvs-master", connection), handedOver::add));
        var statuses = new ArrayList<Status>();
        onFx(() -> model.statusProperty().addListener((o, was, now) -> statuses.add(now)));

        onFx(() -> model.apply());
        assertThat(handedOver).as("nothing to apply: nothing sent").isEmpty();
        assertThat(fx(() -> model.statusProperty().get())).isEqualTo(new Status("load a director's configuration first", true));

        onFx(() -> model.select("lvs-master"));
        runHandedOver();
        var original = fx(() -> model.textProperty().get());
        assertThat(original).contains("vrrp_instance VI_1");
        assertThat(fx(() -> model.dirtyProperty().get())).isFalse();

        onFx(() -> {
            model.edit(original.replace("priority 100", "priority 400"));
            model.validate();
        });
        runHandedOver();
        var d = fx(() -> model.diagnostics().getFirst());
        assertThat(d.severity()).isEqualTo(Severity.ERROR);
        assertThat(d.text()).contains("lvs-master.conf:").contains("priority");
        assertThat(d.line()).isPositive();
        assertThat(fx(() -> model.statusProperty().get())).isEqualTo(new Status("1 error(s)", true));
        assertThat(fx(() -> model.dirtyProperty().get())).isTrue();

        onFx(() -> model.apply());
        runHandedOver();
        var refused = fx(() -> model.statusProperty().get());
        assertThat(refused.message()).startsWith("refused: ");
        assertThat(refused.error()).isTrue();

        onFx(() -> {
            model.edit(original.replace("lb_algo wrr", "lb_algo rr"));
            model.apply();
        });
        runHandedOver();
        var applied = fx(() -> model.statusProperty().get());
        assertThat(applied.message()).startsWith("applied, revision ").contains("changed settings of virtual server");
        assertThat(applied.error()).as("a success after a refusal is not an error").isFalse();
        assertThat(fx(() -> model.dirtyProperty().get())).isFalse();

        // Every message of the session, each with the flag it calls for.
        assertThat(statuses).extracting(Status::error).containsExactly(true, false, false, true, false, true, false, false);
        assertThat(statuses).extracting(Status::message).element(1).isEqualTo("loading…");
        assertThat(statuses).extracting(Status::message).element(6).isEqualTo("applying…");
    }

    /// A connection to `agent` that is up, reporting to nobody.
    DirectorConnection connect(FakeAgent agent) throws Exception {
        var connection = new DirectorConnection(new DirectorEndpoint("lvs-master", "in-memory", 0, null, null, null, null),
                agent::connect, new DirectorConnection.Listener() {
                    @Override
                    public void linkState(LinkState state) {
                    }

                    @Override
                    public void agentState(AgentState state) {
                    }

                    @Override
                    public void event(AgentEvent event) {
                    }
                }, Duration.ofMillis(300), Duration.ofSeconds(5)).start();
        opened.add(connection);
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> {
            try {
                connection.call(Methods.HELLO, Params.None.NONE);
                return true;
            } catch (Exception e) {
                return false;
            }
        });
        return connection;
    }
}
