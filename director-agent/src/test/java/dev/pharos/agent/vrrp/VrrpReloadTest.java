package dev.pharos.agent.vrrp;

import static dev.pharos.agent.vrrp.VrrpPacketTest.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pharos.agent.sim.SimAddressPlumbing;
import dev.pharos.agent.sim.SimVrrpBus;
import dev.pharos.agent.vrrp.VrrpSettings.TrackScript;
import dev.pharos.agent.vrrp.VrrpSettings.VirtualAddress;
import dev.pharos.testing.Netns;
import java.net.Inet4Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/// [VrrpEngine#reconfigure], keepalived's SIGHUP for VRRP, on the in-memory bus: unchanged
/// instances keep their state and advert rhythm, removed masters hand over with priority 0,
/// added instances start, `vrrp_script` trackers follow, and what cannot be applied in place is
/// refused without any change.
class VrrpReloadTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration INTERVAL = Duration.ofMillis(100);
    private static final Inet4Address VIP1 = ip("192.0.2.100");
    private static final Inet4Address VIP2 = ip("192.0.2.101");
    private static final Inet4Address VIP3 = ip("192.0.2.102");

    private final SimVrrpBus bus = new SimVrrpBus(11);
    private final SimAddressPlumbing vips = new SimAddressPlumbing();
    private final List<VrrpEngine> engines = new ArrayList<>();
    /// (sent at nanoTime, source, vrid, priority) of every advert on the bus.
    private final List<long[]> adverts = new CopyOnWriteArrayList<>();

    VrrpReloadTest() {
        bus.addTap(d -> {
            try {
                var r = VrrpPacket.decode(d, d.length);
                adverts.add(new long[] {System.nanoTime(), d[15] & 0xff, r.packet().vrid(), r.packet().priority()});
            } catch (MalformedPacketException e) {
                // not an advert of ours
            }
        });
    }

    @AfterEach
    void tearDown() {
        engines.forEach(VrrpEngine::kill);
        bus.close();
    }

    private static VrrpSettings instance(String name, int vrid, int priority, Inet4Address vip) {
        return VrrpSettings.of(name, "eth0", vrid, VrrpVersion.V3, priority, INTERVAL,
                List.of(new VirtualAddress(vip, 24)));
    }

    private VrrpEngine start(String node, int lastOctet, List<VrrpSettings> settings, List<VrrpSyncGroup> groups)
            throws Exception {
        var engine = new VrrpEngine(settings, groups, bus.factory(node, ip("192.0.2." + lastOctet)),
                vips.forNode(node), new ScriptRunner(2), Duration.ofSeconds(5));
        engines.add(engine);
        engine.start();
        return engine;
    }

    private static void await(String what, BooleanSupplier condition) {
        assertThat(Netns.await(WAIT, condition)).as(what).isTrue();
    }

    private static VrrpState state(VrrpEngine e, String name) {
        return e.status(name).state();
    }

    /// The longest gap, in ms, between adverts of `vrid` from host `.lastOctet` since `since`.
    private long longestGapMillis(int lastOctet, int vrid, long since) {
        long previous = since;
        long longest = 0;
        for (var a : adverts) {
            if (a[0] >= since && a[1] == lastOctet && a[2] == vrid) {
                longest = Math.max(longest, a[0] - previous);
                previous = a[0];
            }
        }
        return Duration.ofNanos(Math.max(longest, System.nanoTime() - previous)).toMillis();
    }

    private boolean sent(int lastOctet, int vrid, int priority, long since) {
        return adverts.stream().anyMatch(a -> a[0] >= since && a[1] == lastOctet && a[2] == vrid && a[3] == priority);
    }

    @Test
    void unchangedMasterKeepsAdvertisingWhileOthersAreAddedChangedAndRemoved() throws Exception {
        var vi1 = instance("VI_1", 51, 100, VIP1);
        var vi2 = instance("VI_2", 52, 100, VIP2);
        var a = start("A", 1, List.of(vi1, vi2), List.of());
        var b = start("B", 2, List.of(instance("VI_1", 51, 90, VIP1), instance("VI_2", 52, 90, VIP2),
                instance("VI_3", 53, 90, VIP3)), List.of());
        await("A masters VI_1 and VI_2", () -> state(a, "VI_1") == VrrpState.MASTER
                && state(a, "VI_2") == VrrpState.MASTER && state(b, "VI_1") == VrrpState.BACKUP);
        var transitions = a.status("VI_1").transitions();
        long before = System.nanoTime();

        // VI_2 changes priority (removed + added), VI_3 is added.
        var result = a.reconfigure(List.of(vi1, instance("VI_2", 52, 80, VIP2), instance("VI_3", 53, 100, VIP3)),
                List.of());

        assertThat(result.kept()).containsExactly("VI_1");
        assertThat(result.removed()).containsExactly("VI_2");
        assertThat(result.added()).containsExactly("VI_2", "VI_3");
        await("the changed VI_2 handed over with priority 0; B took it", () -> sent(1, 52, 0, before)
                && state(b, "VI_2") == VrrpState.MASTER && state(a, "VI_2") == VrrpState.BACKUP);
        await("the added VI_3 became master (100 over B's 90)", () -> state(a, "VI_3") == VrrpState.MASTER
                && state(b, "VI_3") == VrrpState.BACKUP && vips.holders(VIP3).equals(java.util.Set.of("A")));

        a.reconfigure(List.of(vi1), List.of());

        await("the removed VI_3 sent priority 0 and B took it", () -> sent(1, 53, 0, before)
                && state(b, "VI_3") == VrrpState.MASTER && vips.holders(VIP3).equals(java.util.Set.of("B")));
        assertThat(a.status()).extracting(VrrpInstanceStatus::name).containsExactly("VI_1");
        assertThat(state(a, "VI_1")).isEqualTo(VrrpState.MASTER);
        assertThat(a.status("VI_1").transitions()).as("VI_1 never changed state").isEqualTo(transitions);
        assertThat(vips.holders(VIP1)).containsExactly("A");
        assertThat(longestGapMillis(1, 51, before)).as("VI_1 adverts never paused (interval 100 ms)")
                .isLessThan(250);
        assertThat(state(b, "VI_1")).isEqualTo(VrrpState.BACKUP);
    }

    @Test
    void trackersOfUnchangedScriptsKeepRunningNewOnesStartUnusedOnesStop() throws Exception {
        var ok = new TrackScript("chk_ok", List.of("true"), Duration.ofMillis(50), Duration.ofSeconds(2), 0, 1, 1);
        var bad = new TrackScript("chk_bad", List.of("false"), Duration.ofMillis(50), Duration.ofSeconds(2), 0, 1, 1);
        var vi1 = instance("VI_1", 51, 100, VIP1).withTracking(List.of(), List.of(ok));
        var a = start("A", 1, List.of(vi1), List.of());
        await("VI_1 master with chk_ok up", () -> state(a, "VI_1") == VrrpState.MASTER);
        var transitions = a.status("VI_1").transitions();

        // VI_2 tracks a failing script with weight 0: it must come up in FAULT, VI_1 untouched.
        a.reconfigure(List.of(vi1, instance("VI_2", 52, 100, VIP2).withTracking(List.of(), List.of(ok, bad))),
                List.of());
        await("the new chk_bad runs and faults VI_2", () -> state(a, "VI_2") == VrrpState.FAULT);
        assertThat(a.status("VI_2").faults()).containsExactly("track_script chk_bad not succeeding");

        // Without VI_2, chk_bad is unused and stops; VI_1 and its chk_ok carry on.
        a.reconfigure(List.of(vi1), List.of());
        assertThat(a.status("VI_1").transitions()).isEqualTo(transitions);
        assertThat(state(a, "VI_1")).isEqualTo(VrrpState.MASTER);
        assertThat(a.status("VI_1").faults()).isEmpty();
    }

    @Test
    void refusesWhatItCannotApplyInPlaceAndChangesNothing() throws Exception {
        var vi1 = instance("VI_1", 51, 100, VIP1);
        var vi2 = instance("VI_2", 52, 100, VIP2);
        var group = new VrrpSyncGroup("G", List.of("VI_1", "VI_2"), false, VrrpSettings.NotifyCommands.NONE);
        var a = start("A", 1, List.of(vi1, vi2), List.of(group));
        await("the group is master", () -> state(a, "VI_1") == VrrpState.MASTER && state(a, "VI_2") == VrrpState.MASTER);

        assertThatThrownBy(() -> a.reconfigure(List.of(vi1, vi2), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vrrp_sync_groups changed");
        assertThatThrownBy(() -> a.reconfigure(List.of(vi1, instance("VI_2", 52, 90, VIP2)), List.of(group)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(VI_2) is in a vrrp_sync_group");
        assertThatThrownBy(() -> a.reconfigure(List.of(vi1, vi2, instance("VI_3", 51, 100, VIP3)), List.of(group)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("virtual_router_id 51");

        assertThat(a.status()).extracting(VrrpInstanceStatus::name).containsExactly("VI_1", "VI_2");
        assertThat(a.status()).extracting(VrrpInstanceStatus::state).containsOnly(VrrpState.MASTER);
        var same = a.reconfigure(List.of(vi1, vi2), List.of(group));
        assertThat(same.kept()).containsExactly("VI_1", "VI_2");
        assertThat(same.removed()).isEmpty();
        assertThat(same.added()).isEmpty();
    }
}
