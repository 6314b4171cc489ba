package dev.pharos.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pharos.agent.api.AgentState;
import dev.pharos.agent.api.Protocol;
import dev.pharos.agent.control.ControlClient;
import dev.pharos.testing.Netns;
import dev.pharos.testing.PharosAgent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// SIGHUP on a real agent, as keepalived's reload: an instance whose settings did not change
/// stays MASTER with its VIP in place the whole time (no transition is logged for it); a changed
/// one restarts; an added one starts; a removed one stops and its VIP goes.
class SighupReloadTest {

    private static final String INSTANCE = """
            vrrp_instance %s {
                state MASTER
                interface eth0
                virtual_router_id %d
                priority %d
                advert_int 1
                virtual_ipaddress {
                    %s
                }
            }
            """;

    @Test
    void unchangedInstancesKeepTheirStateAcrossAReload(@TempDir Path dir) throws Exception {
        assumeTrue(Netns.available(), "needs root and network namespaces");
        var first = INSTANCE.formatted("VI_1", 51, 150, "192.0.2.100") + INSTANCE.formatted("VI_2", 52, 150,
                "192.0.2.101");
        try (var net = Netns.create()) {
            var a = net.host("a", "192.0.2.1/24");
            try (var agent = PharosAgent.start(a, dir, "a", first)) {
                assertThat(Netns.await(Duration.ofSeconds(30), () -> Files.exists(agent.socket()))).as(agent.log())
                        .isTrue();
                try (var c = ControlClient.connect(agent.socket())) {
                    assertThat(Netns.await(Duration.ofSeconds(30), () -> "MASTER".equals(states(c).get("VI_1"))
                            && "MASTER".equals(states(c).get("VI_2")))).as(agent.log()).isTrue();
                    int vi1Entered = count(agent.log(), "(VI_1) Entering");

                    // VI_2 changes priority, VI_3 is new; VI_1 is untouched.
                    Files.writeString(agent.configFile(), INSTANCE.formatted("VI_1", 51, 150, "192.0.2.100")
                            + INSTANCE.formatted("VI_2", 52, 140, "192.0.2.101")
                            + INSTANCE.formatted("VI_3", 53, 150, "192.0.2.102"));
                    var vipLost = new AtomicBoolean();
                    Netns.run("kill", "-HUP", Long.toString(agent.pid()));
                    assertThat(Netns.await(Duration.ofSeconds(30), () -> {
                        if (!a.addresses("eth0").contains("192.0.2.100")) {
                            vipLost.set(true);
                        }
                        var s = states(c);
                        return "MASTER".equals(s.get("VI_3")) && "MASTER".equals(s.get("VI_2"))
                                && a.addresses("eth0").contains("192.0.2.102");
                    })).as(agent.log()).isTrue();
                    assertThat(agent.log()).contains("kept [VI_1], stopped [VI_2], started [VI_2, VI_3]");
                    assertThat(vipLost).as("VI_1's VIP stayed during the reload").isFalse();
                    assertThat(count(agent.log(), "(VI_1) Entering")).as(agent.log()).isEqualTo(vi1Entered);
                    assertThat(states(c).get("VI_1")).isEqualTo("MASTER");

                    // VI_3 goes again: it stops and takes its VIP with it; VI_1 and VI_2 stay.
                    int vi2Entered = count(agent.log(), "(VI_2) Entering");
                    Files.writeString(agent.configFile(), INSTANCE.formatted("VI_1", 51, 150, "192.0.2.100")
                            + INSTANCE.formatted("VI_2", 52, 140, "192.0.2.101"));
                    Netns.run("kill", "-HUP", Long.toString(agent.pid()));
                    assertThat(Netns.await(Duration.ofSeconds(30), () -> !states(c).containsKey("VI_3")
                            && !a.addresses("eth0").contains("192.0.2.102"))).as(agent.log()).isTrue();
                    assertThat(agent.log()).contains("kept [VI_1, VI_2], stopped [VI_3], started []");
                    assertThat(count(agent.log(), "(VI_1) Entering")).isEqualTo(vi1Entered);
                    assertThat(count(agent.log(), "(VI_2) Entering")).isEqualTo(vi2Entered);
                    assertThat(a.addresses("eth0")).contains("192.0.2.100", "192.0.2.101");
                }
            }
        }
    }

    private static Map<String, String> states(ControlClient c) {
        try {
            return c.call(Protocol.STATE_GET, null, AgentState.class, Duration.ofSeconds(10)).vrrp().stream()
                    .collect(Collectors.toMap(AgentState.VrrpInstance::name, AgentState.VrrpInstance::state));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
