package dev.pharos.agent.vrrp;

import static dev.pharos.agent.vrrp.VrrpPacketTest.ip;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.sim.SimAddressPlumbing;
import dev.pharos.agent.sim.SimVrrpBus;
import dev.pharos.agent.vrrp.AuthHmacSettings.AntiReplay;
import dev.pharos.agent.vrrp.AuthHmacSettings.Key;
import dev.pharos.agent.vrrp.AuthHmacSettings.Mode;
import dev.pharos.agent.vrrp.VrrpSettings.VirtualAddress;
import dev.pharos.testing.Netns;
import java.net.Inet4Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/// `auth_hmac` between Pharos engines on the in-memory bus: signed adverts are followed, a wrong
/// key, an unsigned advert under enforce, an unsigned peer and a replayed advert are refused and
/// counted, and the migration modes take unsigned adverts.
class AuthHmacEngineTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration CS30 = Duration.ofMillis(300);
    private static final Inet4Address VIP = ip("192.0.2.100");
    private static final byte[] KEY = AuthTrailerTest.KEY_1;
    private static final byte[] OTHER = AuthTrailerTest.KEY_7;

    private final SimVrrpBus bus = new SimVrrpBus(11);
    private final SimAddressPlumbing vips = new SimAddressPlumbing();
    private final List<VrrpEngine> engines = new ArrayList<>();

    @AfterEach
    void tearDown() {
        engines.forEach(VrrpEngine::kill);
        bus.close();
    }

    private static VrrpSettings settings(int priority, byte[] key, Mode mode) {
        var s = VrrpSettings.of("VI_1", "eth0", 51, VrrpVersion.V3, priority, CS30, List.of(new VirtualAddress(VIP, 24)));
        return key == null ? s : s.withAuthHmac(new AuthHmacSettings(mode, List.of(new Key(4, key)), 4, AntiReplay.TIME,
                Duration.ofSeconds(5)));
    }

    private VrrpEngine start(String node, String address, VrrpSettings settings) throws Exception {
        var engine = new VrrpEngine(List.of(settings), List.of(), bus.factory(node, ip(address)), vips.forNode(node),
                new ScriptRunner(4), Duration.ofSeconds(5));
        engines.add(engine);
        engine.start();
        return engine;
    }

    private static void await(String what, BooleanSupplier condition) {
        assertThat(Netns.await(WAIT, condition)).as(what).isTrue();
    }

    private static VrrpState state(VrrpEngine e) {
        return e.status("VI_1").state();
    }

    private static long failures(VrrpEngine e, ReceiveCheck check) {
        return e.status("VI_1").counters().checkFailures().get(check);
    }

    @Test
    void theSameKeyIsFollowedAnotherIsRefused() throws Exception {
        var a = start("A", "192.0.2.1", settings(100, KEY, Mode.ENFORCE));
        await("A master", () -> state(a) == VrrpState.MASTER);
        var b = start("B", "192.0.2.2", settings(90, KEY, Mode.ENFORCE));
        await("same key: B follows A", () -> b.status("VI_1").counters().advertsReceived() >= 3
                && state(b) == VrrpState.BACKUP);
        var c = start("C", "192.0.2.3", settings(80, OTHER, Mode.ENFORCE));
        await("another key: C refuses A's adverts and is master too",
                () -> state(c) == VrrpState.MASTER && failures(c, ReceiveCheck.AUTH_HMAC_BAD_HMAC) >= 1);
        assertThat(failures(b, ReceiveCheck.AUTH_HMAC_BAD_HMAC)).as("B refuses C's adverts").isPositive();
        assertThat(state(b)).isEqualTo(VrrpState.BACKUP);
    }

    @Test
    void enforceRefusesUnsignedAdvertsTheMigrationModesTakeThem() throws Exception {
        var plain = start("A", "192.0.2.1", settings(100, null, Mode.ENFORCE));
        await("A master", () -> state(plain) == VrrpState.MASTER);
        var receiveOnly = start("B", "192.0.2.2", settings(90, KEY, Mode.RECEIVE_ONLY));
        var permissive = start("C", "192.0.2.3", settings(80, KEY, Mode.PERMISSIVE));
        var enforce = start("D", "192.0.2.4", settings(70, KEY, Mode.ENFORCE));
        await("the migration modes follow the unsigned master; enforce refuses it",
                () -> state(receiveOnly) == VrrpState.BACKUP && receiveOnly.status("VI_1").counters().advertsReceived() >= 3
                        && state(permissive) == VrrpState.BACKUP
                        && failures(enforce, ReceiveCheck.AUTH_HMAC_MISSING) >= 3);
        // The unconfigured master takes the signed adverts of permissive C and enforcing D as too long.
        await("A counts the trailers it cannot take", () -> failures(plain, ReceiveCheck.LENGTH) >= 1);
    }

    /// keepalived's rollout, node by node by reload, and then a key rotation: the master stays
    /// master and the backup backup at every step, and nothing is refused on the way.
    @Test
    void theRolloutAndAKeyRotationByReloadAreHitless() throws Exception {
        var a = start("A", "192.0.2.1", settings(100, null, Mode.ENFORCE));
        var b = start("B", "192.0.2.2", settings(90, null, Mode.ENFORCE));
        await("B follows A", () -> state(a) == VrrpState.MASTER && state(b) == VrrpState.BACKUP);
        var steps = List.of(Mode.RECEIVE_ONLY, Mode.PERMISSIVE, Mode.ENFORCE);
        for (var mode : steps) {
            for (var node : List.of(b, a)) {
                int priority = node == a ? 100 : 90;
                var result = node.reconfigure(List.of(settings(priority, KEY, mode)), List.of());
                assertThat(result.kept()).as("%s applied in place", mode).containsExactly("VI_1");
                long heard = b.status("VI_1").counters().advertsReceived();
                await("B hears A after the " + mode + " step", () -> b.status("VI_1").counters().advertsReceived() >= heard + 3);
            }
        }
        // Rotation: both learn key 5, then A signs with it.
        var both = List.of(new Key(4, KEY), new Key(5, OTHER));
        b.reconfigure(List.of(settings(90, null, Mode.ENFORCE).withAuthHmac(
                new AuthHmacSettings(Mode.ENFORCE, both, 4, AntiReplay.TIME, Duration.ofSeconds(5)))), List.of());
        a.reconfigure(List.of(settings(100, null, Mode.ENFORCE).withAuthHmac(
                new AuthHmacSettings(Mode.ENFORCE, both, 5, AntiReplay.TIME, Duration.ofSeconds(5)))), List.of());
        long heard = b.status("VI_1").counters().advertsReceived();
        await("B hears A signing with key 5", () -> b.status("VI_1").counters().advertsReceived() >= heard + 3);
        assertThat(a.status("VI_1").counters().becameMaster()).as("A became master once").isEqualTo(1);
        assertThat(b.status("VI_1").counters().becameMaster()).as("B never").isZero();
        for (var e : List.of(a, b)) {
            assertThat(e.status("VI_1").counters().checkFailures().entrySet().stream()
                    .filter(f -> f.getKey().name().startsWith("AUTH_HMAC") && f.getValue() > 0).toList())
                    .as("refusals").isEmpty();
        }
    }

    @Test
    void aReplayedAdvertIsRefused() throws Exception {
        var a = start("A", "192.0.2.1", settings(100, KEY, Mode.ENFORCE));
        var b = start("B", "192.0.2.2", settings(90, KEY, Mode.ENFORCE));
        await("B follows A", () -> state(a) == VrrpState.MASTER && state(b) == VrrpState.BACKUP);
        var spy = bus.transport("X", ip("192.0.2.66"));
        var captured = new AtomicReference<byte[]>();
        spy.start((d, len, at) -> captured.compareAndSet(null, Arrays.copyOf(d, len)));
        await("an advert is captured", () -> captured.get() != null);
        var replayer = bus.transport("R", ip("192.0.2.1")); // A's address, as a replay would claim
        replayer.start((d, len, at) -> { });
        var datagram = captured.get();
        int ihl = (datagram[0] & 0x0f) * 4;
        replayer.send(VrrpTransport.MULTICAST_GROUP, Arrays.copyOfRange(datagram, ihl, datagram.length));
        await("B refuses the replay", () -> failures(b, ReceiveCheck.AUTH_HMAC_REPLAY) >= 1);
        spy.close();
        replayer.close();
    }
}
