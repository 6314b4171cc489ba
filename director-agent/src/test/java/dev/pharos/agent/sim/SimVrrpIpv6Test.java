package dev.pharos.agent.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.vrrp.AddressPlumbing;
import dev.pharos.agent.vrrp.ScriptRunner;
import dev.pharos.agent.vrrp.VrrpEngine;
import dev.pharos.agent.vrrp.VrrpSettings;
import dev.pharos.agent.vrrp.VrrpState;
import dev.pharos.agent.vrrp.VrrpVersion;
import dev.pharos.testing.Netns;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/// Real engines running VRRPv3 over IPv6 on the in-memory segment (adverts to ff02::12 from
/// link-local addresses, 30 cs): election, announcements of the VIP, crash and preemption, and
/// the tie between equal priorities broken by the larger link-local address (RFC 5798 §6.4.3),
/// and `vrrp_gna_interval` spacing the neighbour advertisements.
class SimVrrpIpv6Test {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final InetAddress VIP = ip("2001:db8::100");

    private final SimVrrpBus bus = new SimVrrpBus(6);
    private final SimAddressPlumbing vips = new SimAddressPlumbing();
    private final List<VrrpEngine> engines = new ArrayList<>();

    private static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static VrrpSettings vi6(int priority) {
        return VrrpSettings.of("VI_6", "eth0", 61, VrrpVersion.V3, priority, Duration.ofMillis(300),
                List.of(new VrrpSettings.VirtualAddress(VIP, 64)))
                .withGarp(new VrrpSettings.GarpSettings(Duration.ofMillis(100), 2, Duration.ZERO, 1));
    }

    private VrrpEngine start(String node, String linkLocal, VrrpSettings settings) throws Exception {
        var engine = new VrrpEngine(List.of(settings), List.of(), bus.factory(node, ip(linkLocal)),
                vips.forNode(node), new ScriptRunner(4), Duration.ofSeconds(5));
        engines.add(engine);
        engine.start();
        return engine;
    }

    private static VrrpState state(VrrpEngine e) {
        return e.status("VI_6").state();
    }

    private static void await(String what, BooleanSupplier condition) {
        assertThat(Netns.await(WAIT, condition)).as(what).isTrue();
    }

    @AfterEach
    void tearDown() {
        engines.forEach(VrrpEngine::kill);
        bus.close();
    }

    @Test
    void electsAnnouncesFailsOverAndPreemptsBack() throws Exception {
        var taps = new ArrayList<byte[]>();
        bus.addTap(d -> {
            synchronized (taps) {
                taps.add(d);
            }
        });
        var a = start("A", "fe80::a", vi6(100));
        var b = start("B", "fe80::b", vi6(98));
        await("A master, B backup", () -> state(a) == VrrpState.MASTER && state(b) == VrrpState.BACKUP
                && vips.holders(VIP).equals(Set.of("A")));
        await("B hears A's adverts", () -> b.status("VI_6").counters().advertsReceived() >= 3);
        assertThat(b.status("VI_6").master()).contains(ip("fe80::a"));
        await("A announced the VIP (burst + delayed burst of 2)", () -> vips.garpCount("A", VIP) >= 4);
        synchronized (taps) {
            assertThat(taps).allSatisfy(d -> assertThat(d[0] & 0xf0).as("IPv6 datagrams").isEqualTo(0x60));
        }

        a.kill();
        vips.dropNode("A");
        await("B takes over", () -> state(b) == VrrpState.MASTER && vips.holders(VIP).equals(Set.of("B")));
        var a2 = start("A", "fe80::a", vi6(100));
        await("A preempts back", () -> state(a2) == VrrpState.MASTER && state(b) == VrrpState.BACKUP
                && vips.holders(VIP).equals(Set.of("A")));
    }

    @Test
    void equalPriorityTheLargerLinkLocalAddressWins() throws Exception {
        bus.partition(Set.of("L"), Set.of("H"));
        var low = start("L", "fe80::1:0", vi6(100));
        var high = start("H", "fe80::2:0", vi6(100));
        await("both master while cut off", () -> state(high) == VrrpState.MASTER && state(low) == VrrpState.MASTER);
        bus.heal();
        await("the larger address stays master", () -> state(high) == VrrpState.MASTER
                && state(low) == VrrpState.BACKUP && vips.holders(VIP).equals(Set.of("H")));
    }

    @Test
    void gnaIntervalSpacesTheNeighbourAdvertisements() throws Exception {
        var times = new CopyOnWriteArrayList<Long>();
        var node = vips.forNode("A");
        var recording = new AddressPlumbing() {
            @Override
            public void addAddress(String interfaceName, VrrpSettings.VirtualAddress vip) throws IOException {
                node.addAddress(interfaceName, vip);
            }

            @Override
            public void removeAddress(String interfaceName, VrrpSettings.VirtualAddress vip) throws IOException {
                node.removeAddress(interfaceName, vip);
            }

            @Override
            public void announce(String interfaceName, InetAddress address) throws IOException {
                times.add(System.nanoTime());
                node.announce(interfaceName, address);
            }
        };
        var interval = Duration.ofMillis(300);
        var settings = vi6(100).withGarp(new VrrpSettings.GarpSettings(Duration.ZERO, 3, Duration.ZERO, 1, interval));
        var engine = new VrrpEngine(List.of(settings), List.of(), bus.factory("A", ip("fe80::a")), recording,
                new ScriptRunner(4), Duration.ofSeconds(5));
        engines.add(engine);
        engine.start();
        await("three neighbour advertisements", () -> times.size() == 3);
        // The third waits two intervals after the first was due; the first ran at most a moment
        // after it was due, so at least one interval lies between them (back to back: none).
        assertThat(Duration.ofNanos(times.get(2) - times.get(0))).isGreaterThanOrEqualTo(interval);
        assertThat(Netns.await(Duration.ofSeconds(2), () -> times.size() > 3)).as("no more than three").isFalse();
    }
}
