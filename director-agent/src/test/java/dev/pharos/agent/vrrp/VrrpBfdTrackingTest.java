package dev.pharos.agent.vrrp;

import static dev.pharos.agent.vrrp.VrrpPacketTest.ip;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.sim.SimAddressPlumbing;
import dev.pharos.agent.sim.SimVrrpBus;
import dev.pharos.agent.vrrp.VrrpSettings.TrackBfd;
import dev.pharos.agent.vrrp.VrrpSettings.VirtualAddress;
import dev.pharos.testing.Netns;
import java.net.Inet4Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/// `track_bfd` as keepalived 2.2.7 applies it (`vrrp_track.c` `initialise_track_bfd_state`,
/// `vrrp_scheduler.c` `vrrp_handle_bfd_event`): a session is down until it first comes Up; weight 0
/// means FAULT while down (while up with reverse); a weight moves the priority as for
/// `track_interface`; in a sync group the weight counts as 0.
class VrrpBfdTrackingTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Inet4Address VIP = ip("192.0.2.100");

    private final SimVrrpBus bus = new SimVrrpBus(11);
    private final SimAddressPlumbing vips = new SimAddressPlumbing();
    private final List<VrrpEngine> engines = new ArrayList<>();

    @AfterEach
    void tearDown() {
        engines.forEach(VrrpEngine::kill);
        bus.close();
    }

    private VrrpEngine start(List<VrrpSettings> settings, List<VrrpSyncGroup> groups) throws Exception {
        var engine = new VrrpEngine(settings, groups, bus.factory("A", ip("192.0.2.1")), vips.forNode("A"),
                new ScriptRunner(2), Duration.ofSeconds(5));
        engines.add(engine);
        engine.start();
        return engine;
    }

    private static VrrpSettings instance(String name, int vrid, TrackBfd... tracks) {
        return VrrpSettings.of(name, "eth0", vrid, VrrpVersion.V3, 100, Duration.ofMillis(300),
                List.of(new VirtualAddress(VIP, 24))).withTrackBfds(List.of(tracks));
    }

    private static void await(String what, BooleanSupplier condition) {
        assertThat(Netns.await(WAIT, condition)).as(what).isTrue();
    }

    @Test
    void weightZeroIsFaultUntilTheSessionComesUpAndWhenItGoesDown() throws Exception {
        var a = start(List.of(instance("VI_1", 61, new TrackBfd("B1", 0, false))), List.of());
        await("FAULT before the session was ever Up", () -> a.status("VI_1").state() == VrrpState.FAULT
                && a.status("VI_1").faults().equals(Set.of("track_bfd B1 down")));
        a.bfdState("B1", true);
        await("master once Up", () -> a.status("VI_1").state() == VrrpState.MASTER && vips.holders(VIP).equals(Set.of("A")));
        a.bfdState("B1", false);
        await("FAULT again, VIP gone", () -> a.status("VI_1").state() == VrrpState.FAULT && vips.holders(VIP).isEmpty());
    }

    @Test
    void weightsMoveThePriorityAndReverseTurnsThemAround() throws Exception {
        var a = start(List.of(instance("VI_1", 62, new TrackBfd("UP_ADDS", 20, false), new TrackBfd("DOWN_TAKES", -30,
                false), new TrackBfd("REVERSED", 0, true))), List.of());
        await("both down: −30; reverse weight 0 down is no fault", () -> a.status("VI_1").state() == VrrpState.MASTER
                && a.status("VI_1").effectivePriority() == 70);
        a.bfdState("UP_ADDS", true);
        a.bfdState("DOWN_TAKES", true);
        await("both up: +20", () -> a.status("VI_1").effectivePriority() == 120);
        a.bfdState("REVERSED", true);
        await("reverse weight 0: FAULT while Up", () -> a.status("VI_1").state() == VrrpState.FAULT
                && a.status("VI_1").faults().equals(Set.of("track_bfd REVERSED up")));
    }

    @Test
    void inASyncGroupTheWeightCountsAsZero() throws Exception {
        var group = new VrrpSyncGroup("G1", List.of("VI_1", "VI_2"), false, VrrpSettings.NotifyCommands.NONE);
        var a = start(List.of(instance("VI_1", 63, new TrackBfd("B1", -30, false)), instance("VI_2", 64)), List.of(group));
        await("weight ignored in the group: FAULT while down", () -> a.status("VI_1").state() == VrrpState.FAULT);
        a.bfdState("B1", true);
        await("master at its own priority", () -> a.status("VI_1").state() == VrrpState.MASTER
                && a.status("VI_1").effectivePriority() == 100);
    }
}
