package dev.pharos.console.adopt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.api.AgentState;
import dev.pharos.agent.api.Hello;
import dev.pharos.agent.config.ConfigLoader;
import dev.pharos.agent.config.KeepalivedConfig;
import dev.pharos.console.ConsoleWindow;
import dev.pharos.console.connect.LinkState;
import dev.pharos.console.edit.EditService;
import dev.pharos.console.model.ClusterModel;
import dev.pharos.console.model.HostReadings;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/// The cards of adopted keepalived directors, beside a Pharos pair's: marked "keepalived ·
/// read-only" with the age of each piece read, their real servers neither draggable nor editable,
/// and "stale" (not a confident MASTER) once keepalived stops. Pictured for docs/console.md with
/// `-Dpharos.docs.screens=true`.
@ExtendWith(ApplicationExtension.class)
class AdoptedCardTest {

    static final String CONFIG = """
            vrrp_instance VI_1 {
                state MASTER
                interface eth0
                virtual_router_id 73
                priority 150
                advert_int 1
                virtual_ipaddress {
                    192.0.2.100/24
                }
            }
            virtual_server 192.0.2.100 80 {
                lb_algo wrr
                lb_kind DR
                protocol TCP
                real_server 198.51.100.11 80 {
                    weight 2
                    TCP_CHECK {
                        connect_timeout 3
                    }
                }
                real_server 198.51.100.12 80 {
                    weight 1
                    TCP_CHECK {
                        connect_timeout 3
                    }
                }
            }
            """;

    ClusterModel cluster;
    ConsoleWindow window;

    @Start
    void start(Stage stage) {
        cluster = ClusterModel.onFxThread("kept");
        window = new ConsoleWindow(cluster, EditService.onFxThread(cluster, Map.of()));
        var scene = new Scene(window, 1280, 800);
        scene.getStylesheets().addAll(ConsoleWindow.stylesheets());
        stage.setScene(scene);
        stage.show();
    }

    static void await(Callable<Boolean> condition) throws Exception {
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, condition);
    }

    <T extends Node> T lookup(String id) throws Exception {
        @SuppressWarnings("unchecked")
        var node = (T) WaitForAsyncUtils.asyncFx(() -> window.getScene().lookup("#" + id)).get();
        return node;
    }

    Node server(String key) throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        return WaitForAsyncUtils.asyncFx(() -> window.topology().nodeFor(key)).get().orElseThrow();
    }

    String text(String id) throws Exception {
        Label l = lookup(id);
        return l == null ? null : WaitForAsyncUtils.asyncFx(l::getText).get();
    }

    static KeepalivedDump dump(String state, int priority) {
        return KeepalivedDump.parseJson("""
                [{"data":{"iname":"VI_1","vrid":73,"state":%d,"base_priority":%d,"effective_priority":%d,
                "adver_int":1.0,"last_transition":1796637600.25,"ifp_ifname":"eth0","vips":["192.0.2.100"]},
                "stats":{"advert_rcvd":3,"advert_sent":120,"become_master":1,"release_master":0}}]
                """.formatted(state.equals("MASTER") ? 2 : 1, priority, priority));
    }

    @Test
    void adoptedCardsAreMarkedReadOnlyWithAgesAndGoStaleWhenKeepalivedStops() throws Exception {
        var config = ConfigLoader.parse(Path.of("/etc/keepalived/keepalived.conf"), CONFIG, "lvs").config();
        var now = Instant.now();
        var readings = List.of(new HostReadings.Reading("configuration", now.minusSeconds(12), null),
                new HostReadings.Reading("addresses", now.minusSeconds(2), null),
                new HostReadings.Reading("IPVS table", null, "this host's kernel has no IPVS loaded"),
                new HostReadings.Reading("VRRP state", now.minusSeconds(2), null));
        var hello = new Hello(1, "keepalived 2.2.7", "kept", new Hello.Capabilities("none", List.of(2), List.of(),
                List.of()));
        // directors are added on the FX thread, as the application adds them
        WaitForAsyncUtils.asyncFx(() -> feed(config, now, readings, hello)).get();

        await(() -> text("director-adopted-kept-a") != null && text("director-ages-kept-a") != null);
        assertThat(text("director-adopted-kept-a")).isEqualTo("keepalived 2.2.7 · read-only");
        assertThat(text("director-adopted-pharos-a")).as("an agent's card is not marked").isNull();
        // ages count on from when each piece was read (on a busy machine, later than the 12 s and 2 s)
        assertThat(text("director-ages-kept-a"))
                .matches("configuration \\d+ s · addresses \\d+ s · IPVS table — ! · VRRP state \\d+ s");
        assertThat(text("director-status-kept-a")).isEqualTo("live");
        assertThat(text("director-vips-kept-a-VI_1")).isEqualTo("VRID 73 · 192.0.2.100");
        Node card = lookup("director-kept-a");
        assertThat(card.getStyleClass()).contains("adopted");
        var adoptedServer = server("tcp/192.0.2.100:80|198.51.100.11:80");
        var agentServer = server("tcp/203.0.113.10:443|198.51.100.31:443");
        assertThat(adoptedServer.getStyleClass()).as("no drag, no edit").contains("read-only");
        assertThat(agentServer.getStyleClass()).doesNotContain("read-only");
        picture("adopted-keepalived.png");

        // keepalived stopped on kept-a: stale, last known state, never a confident MASTER
        WaitForAsyncUtils.asyncFx(() -> cluster.adoptedListenerFor("kept-a").readings(new HostReadings(
                "keepalived 2.2.7", readings, "keepalived is not running"))).get();
        await(() -> String.valueOf(text("director-status-kept-a")).startsWith("stale"));
        assertThat(text("director-status-kept-a"))
                .isEqualTo("stale: keepalived is not running — last known state");
        Node stale = lookup("director-kept-a");
        assertThat(stale.getPseudoClassStates().toString()).contains("stale");
    }

    private void feed(KeepalivedConfig config, Instant now, List<HostReadings.Reading> readings, Hello hello) {
        for (var d : List.of("kept-a", "kept-b")) {
            var l = cluster.adoptedListenerFor(d);
            var master = d.equals("kept-a");
            l.agentState(AdoptedState.build(d, now, config, dump(master ? "MASTER" : "BACKUP", master ? 150 : 100),
                    null, "this host's kernel has no IPVS loaded"));
            l.readings(new HostReadings("keepalived 2.2.7", readings, null));
            l.linkState(new LinkState.Connected(now, hello));
        }
        // a Pharos pair beside them, in the same inventory
        for (var d : List.of("pharos-a", "pharos-b")) {
            var l = cluster.listenerFor(d);
            l.agentState(new AgentState("r1", d, now, 0, new AgentState.Balancer("kernel", "test"),
                    List.of(new AgentState.VrrpInstance("VI_9", 90, "eth0", 2, d.endsWith("a") ? "MASTER" : "BACKUP",
                            100, 100, null, List.of("203.0.113.10/32"), 1000, now, 1, List.of(), Map.of())),
                    List.of(new AgentState.VirtualServer("tcp/203.0.113.10:443", "TCP", "203.0.113.10", 443, null,
                            null, "wrr", "NAT", "kernel", null, 0, 1, true, null, List.of(new AgentState.RealServer(
                                    "198.51.100.31:443", "198.51.100.31", 443, 1, 1, "up", null, null, List.of(),
                                    AgentState.Traffic.NONE))))));
            l.linkState(new LinkState.Connected(now, new Hello(1, "dev", d, hello.capabilities())));
        }
    }

    void picture(String name) throws Exception {
        var docs = Boolean.getBoolean("pharos.docs.screens");
        var dir = docs ? Path.of("..", "docs", "screens") : Path.of("target", "docs-screens");
        Files.createDirectories(dir);
        WaitForAsyncUtils.waitForFxEvents();
        var out = WaitForAsyncUtils.asyncFx(() -> {
            var snap = window.getScene().getRoot().snapshot(null, null);
            var image = new BufferedImage((int) snap.getWidth(), (int) snap.getHeight(), BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < image.getHeight(); y++) {
                for (int x = 0; x < image.getWidth(); x++) {
                    image.setRGB(x, y, snap.getPixelReader().getArgb(x, y));
                }
            }
            return image;
        }).get();
        ImageIO.write(out, "png", dir.resolve(name).toFile());
        assertThat(Files.size(dir.resolve(name))).isGreaterThan(10_000);
    }
}
