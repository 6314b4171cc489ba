package dev.pharos.agent.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.vrrp.InitialState;
import dev.pharos.agent.vrrp.ScriptRunner;
import dev.pharos.agent.vrrp.VrrpEngine;
import dev.pharos.agent.vrrp.VrrpPacket;
import dev.pharos.agent.vrrp.VrrpSettings;
import dev.pharos.agent.vrrp.VrrpState;
import dev.pharos.agent.vrrp.VrrpStateChange;
import dev.pharos.agent.vrrp.VrrpVersion;
import dev.pharos.testing.Netns;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/// Real engines with real short VRRPv3 intervals (30 cs) on the in-memory segment: failover on
/// a graceful stop and on a crash, preemption, nopreempt, split brain under partition and
/// convergence after. Every wait is a condition with a generous deadline, never a fixed sleep.
class SimVrrpBusTest {

    static final Duration WAIT = Duration.ofSeconds(20);
    static final Duration INTERVAL = Duration.ofMillis(300);
    static final Inet4Address VIP = ip("192.0.2.100");

    private final SimVrrpBus bus = new SimVrrpBus(42);
    private final SimAddressPlumbing vips = new SimAddressPlumbing();
    private final List<VrrpEngine> engines = new ArrayList<>();
    private final List<VrrpStateChange> changes = new CopyOnWriteArrayList<>();

    static Inet4Address ip(String s) {
        try {
            return (Inet4Address) InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static VrrpSettings vi1(int priority) {
        return VrrpSettings.of("VI_1", "eth0", 51, VrrpVersion.V3, priority, INTERVAL,
                List.of(new VrrpSettings.VirtualAddress(VIP, 24)))
                .withGarp(new VrrpSettings.GarpSettings(Duration.ofMillis(100), 2, Duration.ZERO, 1));
    }

    VrrpEngine start(String node, String address, VrrpSettings settings) throws Exception {
        var engine = new VrrpEngine(List.of(settings), List.of(), bus.factory(node, ip(address)),
                vips.forNode(node), new ScriptRunner(4), Duration.ofSeconds(5));
        engine.addListener(changes::add);
        engines.add(engine);
        engine.start();
        return engine;
    }

    static VrrpState state(VrrpEngine e) {
        return e.status("VI_1").state();
    }

    static void await(String what, java.util.function.BooleanSupplier condition) {
        assertThat(Netns.await(WAIT, condition)).as(what).isTrue();
    }

    @AfterEach
    void tearDown() {
        engines.forEach(VrrpEngine::kill);
        bus.close();
    }

    @Test
    void higherPriorityBecomesMasterAndHoldsTheVip() throws Exception {
        var a = start("A", "192.0.2.1", vi1(100));
        var b = start("B", "192.0.2.2", vi1(98));
        await("A master, B backup", () -> state(a) == VrrpState.MASTER && state(b) == VrrpState.BACKUP
                && vips.holders(VIP).equals(Set.of("A")));
        await("B hears A's adverts", () -> b.status("VI_1").counters().advertsReceived() >= 3);
        assertThat(b.status("VI_1").master()).contains(ip("192.0.2.1"));
        await("A announced the VIP twice (burst + delayed burst of 2)", () -> vips.garpCount("A", VIP) >= 4);
    }

    @Test
    void gracefulStopHandsOverWithPriorityZero() throws Exception {
        var a = start("A", "192.0.2.1", vi1(100));
        var b = start("B", "192.0.2.2", vi1(98));
        await("A master", () -> state(a) == VrrpState.MASTER && state(b) == VrrpState.BACKUP);
        var zeros = new AtomicInteger();
        bus.addTap(d -> {
            if ((d[22] & 0xff) == 0) {
                zeros.incrementAndGet();
            }
        });
        a.stop(Duration.ofSeconds(5));
        assertThat(zeros.get()).as("priority 0 adverts sent on stop").isEqualTo(1);
        assertThat(vips.holders(VIP)).doesNotContain("A");
        await("B master after A's priority 0", () -> state(b) == VrrpState.MASTER
                && vips.holders(VIP).equals(Set.of("B")));
        assertThat(b.status("VI_1").counters().priorityZeroReceived()).isEqualTo(1);
        assertThat(changes).anyMatch(c -> c.instance().equals("VI_1") && c.to() == VrrpState.INITIALIZE
                && c.reason().equals("shutdown"));
    }

    @Test
    void crashIsDetectedAfterMasterDownIntervalAndPreemptBack() throws Exception {
        var a = start("A", "192.0.2.1", vi1(100));
        var b = start("B", "192.0.2.2", vi1(98));
        await("A master", () -> state(a) == VrrpState.MASTER && state(b) == VrrpState.BACKUP);
        a.kill();
        vips.dropNode("A");
        assertThat(Netns.await(WAIT, () -> state(b) == VrrpState.MASTER && vips.holders(VIP).equals(Set.of("B"))))
                .as(() -> "B takes over: B is " + state(b) + ", the VIP is on " + vips.holders(VIP)).isTrue();
        assertThat(changes).anyMatch(c -> c.to() == VrrpState.MASTER && c.reason().equals("master down timer expired"));
        var a2 = start("A", "192.0.2.1", vi1(100));
        await("A preempts back", () -> state(a2) == VrrpState.MASTER && state(b) == VrrpState.BACKUP
                && vips.holders(VIP).equals(Set.of("A")));
    }

    @Test
    void nopreemptKeepsTheRunningMaster() throws Exception {
        var b = start("B", "192.0.2.2", vi1(98).withPreempt(false, Duration.ZERO));
        await("B alone becomes master", () -> state(b) == VrrpState.MASTER);
        var a = start("A", "192.0.2.1", vi1(100).withPreempt(false, Duration.ZERO));
        await("A hears 10 adverts of the lower-priority master", () -> a.status("VI_1").counters().advertsReceived() >= 10);
        assertThat(state(a)).isEqualTo(VrrpState.BACKUP);
        assertThat(state(b)).isEqualTo(VrrpState.MASTER);
        assertThat(vips.holders(VIP)).containsExactly("B");
    }

    @Test
    void stateMasterWishWithLowerPriorityStillYields() throws Exception {
        var a = start("A", "192.0.2.1", vi1(100));
        await("A master", () -> state(a) == VrrpState.MASTER);
        var b = start("B", "192.0.2.2", vi1(98).withInitialState(InitialState.MASTER));
        await("B hears A", () -> b.status("VI_1").counters().advertsReceived() >= 5);
        assertThat(state(b)).isEqualTo(VrrpState.BACKUP);
        assertThat(state(a)).isEqualTo(VrrpState.MASTER);
    }

    @Test
    void partitionMakesSplitBrainAndHealingConverges() throws Exception {
        var a = start("A", "192.0.2.1", vi1(100));
        var b = start("B", "192.0.2.2", vi1(98));
        await("A master", () -> state(a) == VrrpState.MASTER && state(b) == VrrpState.BACKUP);
        bus.partition(Set.of("A"), Set.of("B"));
        await("split brain: both master, both hold the VIP", () -> state(a) == VrrpState.MASTER
                && state(b) == VrrpState.MASTER && vips.holders(VIP).equals(Set.of("A", "B")));
        bus.heal();
        await("converged on A", () -> state(a) == VrrpState.MASTER && state(b) == VrrpState.BACKUP
                && vips.holders(VIP).equals(Set.of("A")));
    }

    @Test
    void threeRoutersFailOverInPriorityOrder() throws Exception {
        var a = start("A", "192.0.2.1", vi1(100));
        var b = start("B", "192.0.2.2", vi1(99));
        var c = start("C", "192.0.2.3", vi1(98));
        await("A master", () -> state(a) == VrrpState.MASTER && state(b) == VrrpState.BACKUP
                && state(c) == VrrpState.BACKUP);
        a.stop(Duration.ofSeconds(5));
        await("B next", () -> state(b) == VrrpState.MASTER && state(c) == VrrpState.BACKUP);
        b.kill();
        vips.dropNode("B");
        await("C last", () -> state(c) == VrrpState.MASTER && vips.holders(VIP).equals(Set.of("C")));
    }

    @Test
    void equalPriorityHigherAddressWins() throws Exception {
        // RFC 5798 §6.4.2: a backup accepts a master of equal priority whatever its address, so
        // which one wins a cold start depends on whose timer fires first. The address breaks the
        // tie when two masters meet (§6.4.3): make them meet by healing a partition.
        bus.partition(Set.of("L"), Set.of("H"));
        var low = start("L", "192.0.2.1", vi1(100));
        var high = start("H", "192.0.2.9", vi1(100));
        await("both master while cut off", () -> state(high) == VrrpState.MASTER && state(low) == VrrpState.MASTER);
        bus.heal();
        await("the higher address stays master", () -> state(high) == VrrpState.MASTER && state(low) == VrrpState.BACKUP
                && vips.holders(VIP).equals(Set.of("H")));
    }

    @Test
    void survivesLossAndDelay() throws Exception {
        bus.setLoss(0.1);
        bus.setDelay(Duration.ofMillis(5));
        var a = start("A", "192.0.2.1", vi1(100));
        var b = start("B", "192.0.2.2", vi1(98));
        await("A master despite loss", () -> state(a) == VrrpState.MASTER && state(b) == VrrpState.BACKUP
                && b.status("VI_1").counters().advertsReceived() >= 10);
        assertThat(bus.dropped()).isPositive();
        bus.setLoss(1.0);
        await("total loss: B takes over", () -> state(b) == VrrpState.MASTER);
        bus.setLoss(0);
        await("back to A", () -> state(a) == VrrpState.MASTER && state(b) == VrrpState.BACKUP);
    }

    @Test
    void resignAndSetPriorityAreCommands() throws Exception {
        var a = start("A", "192.0.2.1", vi1(100));
        var b = start("B", "192.0.2.2", vi1(98));
        await("A master", () -> state(a) == VrrpState.MASTER && state(b) == VrrpState.BACKUP);
        a.resign("VI_1");
        await("B master after resign", () -> state(b) == VrrpState.MASTER && state(a) == VrrpState.BACKUP);
        long heard = a.status("VI_1").counters().advertsReceived();
        await("A keeps accepting the lower master", () -> a.status("VI_1").counters().advertsReceived() >= heard + 5);
        assertThat(state(a)).isEqualTo(VrrpState.BACKUP);
        b.setPriority("VI_1", 150);
        await("B advertises 150", () -> b.status("VI_1").effectivePriority() == 150);
        a.setPriority("VI_1", 200);
        await("A preempts with 200", () -> state(a) == VrrpState.MASTER && state(b) == VrrpState.BACKUP);
    }

    @Test
    void garpRefreshRepeatsWhileMasterAndStopsAfter() throws Exception {
        var garp = new VrrpSettings.GarpSettings(Duration.ZERO, 1, Duration.ofMillis(100), 2);
        var a = start("A", "192.0.2.1", vi1(100).withGarp(garp));
        await("a burst of 1, then refreshes of 2", () -> state(a) == VrrpState.MASTER && vips.garpCount("A", VIP) >= 7);
        a.stop(Duration.ofSeconds(5));
        long after = vips.garpCount("A", VIP);
        assertThat(after % 2).as("1 + 2 × refreshes, counted once the address work has stopped").isEqualTo(1);
        var b = start("B", "192.0.2.2", vi1(98));
        await("B master", () -> state(b) == VrrpState.MASTER && b.status("VI_1").counters().advertsSent() >= 5);
        assertThat(vips.garpCount("A", VIP)).as("no ARP from a stopped node").isEqualTo(after);
    }

    @Test
    void unicastPeersReachOnlyTheirPeer() throws Exception {
        var destinations = new CopyOnWriteArrayList<Inet4Address>();
        bus.addTap(d -> destinations.add(ip((d[16] & 0xff) + "." + (d[17] & 0xff) + "." + (d[18] & 0xff) + "." + (d[19] & 0xff))));
        var a = start("A", "192.0.2.1", vi1(100).withUnicast(ip("192.0.2.1"), List.of(ip("192.0.2.2"))));
        var b = start("B", "192.0.2.2", vi1(98).withUnicast(ip("192.0.2.2"), List.of(ip("192.0.2.1"))));
        // C listens on multicast only and hears nothing, so it becomes master as well
        var c = start("C", "192.0.2.3", vi1(50));
        await("A master over B by unicast", () -> state(a) == VrrpState.MASTER && state(b) == VrrpState.BACKUP
                && b.status("VI_1").counters().advertsReceived() >= 3);
        await("C heard nothing of A", () -> state(c) == VrrpState.MASTER);
        assertThat(c.status("VI_1").counters().advertsReceived()).isZero();
        await("unicast B drops C's multicast adverts", () -> b.status("VI_1").counters().checkFailures()
                .get(dev.pharos.agent.vrrp.ReceiveCheck.CAST_MISMATCH) >= 1);
        assertThat(destinations).contains(ip("192.0.2.2"), ip("224.0.0.18")).doesNotContain(ip("192.0.2.3"));
    }

    @Test
    void busDeliversWholeDatagramsWithTtl255() throws Exception {
        var seen = new CopyOnWriteArrayList<VrrpPacket.Received>();
        bus.addTap(d -> {
            try {
                seen.add(VrrpPacket.decode(d, d.length));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        start("A", "192.0.2.1", vi1(100));
        await("adverts on the wire", () -> seen.size() >= 2);
        var r = seen.getFirst();
        assertThat(r.ip().ttl()).isEqualTo(255);
        assertThat(r.ip().destination()).isEqualTo(ip("224.0.0.18"));
        assertThat(r.packet().maxAdverInterval()).isEqualTo(INTERVAL);
        assertThat(r.packet().addresses()).containsExactly(VIP);
    }
}
