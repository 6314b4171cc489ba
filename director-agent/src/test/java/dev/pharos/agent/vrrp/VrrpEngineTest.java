package dev.pharos.agent.vrrp;

import static dev.pharos.agent.vrrp.VrrpPacketTest.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pharos.agent.sim.SimAddressPlumbing;
import dev.pharos.agent.sim.SimVrrpBus;
import dev.pharos.agent.vrrp.VrrpSettings.NotifyCommands;
import dev.pharos.agent.vrrp.VrrpSettings.TrackInterface;
import dev.pharos.agent.vrrp.VrrpSettings.TrackScript;
import dev.pharos.agent.vrrp.VrrpSettings.VirtualAddress;
import dev.pharos.testing.Netns;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// The runtime around the router: receive checks and their counters, VRRPv2 PASS, tracking,
/// sync groups and notify scripts, on the in-memory bus with real short intervals.
class VrrpEngineTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration CS30 = Duration.ofMillis(300);
    private static final Inet4Address VIP = ip("192.0.2.100");
    private static final Inet4Address VIP2 = ip("198.51.100.100");

    private final SimVrrpBus bus = new SimVrrpBus(7);
    private final SimAddressPlumbing vips = new SimAddressPlumbing();
    private final List<VrrpEngine> engines = new ArrayList<>();

    // Cleaned up by tearDown, not by JUnit: a notify script started just before the engines were
    // killed may still append to its log while JUnit deletes the directory (seen in CI).
    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.NEVER)
    Path dir;

    @AfterEach
    void tearDown() throws Exception {
        engines.forEach(VrrpEngine::kill);
        bus.close();
        long end = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
        while (ProcessHandle.current().children().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < end) {
            Thread.onSpinWait();
            ProcessHandle.current().children().findFirst().ifPresent(p -> p.onExit().completeOnTimeout(p, 100,
                    java.util.concurrent.TimeUnit.MILLISECONDS).join());
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    private static VrrpSettings v3(String name, int vrid, String ifname, int priority, Inet4Address vip) {
        return VrrpSettings.of(name, ifname, vrid, VrrpVersion.V3, priority, CS30, List.of(new VirtualAddress(vip, 24)));
    }

    private VrrpEngine start(String node, String address, List<VrrpSettings> settings, List<VrrpSyncGroup> groups)
            throws Exception {
        var engine = new VrrpEngine(settings, groups, bus.factory(node, ip(address)), vips.forNode(node),
                new ScriptRunner(4), Duration.ofSeconds(5));
        engines.add(engine);
        engine.start();
        return engine;
    }

    private VrrpEngine start(String node, String address, VrrpSettings settings) throws Exception {
        return start(node, address, List.of(settings), List.of());
    }

    private static void await(String what, BooleanSupplier condition) {
        assertThat(Netns.await(WAIT, condition)).as(what).isTrue();
    }

    private static VrrpState state(VrrpEngine e, String instance) {
        return e.status(instance).state();
    }

    @Test
    void receiveChecksAreCountedPerReason() throws Exception {
        var a = start("A", "192.0.2.1", v3("VI_1", 51, "eth0", 100, VIP));
        await("A master", () -> state(a, "VI_1") == VrrpState.MASTER);
        var intruder = bus.transport("X", ip("192.0.2.66"));
        intruder.start((d, len, at) -> { });
        var group = VrrpTransport.MULTICAST_GROUP;
        var src = ip("192.0.2.66");
        intruder.send(group, VrrpPacket.v3(52, 1, CS30, List.of(VIP)).encode(src, group));
        intruder.send(group, VrrpPacket.v2(51, 1, Duration.ofSeconds(1), AuthType.NONE, "", List.of(VIP)).encode(src, group));
        var records = new java.util.concurrent.CopyOnWriteArrayList<String>();
        var handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                records.add(java.text.MessageFormat.format(r.getMessage(), r.getParameters()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        var jul = java.util.logging.Logger.getLogger(VrrpInstance.class.getName());
        jul.addHandler(handler);
        var corrupt = VrrpPacket.v3(51, 1, CS30, List.of(VIP)).encode(src, group);
        corrupt[2] = 2;
        for (int i = 0; i < 3; i++) {
            intruder.send(group, corrupt);
        }
        intruder.send(group, VrrpPacket.v3(51, 1, CS30, List.of(ip("192.0.2.101"))).encode(src, group));
        intruder.send(group, VrrpPacket.v3(51, 1, Duration.ofSeconds(1), List.of(VIP)).encode(src, group));
        await("every check counted", () -> {
            var f = a.status("VI_1").counters().checkFailures();
            return f.get(ReceiveCheck.VRID) == 1 && f.get(ReceiveCheck.VERSION_MISMATCH) == 1
                    && f.get(ReceiveCheck.CHECKSUM) == 3 && f.get(ReceiveCheck.ADDRESS_LIST) == 1
                    && f.get(ReceiveCheck.INTERVAL) == 1;
        });
        // address list and v3 interval mismatches are logged but the adverts are used (keepalived)
        assertThat(a.status("VI_1").counters().advertsReceived()).isEqualTo(2);
        assertThat(state(a, "VI_1")).isEqualTo(VrrpState.MASTER);
        jul.removeHandler(handler);
        // one line per distinct reason, rate-limited: three bad checksums, one report
        assertThat(records.stream().filter(r -> r.contains("checksum"))).singleElement().asString()
                .startsWith("(VI_1) from 192.0.2.66: VRRP checksum");
        intruder.close();
    }

    @Test
    void v2PassAuthenticationMustMatch() throws Exception {
        var base = VrrpSettings.of("VI_1", "eth0", 90, VrrpVersion.V2, 100, Duration.ofSeconds(1), List.of(new VirtualAddress(VIP, 24)));
        var a = start("A", "192.0.2.1", base.withAuth(AuthType.PASS, "1111"));
        var b = start("B", "192.0.2.2", VrrpSettings.of("VI_1", "eth0", 90, VrrpVersion.V2, 98, Duration.ofSeconds(1),
                List.of(new VirtualAddress(VIP, 24))).withAuth(AuthType.PASS, "2222"));
        await("wrong password: B drops A's adverts and becomes master too",
                () -> state(a, "VI_1") == VrrpState.MASTER && state(b, "VI_1") == VrrpState.MASTER
                        && b.status("VI_1").counters().checkFailures().get(ReceiveCheck.AUTH_FAILURE) >= 1);
        var c = start("C", "192.0.2.3", VrrpSettings.of("VI_1", "eth0", 90, VrrpVersion.V2, 99, Duration.ofSeconds(1),
                List.of(new VirtualAddress(VIP, 24))).withAuth(AuthType.PASS, "1111"));
        await("right password: C follows A", () -> c.status("VI_1").counters().advertsReceived() >= 2
                && state(c, "VI_1") == VrrpState.BACKUP);
        var d = start("D", "192.0.2.4", VrrpSettings.of("VI_1", "eth0", 90, VrrpVersion.V2, 97, Duration.ofSeconds(1),
                List.of(new VirtualAddress(VIP, 24))));
        await("no auth against PASS: type mismatch counted",
                () -> d.status("VI_1").counters().checkFailures().get(ReceiveCheck.AUTH_TYPE_MISMATCH) >= 1);
    }

    /// A backup whose master goes silent prepares the address work before its timer fires, then
    /// adds the VIP and sends its gratuitous ARPs on the engine thread itself, right after the
    /// advert (nothing else was pending), as keepalived does.
    @Test
    void aTakeoverPreparesThenAddsOnTheEngineThread() throws Exception {
        var calls = new java.util.concurrent.CopyOnWriteArrayList<String>();
        var sim = vips.forNode("B");
        var recording = new AddressPlumbing() {
            @Override
            public void addAddress(String interfaceName, VirtualAddress vip) throws java.io.IOException {
                calls.add("add on " + Thread.currentThread().getName());
                sim.addAddress(interfaceName, vip);
            }

            @Override
            public void removeAddress(String interfaceName, VirtualAddress vip) throws java.io.IOException {
                calls.add("remove");
                sim.removeAddress(interfaceName, vip);
            }

            @Override
            public void announce(String interfaceName, InetAddress address) throws java.io.IOException {
                calls.add("garp on " + Thread.currentThread().getName());
                sim.announce(interfaceName, address);
            }

            @Override
            public void prepareToAdd(String interfaceName, List<VirtualAddress> toAdd) {
                calls.add("prepare " + interfaceName + " " + toAdd.getFirst().address().getHostAddress());
            }
        };
        var a = start("A", "192.0.2.1", v3("VI_1", 51, "eth0", 200, VIP));
        await("A master", () -> state(a, "VI_1") == VrrpState.MASTER);
        var b = new VrrpEngine(List.of(v3("VI_1", 51, "eth0", 100, VIP)), List.of(), bus.factory("B", ip("192.0.2.2")),
                recording, new ScriptRunner(1), Duration.ofSeconds(5));
        engines.add(b);
        b.start();
        await("B backup", () -> state(b, "VI_1") == VrrpState.BACKUP);
        calls.clear();
        a.kill();
        await("B takes over and announces", () -> state(b, "VI_1") == VrrpState.MASTER
                && calls.stream().anyMatch(c -> c.startsWith("garp")));
        // Preparing is skipped when the engine wakes too late for it (a loaded machine); if done, first.
        assertThat(calls.indexOf("prepare eth0 192.0.2.100")).as("%s", calls).isIn(-1, 0);
        var work = calls.stream().filter(c -> !c.startsWith("prepare")).toList();
        assertThat(work.subList(0, 2)).as("%s", calls).containsExactly("add on vrrp-engine", "garp on vrrp-engine");
    }

    @Test
    void trackScriptWeightMovesTheMaster() throws Exception {
        var flag = dir.resolve("healthy");
        var script = new TrackScript("chk_flag", List.of("test", "-e", flag.toString()), Duration.ofMillis(100),
                Duration.ofSeconds(2), -10, 2, 2);
        var a = start("A", "192.0.2.1", v3("VI_1", 51, "eth0", 100, VIP).withTracking(List.of(), List.of(script)));
        var b = start("B", "192.0.2.2", v3("VI_1", 51, "eth0", 95, VIP));
        await("failing script: A at 90, B master", () -> a.status("VI_1").effectivePriority() == 90
                && state(b, "VI_1") == VrrpState.MASTER && state(a, "VI_1") == VrrpState.BACKUP);
        Files.createFile(flag);
        await("script rises after 2 successes: A preempts at 100", () -> a.status("VI_1").effectivePriority() == 100
                && state(a, "VI_1") == VrrpState.MASTER && state(b, "VI_1") == VrrpState.BACKUP);
    }

    @Test
    void reverseWeightsApplyUnderTheSameConditionTheOtherWay_keepalivedWeightMultiplier() throws Exception {
        var flag = dir.resolve("ok");
        Files.createFile(flag);
        // keepalived: a positive weight with reverse is subtracted while the script succeeds
        var script = new TrackScript("chk_ok", List.of("test", "-e", flag.toString()), Duration.ofMillis(100),
                Duration.ofSeconds(2), 10, true, 1, 1);
        var a = start("A", "192.0.2.1", v3("VI_1", 51, "eth0", 100, VIP)
                .withTracking(List.of(new TrackInterface("eth9", 0, true)), List.of(script)));
        await("eth9 up with weight 0 reverse: FAULT", () -> state(a, "VI_1") == VrrpState.FAULT
                && a.status("VI_1").faults().equals(Set.of("track_interface eth9 up")));
        a.interfaceState("eth9", false);
        await("eth9 down clears it; the succeeding script takes 10 off", () -> state(a, "VI_1") == VrrpState.MASTER
                && a.status("VI_1").effectivePriority() == 90);
        Files.delete(flag);
        await("failing script: the weight no longer applies", () -> a.status("VI_1").effectivePriority() == 100);
    }

    @Test
    void weightZeroScriptAndInterfaceDownMeanFault() throws Exception {
        var flag = dir.resolve("up");
        Files.createFile(flag);
        var script = new TrackScript("chk_up", List.of("test", "-e", flag.toString()), Duration.ofMillis(100),
                Duration.ofSeconds(2), 0, 1, 1);
        var a = start("A", "192.0.2.1", v3("VI_1", 51, "eth0", 100, VIP)
                .withTracking(List.of(new TrackInterface("eth9", 0)), List.of(script)));
        await("A master once the script succeeded", () -> state(a, "VI_1") == VrrpState.MASTER);
        Files.delete(flag);
        await("failing weight-0 script: FAULT, VIP gone", () -> state(a, "VI_1") == VrrpState.FAULT
                && vips.holders(VIP).isEmpty());
        Files.createFile(flag);
        await("recovered", () -> state(a, "VI_1") == VrrpState.MASTER);
        a.interfaceState("eth9", false);
        await("tracked interface down: FAULT", () -> state(a, "VI_1") == VrrpState.FAULT
                && a.status("VI_1").faults().equals(Set.of("track_interface eth9 down")));
        a.interfaceState("eth9", true);
        a.interfaceState("eth0", false);
        await("own interface down: FAULT", () -> state(a, "VI_1") == VrrpState.FAULT
                && a.status("VI_1").faults().equals(Set.of("interface eth0 down")));
        a.interfaceState("eth0", true);
        await("up again", () -> state(a, "VI_1") == VrrpState.MASTER);
    }

    /// A notify script that appends its arguments to `log`; run directly (no shell around it).
    private Path recorder(Path log) throws java.io.IOException {
        var script = dir.resolve("notify-" + log.getFileName() + ".sh");
        Files.writeString(script, "#!/bin/sh\necho \"$@\" >> '" + log + "'\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    @Test
    void syncGroupMembersMoveTogether() throws Exception {
        var log = dir.resolve("group-log");
        var groupNotify = new NotifyCommands(List.of(), List.of(), List.of(), List.of(), List.of(recorder(log).toString()));
        var group = new VrrpSyncGroup("G1", List.of("VI_1", "VI_2"), false, groupNotify);
        var a = start("A", "192.0.2.1", List.of(v3("VI_1", 51, "eth0", 100, VIP), v3("VI_2", 52, "eth1", 100, VIP2)),
                List.of(group));
        var b = start("B", "192.0.2.2", List.of(v3("VI_1", 51, "eth0", 98, VIP), v3("VI_2", 52, "eth1", 98, VIP2)),
                List.of(group));
        await("A master of both", () -> state(a, "VI_1") == VrrpState.MASTER && state(a, "VI_2") == VrrpState.MASTER
                && state(b, "VI_1") == VrrpState.BACKUP && state(b, "VI_2") == VrrpState.BACKUP);
        a.interfaceState("eth1", false);
        await("one member faults: all fault; B takes both", () -> state(a, "VI_1") == VrrpState.FAULT
                && state(a, "VI_2") == VrrpState.FAULT && state(b, "VI_1") == VrrpState.MASTER
                && state(b, "VI_2") == VrrpState.MASTER
                && vips.holders(VIP).equals(Set.of("B")) && vips.holders(VIP2).equals(Set.of("B")));
        assertThat(a.status("VI_1").faults()).containsExactly("sync group G1: VI_2 in FAULT");
        a.interfaceState("eth1", true);
        await("A back as master of both", () -> state(a, "VI_1") == VrrpState.MASTER && state(a, "VI_2") == VrrpState.MASTER
                && state(b, "VI_1") == VrrpState.BACKUP && state(b, "VI_2") == VrrpState.BACKUP);
        await("group notify with keepalived's arguments", () -> lines(log).containsAll(
                List.of("GROUP G1 BACKUP 0", "GROUP G1 MASTER 0", "GROUP G1 FAULT 0")));
    }

    @Test
    void syncGroupMembersTrackWithoutWeights_keepalivedSyncGroupTracking() throws Exception {
        var flag = dir.resolve("ok");
        var script = new TrackScript("chk_ok", List.of("test", "-e", flag.toString()), Duration.ofMillis(100),
                Duration.ofSeconds(2), -50, 1, 1);
        var group = new VrrpSyncGroup("G1", List.of("VI_1", "VI_2"), false, NotifyCommands.NONE);
        var a = start("A", "192.0.2.1", List.of(v3("VI_1", 51, "eth0", 100, VIP).withTracking(List.of(), List.of(script)),
                v3("VI_2", 52, "eth1", 100, VIP2)), List.of(group));
        await("the weighted script counts as weight 0: failing means FAULT for the whole group",
                () -> state(a, "VI_1") == VrrpState.FAULT && state(a, "VI_2") == VrrpState.FAULT);
        assertThat(a.status("VI_1").effectivePriority()).isEqualTo(100);
        Files.createFile(flag);
        await("both recover", () -> state(a, "VI_1") == VrrpState.MASTER && state(a, "VI_2") == VrrpState.MASTER);
    }

    @Test
    void notifyScriptsGetKeepalivedArguments() throws Exception {
        var log = dir.resolve("log");
        var s = recorder(log).toString();
        var notify = new NotifyCommands(List.of(s, "to-master"), List.of(s, "to-backup"), List.of(s, "to-fault"),
                List.of(s, "to-stop"), List.of(s));
        var a = start("A", "192.0.2.1", v3("VI_1", 51, "eth0", 100, VIP).withNotify(notify));
        BooleanSupplier masterNotified = () -> lines(log).containsAll(List.of("to-backup", "INSTANCE VI_1 BACKUP 100",
                "to-master", "INSTANCE VI_1 MASTER 100"));
        await("backup and master notified", masterNotified);
        a.interfaceState("eth0", false);
        await("fault notified", () -> lines(log).containsAll(List.of("to-fault", "INSTANCE VI_1 FAULT 100")));
        a.stop(Duration.ofSeconds(5));
        await("stop notified", () -> lines(log).containsAll(List.of("to-stop", "INSTANCE VI_1 STOP 100")));
    }

    private static List<String> lines(Path p) {
        try {
            return Files.exists(p) ? Files.readAllLines(p) : List.of();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void scriptRunnerTimesOutAndReportsFailures() throws Exception {
        var runner = new ScriptRunner(2);
        assertThat(runner.run(List.of("true"), Duration.ofSeconds(5)).get().success()).isTrue();
        var failed = runner.run(List.of("false"), Duration.ofSeconds(5)).get();
        assertThat(failed.success()).isFalse();
        assertThat(failed.exitCode()).isEqualTo(1);
        var slow = runner.run(List.of("sleep", "30"), Duration.ofMillis(200)).get();
        assertThat(slow.problem()).startsWith("timed out");
        var missing = runner.run(List.of(dir.resolve("absent").toString()), Duration.ofSeconds(5)).get();
        assertThat(missing.problem()).startsWith("cannot start");
    }

    /// RFC 5798 §1: the IPv4 and IPv6 virtual routers with one VRID on one interface are separate,
    /// as keepalived and FRR's vrrpd (`vrrp 5 ip …`, `vrrp 5 ipv6 …`) configure them; the same VRID
    /// twice in one family is still refused.
    @Test
    void oneVridServesAnIpv4AndAnIpv6InstanceOnOneInterface() throws Exception {
        var transports = bus.factory("A", ip("192.0.2.1"));
        var plumbing = vips.forNode("A");
        var v6 = VrrpSettings.of("VI_6", "eth0", 5, VrrpVersion.V3, 100, CS30,
                List.of(new VirtualAddress(InetAddress.getByName("2001:db8::50"), 64)));
        var v6again = VrrpSettings.of("VI_7", "eth0", 5, VrrpVersion.V3, 100, CS30,
                List.of(new VirtualAddress(InetAddress.getByName("2001:db8::51"), 64)));
        var engine = new VrrpEngine(List.of(v3("VI_4", 5, "eth0", 100, VIP), v6), List.of(), transports, plumbing,
                new ScriptRunner(1), Duration.ofSeconds(1));
        assertThat(engine).isNotNull();
        assertThatThrownBy(() -> new VrrpEngine(List.of(v6, v6again), List.of(), transports, plumbing,
                new ScriptRunner(1), Duration.ofSeconds(1)))
                .hasMessageContaining("(VI_7) virtual_router_id 5 is already used on eth0 for IPv6");
    }

    @Test
    void refusesInconsistentConfiguration() {
        var transports = bus.factory("A", ip("192.0.2.1"));
        var plumbing = vips.forNode("A");
        var one = v3("VI_1", 51, "eth0", 100, VIP);
        assertThatThrownBy(() -> new VrrpEngine(List.of(one, v3("VI_2", 51, "eth0", 100, VIP2)), List.of(),
                transports, plumbing, new ScriptRunner(1), Duration.ofSeconds(1)))
                .hasMessageContaining("(VI_2) virtual_router_id 51 is already used on eth0");
        assertThatThrownBy(() -> new VrrpEngine(List.of(one), List.of(new VrrpSyncGroup("G", List.of("VI_1", "VI_9"),
                false, NotifyCommands.NONE)), transports, plumbing, new ScriptRunner(1), Duration.ofSeconds(1)))
                .hasMessageContaining("vrrp_sync_group G names unknown instance VI_9");
        assertThatThrownBy(() -> v3("VI_1", 256, "eth0", 100, VIP)).hasMessageContaining("(VI_1) virtual_router_id 256");
        assertThatThrownBy(() -> VrrpSettings.of("VI_1", "eth0", 1, VrrpVersion.V3, 100, Duration.ofMillis(5), List.of()))
                .hasMessageContaining("(VI_1) advert_int");
    }
}
