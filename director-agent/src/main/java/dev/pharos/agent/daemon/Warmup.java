package dev.pharos.agent.daemon;

import dev.pharos.agent.linux.RawIpSocket;
import dev.pharos.agent.linux.RawIpv6Socket;
import dev.pharos.agent.sim.SimAddressPlumbing;
import dev.pharos.agent.sim.SimVrrpBus;
import dev.pharos.agent.vrrp.AuthType;
import dev.pharos.agent.vrrp.HotPathWarmup;
import dev.pharos.agent.vrrp.Ipv4Header;
import dev.pharos.agent.vrrp.ScriptRunner;
import dev.pharos.agent.vrrp.VrrpEngine;
import dev.pharos.agent.vrrp.VrrpPacket;
import dev.pharos.agent.vrrp.VrrpSettings;
import dev.pharos.agent.vrrp.VrrpState;
import dev.pharos.agent.vrrp.VrrpTransport;
import dev.pharos.agent.vrrp.VrrpVersion;
import java.net.Inet4Address;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/// Runs the VRRP code once through every transition before the real instances start, so the first
/// takeover of the day is not slowed by class loading, call-site linking and interpretation
/// (measured: a cold takeover came 5–8 ms late, a warm one 1–2 ms; see bench/failover).
///
/// Two throw-away engines on an in-memory bus elect, preempt and hand over with priority 0 at a
/// 20 ms advert interval; their log lines are silenced. Nothing touches the network.
final class Warmup {

    private static final System.Logger LOG = System.getLogger(Warmup.class.getName());

    private Warmup() {
    }

    static void run() {
        var quiet = List.of(Logger.getLogger("dev.pharos.agent.vrrp"), Logger.getLogger("dev.pharos.agent.sim"));
        var levels = quiet.stream().map(Logger::getLevel).toList();
        quiet.forEach(l -> l.setLevel(Level.OFF));
        long start = System.nanoTime();
        try (var bus = new SimVrrpBus(1)) {
            var a4 = address(192, 0, 2, 1);
            var b4 = address(192, 0, 2, 2);
            var vip = new VrrpSettings.VirtualAddress(address(192, 0, 2, 250), 32);
            var plumbing = new SimAddressPlumbing();
            var low = VrrpSettings.of("warmup-b", "sim0", 1, VrrpVersion.V3, 50, Duration.ofMillis(20), List.of(vip));
            var high = VrrpSettings.of("warmup-a", "sim0", 1, VrrpVersion.V3, 200, Duration.ofMillis(20), List.of(vip));
            var b = new VrrpEngine(List.of(low), List.of(), bus.factory("b", b4), plumbing.forNode("b"),
                    new ScriptRunner(1), Duration.ofSeconds(1));
            var a = new VrrpEngine(List.of(high), List.of(), bus.factory("a", a4), plumbing.forNode("a"),
                    new ScriptRunner(1), Duration.ofSeconds(1));
            b.start();
            awaitState(b, "warmup-b", VrrpState.MASTER);
            a.start();
            awaitState(a, "warmup-a", VrrpState.MASTER);
            awaitState(b, "warmup-b", VrrpState.BACKUP);
            a.stop(Duration.ofSeconds(1));
            awaitState(b, "warmup-b", VrrpState.MASTER);
            b.kill();
            // The v2 codec with PASS authentication, which the engines above did not use.
            var p = VrrpPacket.v2(1, 100, Duration.ofSeconds(1), AuthType.PASS, "warm", List.of(vip.address()));
            var datagram = Ipv4Header.datagram(a4, VrrpTransport.MULTICAST_GROUP, Ipv4Header.VRRP_TTL,
                    Ipv4Header.PROTOCOL_VRRP, p.encode(a4, VrrpTransport.MULTICAST_GROUP));
            VrrpPacket.decode(datagram, datagram.length);
        } catch (Exception e) {
            LOG.log(System.Logger.Level.DEBUG, "VRRP warm-up incomplete: {0}", e.toString());
        } finally {
            for (int i = 0; i < quiet.size(); i++) {
                quiet.get(i).setLevel(levels.get(i));
            }
        }
        LOG.log(System.Logger.Level.DEBUG, "VRRP warm-up took {0} ms", (System.nanoTime() - start) / 1_000_000);
    }

    /// Runs the engine's per-advert code and the raw socket's send and receive a few thousand
    /// times ([HotPathWarmup], [RawIpSocket#warmUpOnLoopback]) so the JIT compiles them: at one
    /// advert a second they would otherwise stay interpreted. Takes a few tens of milliseconds of
    /// one core, once, after start.
    static void compileHotPaths(LinuxAddressPlumbing plumbing, boolean ipv6) {
        long start = System.nanoTime();
        int engine = HotPathWarmup.run(COMPILE_ROUNDS, Duration.ofSeconds(5));
        int socket = RawIpSocket.warmUpOnLoopback(COMPILE_ROUNDS, Duration.ofSeconds(5));
        // The IPv6 socket only where an instance uses it: compiled code the agent never runs costs memory.
        int socket6 = ipv6 ? RawIpv6Socket.warmUpOnLoopback(COMPILE_ROUNDS, Duration.ofSeconds(5)) : 0;
        int address = plumbing == null ? 0 : plumbing.compile(PLUMBING_ROUNDS, Duration.ofSeconds(2));
        LOG.log(System.Logger.Level.DEBUG, "hot paths run {0} (engine), {1} (socket), {2} (IPv6 socket) and {3} (address)"
                + " times in {4} ms", engine, socket, socket6, address, (System.nanoTime() - start) / 1_000_000);
    }

    /// Each round is a refused netlink request and a refused frame: past C1's threshold of 200
    /// calls with room to spare, and a few milliseconds in all.
    private static final int PLUMBING_ROUNDS = 3000;

    /// Above C1's invocation thresholds (200 to start, 2,000 to compile a method's loop-free code).
    private static final int COMPILE_ROUNDS = 3000;

    private static void awaitState(VrrpEngine engine, String name, VrrpState state) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (System.nanoTime() < end && engine.status(name).state() != state) {
            Thread.sleep(5);
        }
    }

    private static Inet4Address address(int a, int b, int c, int d) {
        try {
            return (Inet4Address) Inet4Address.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
