package dev.pharos.console.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.api.AgentEvent;
import dev.pharos.agent.api.AgentState;
import dev.pharos.agent.api.Hello;
import dev.pharos.console.ConsoleWindow;
import dev.pharos.console.connect.LinkState;
import dev.pharos.console.edit.EditService;
import dev.pharos.console.model.ClusterModel;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.text.Text;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/// Any console, not only the lab's: a director's card names each VRRP group's VIPs under the
/// director's role in it, and follows a transition; a proxied virtual server says what proxied
/// means; an empty topology says what it waits for.
@ExtendWith(ApplicationExtension.class)
class DirectorCardTest {

    private static final Instant T = Instant.parse("2026-12-07T10:00:00Z");

    ClusterModel cluster;
    ConsoleWindow window;

    @Start
    void start(Stage stage) {
        cluster = ClusterModel.onFxThread("seed");
        window = new ConsoleWindow(cluster, EditService.onFxThread(cluster, Map.of()));
        var scene = new Scene(window, 1024, 700);
        scene.getStylesheets().addAll(ConsoleWindow.stylesheets());
        stage.setScene(scene);
        stage.show();
    }

    static void await(Callable<Boolean> condition) throws Exception {
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, condition);
    }

    /// The card's line for `instance`, as drawn now (a transition draws the card anew).
    Label vips(String instance) throws Exception {
        return WaitForAsyncUtils.asyncFx(() -> (Label) window.getScene().lookup("#director-vips-lvs-master-" + instance))
                .get();
    }

    @Test
    void ipv6VipsAreShownAsTheAgentWritesThemCompressed() throws Exception {
        var listener = cluster.listenerFor("lvs-master");
        listener.agentState(new AgentState("r1", "lvs-master", T, 0, new AgentState.Balancer("userspace", "test"),
                List.of(new AgentState.VrrpInstance("VI_6", 61, "eth0", 3, "BACKUP", 100, 100, "fe80::ff:fe00:a",
                        List.of("2001:db8::61/64", "2001:db8:0:1::62/64"), 1000, T, 1, List.of(), Map.of())),
                List.of()));
        listener.linkState(new LinkState.Connected(T, new Hello(1, "test", "lvs-master",
                new Hello.Capabilities("userspace", List.of(2), List.of(), List.of()))));

        await(() -> vips("VI_6") != null);
        var line = vips("VI_6");
        assertThat(line.getText()).isEqualTo("VRID 61 · 2001:db8::61 +1");
        assertThat(line.getTooltip().getText()).contains("2001:db8::61/64, 2001:db8:0:1::62/64");
        assertThat(fullyShown(line)).as("the line fits the card").isTrue();
    }

    @Test
    void aDirectorsCardShowsItsVipsAndItsRoleInEachGroup() throws Exception {
        var listener = cluster.listenerFor("lvs-master");
        var server = new AgentState.RealServer("198.51.100.66:80", "198.51.100.66", 80, 1, 1, "up", null, null,
                List.of(), AgentState.Traffic.NONE);
        listener.agentState(new AgentState("r1", "lvs-master", T, 0, new AgentState.Balancer("userspace", "test"),
                List.of(new AgentState.VrrpInstance("VI_1", 90, "eth0", 2, "MASTER", 100, 100, null,
                                List.of("192.0.2.100/32"), 1000, T, 1, List.of(), Map.of()),
                        new AgentState.VrrpInstance("VI_2", 93, "eth0", 2, "BACKUP", 98, 98, null,
                                List.of("192.0.2.101/32", "192.0.2.102/32", "192.0.2.103/32"), 1000, T, 1, List.of(),
                                Map.of())),
                List.of(new AgentState.VirtualServer("tcp/192.0.2.100:80", "TCP", "192.0.2.100", 80, null, null, "wrr",
                        "DR", "proxied", "lb_kind DR needs the kernel's IPVS", 0, 1, true, null, List.of(server)))));
        listener.linkState(new LinkState.Connected(T, new Hello(1, "test", "lvs-master",
                new Hello.Capabilities("userspace", List.of(2), List.of(), List.of()))));

        await(() -> vips("VI_1") != null && vips("VI_2") != null);
        var first = vips("VI_1");
        assertThat(first.getText()).isEqualTo("VRID 90 · 192.0.2.100");
        assertThat(first.getStyleClass()).contains("role-master");
        assertThat(first.getTooltip().getText()).contains("MASTER of VRID 90").contains("holds 192.0.2.100/32");
        var second = vips("VI_2");
        assertThat(second.getText()).as("the first address shown, the others counted")
                .isEqualTo("VRID 93 · 192.0.2.101 +2");
        assertThat(second.getStyleClass()).contains("role-backup");
        assertThat(second.getTooltip().getText()).contains("BACKUP of VRID 93").contains("192.0.2.103/32");
        assertThat(fullyShown(first)).as("the line fits the card").isTrue();
        assertThat(fullyShown(second)).isTrue();

        listener.event(new AgentEvent.VrrpTransition(2, T.plusSeconds(1), "VI_1", 90, "MASTER", "BACKUP",
                "higher priority 254 from 192.0.2.2", 100));
        await(() -> vips("VI_1").getStyleClass().contains("role-backup"));
        assertThat(vips("VI_1").getTooltip().getText()).contains("BACKUP of VRID 90").contains("stands by");
        listener.event(new AgentEvent.VrrpTransition(3, T.plusSeconds(2), "VI_2", 93, "BACKUP", "MASTER",
                "master down timer expired", 98));
        await(() -> vips("VI_2").getStyleClass().contains("role-master"));

        var subtitle = WaitForAsyncUtils.asyncFx(() -> window.topology().nodeFor("tcp/192.0.2.100:80").orElseThrow()
                .lookupAll(".subtitle").stream().map(Label.class::cast).findFirst().orElseThrow()).get();
        assertThat(subtitle.getText()).endsWith("· proxied");
        assertThat(subtitle.getTooltip()).as("proxied is explained where it is said").isNotNull();
        assertThat(subtitle.getTooltip().getText()).contains("user-space balancer")
                .contains("replies pass back through the director").contains("answers the client directly");
    }

    /// While the lab starts, the empty topology says so instead of "no directors".
    @Test
    void anEmptyTopologySaysWhatItWaitsFor() throws Exception {
        Callable<String> hint = () -> WaitForAsyncUtils.asyncFx(() -> window.lookupAll(".empty-hint").stream()
                .map(n -> ((Label) n).getText()).findFirst().orElse("")).get();
        await(() -> hint.call().equals("No directors in this cluster yet."));
        WaitForAsyncUtils.asyncFx(() -> window.topologyModel().emptyHint("Starting the training lab…")).get();
        await(() -> hint.call().equals("Starting the training lab…"));
    }

    /// Its whole text is drawn (a label too narrow for it shows an ellipsis instead).
    static boolean fullyShown(Label label) throws Exception {
        return WaitForAsyncUtils.asyncFx(() -> {
            Node text = label.lookup(".text");
            return text instanceof Text t && t.getText().equals(label.getText());
        }).get();
    }
}
