package dev.pharos.agent.vrrp;

import static dev.pharos.agent.vrrp.VrrpPacketTest.ip;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.sim.SimAddressPlumbing;
import dev.pharos.agent.sim.SimVrrpBus;
import dev.pharos.agent.vrrp.VrrpSettings.VirtualAddress;
import dev.pharos.testing.Netns;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/// RFC 9568 §8.3.2: two address owners (priority 255) on one link are logged and counted; the
/// adverts are still used, as keepalived does, so one of them steps down.
class OwnerConflictTest {

    private final SimVrrpBus bus = new SimVrrpBus(13);
    private final SimAddressPlumbing vips = new SimAddressPlumbing();
    private final List<VrrpEngine> engines = new ArrayList<>();

    @AfterEach
    void tearDown() {
        engines.forEach(VrrpEngine::kill);
        bus.close();
    }

    private VrrpEngine start(String node, String address, int priority) throws Exception {
        var settings = VrrpSettings.of("VI_1", "eth0", 52, VrrpVersion.V3, priority, Duration.ofMillis(300),
                List.of(new VirtualAddress(ip("192.0.2.100"), 24)));
        var engine = new VrrpEngine(List.of(settings), List.of(), bus.factory(node, ip(address)), vips.forNode(node),
                new ScriptRunner(4), Duration.ofSeconds(5));
        engines.add(engine);
        engine.start();
        return engine;
    }

    private static long conflicts(VrrpEngine e) {
        return e.status("VI_1").counters().checkFailures().get(ReceiveCheck.OWNER_CONFLICT);
    }

    @Test
    void aSecondOwnerIsCountedAndTheLowerAddressStepsDown() throws Exception {
        var a = start("A", "192.0.2.1", 255);
        var b = start("B", "192.0.2.2", 255);
        // B may start after A's first adverts, so only A is sure to hear the other owner.
        assertThat(Netns.await(Duration.ofSeconds(20), () -> conflicts(a) >= 1
                && a.status("VI_1").state() == VrrpState.BACKUP && b.status("VI_1").state() == VrrpState.MASTER))
                .as("A counts the other owner and steps down; the higher address stays master").isTrue();
    }

    @Test
    void anOwnerAndABackupAreNoConflict() throws Exception {
        var a = start("A", "192.0.2.1", 255);
        var b = start("B", "192.0.2.2", 200);
        assertThat(Netns.await(Duration.ofSeconds(20), () -> b.status("VI_1").counters().advertsReceived() >= 5))
                .isTrue();
        assertThat(conflicts(a)).isZero();
        assertThat(conflicts(b)).isZero();
    }
}
