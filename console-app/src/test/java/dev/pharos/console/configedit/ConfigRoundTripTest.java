package dev.pharos.console.configedit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.api.Methods;
import dev.pharos.agent.api.Params;
import dev.pharos.agent.api.RpcException;
import dev.pharos.agent.lab.Lab;
import dev.pharos.console.ConsoleWork;
import dev.pharos.console.connect.AgentClient;
import dev.pharos.console.connect.AgentLink;
import dev.pharos.console.connect.Connector;
import dev.pharos.console.connect.DirectorConnection;
import dev.pharos.console.connect.DirectorEndpoint;
import dev.pharos.console.model.ClusterModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/// The editor against a real agent (the lab's lvs-master, whose file opens with `!` comments and
/// has blank lines between blocks): what it loads is the file as written, and an Apply writes
/// back the same bytes but for the operator's change.
@ExtendWith(ApplicationExtension.class)
class ConfigRoundTripTest {

    static final long WAIT = 30;

    final Map<String, DirectorConnection> connections = new LinkedHashMap<>();
    final ConsoleWork work = new ConsoleWork();
    Lab lab;
    ConfigEditorViewModel model;
    ConfigEditorView editor;

    @Start
    void start(Stage stage) throws Exception {
        lab = Lab.seed();
        var cluster = ClusterModel.onFxThread("lab");
        Connector connector = (endpoint, timeout) -> {
            var client = lab.connect(endpoint.name());
            try {
                return new AgentLink(endpoint, client, new AgentClient(client, timeout).call(Methods.HELLO,
                        Params.None.NONE));
            } catch (RpcException e) {
                client.close();
                throw new IOException(e.getMessage(), e);
            }
        };
        connections.put("lvs-master", new DirectorConnection(new DirectorEndpoint("lvs-master", "lab", 0, null, null,
                null, "in-process"), connector, cluster.listenerFor("lvs-master"), Duration.ofSeconds(2),
                Duration.ofSeconds(20)).start());
        model = new ConfigEditorViewModel(connections, work);
        editor = new ConfigEditorView(model);
        stage.setScene(new Scene(editor, 1024, 700));
        stage.show();
    }

    @AfterEach
    void stop() {
        connections.values().forEach(DirectorConnection::close);
        work.shutdown();
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void anApplyWritesTheFileAsItWasButForTheChange(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> {
            try {
                connections.get("lvs-master").call(Methods.HELLO, Params.None.NONE);
                return true;
            } catch (Exception e) {
                return false;
            }
        });
        robot.interact(() -> model.select("lvs-master"));
        WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> editor.status().getText().contains(" at revision "));
        var file = Path.of(connections.get("lvs-master").call(Methods.CONFIG_GET, Params.None.NONE).path());
        var before = Files.readString(file);
        assertThat(before).startsWith("! lvs-master: the seed's dual-master LVS-DR pair").contains("}\n\nvirtual_server");
        assertThat(editor.text().getText()).as("the editor shows the file as written").isEqualTo(before);

        // One line changed, with a comment of the operator's own at its end.
        int at = before.indexOf("    lb_algo wrr\n");
        var edited = before.substring(0, at) + "    lb_algo rr   # round robin for the class\n"
                + before.substring(at + "    lb_algo wrr\n".length());
        robot.interact(() -> editor.text().setText(edited));
        robot.clickOn("#config-apply");
        WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> editor.status().getText().startsWith("applied"));
        assertThat(editor.status().getText()).contains("changed settings of virtual server tcp/192.0.2.100:80");

        assertThat(Files.readString(file)).as("byte for byte but for the change").isEqualTo(edited);
        assertThat(model.dirtyProperty().get()).isFalse();
        // Loaded again, it is the same text: nothing to apply, nothing rewritten.
        robot.clickOn("#config-reload");
        WaitForAsyncUtils.waitFor(WAIT, TimeUnit.SECONDS, () -> editor.status().getText().contains(" at revision "));
        assertThat(editor.text().getText()).isEqualTo(edited);
        assertThat(model.dirtyProperty().get()).isFalse();
    }
}
