package dev.pharos.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pharos.testing.Keepalived;
import dev.pharos.testing.Netns;
import dev.pharos.testing.PharosAgent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// Pharos and keepalived 2.4.3 with `auth_hmac` in network namespaces: signed adverts accepted
/// both ways (multicast and unicast, keys from files), a wrong key refused both ways, and the
/// rollout modes. Each pair runs two instances, one mastered by each side, so one run checks both
/// directions: the backup side must stay backup while it hears the other's adverts.
///
/// keepalived 2.4.3 is not a Debian package: the test takes a binary built beside the project
/// from the environment variable `PHAROS_KEEPALIVED_243`, and is skipped, saying so, without it.
class AuthHmacInteropTest {

    private static final String ENV = "PHAROS_KEEPALIVED_243";
    private static final Duration DEADLINE = Duration.ofSeconds(25);
    /// How long a backup must stay backup: four advert intervals past its Master_Down_Interval.
    private static final Duration HOLD = Duration.ofSeconds(4);
    private static final String VIP1 = "192.0.2.31";
    private static final String VIP2 = "192.0.2.32";
    private static final String KEY = "hex:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    private static final String OTHER_KEY = "hex:ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    @TempDir
    Path dir;
    private Path keepalived243;

    @BeforeEach
    void needsRootAndKeepalived243() {
        var env = System.getenv(ENV);
        assumeTrue(env != null && Files.isExecutable(Path.of(env)),
                "skipped: set " + ENV + " to a keepalived 2.4.3 binary (built from its v2.4.3 tag) to run the auth_hmac"
                        + " interop tests");
        assumeTrue(Netns.available(), "needs root and iproute2");
        keepalived243 = Path.of(env);
    }

    /// A key file as keepalived wants it: readable by its owner only.
    private Path keyFile(String name, String value) throws IOException {
        var file = dir.resolve(name);
        Files.writeString(file, value + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    /// `auth_hmac` with key 3 from `keyFile`, or nothing when `mode` is null.
    private static String hmac(Path keyFile, String mode) {
        if (mode == null) {
            return "";
        }
        return """
                    auth_hmac {
                        key 3 file:%s
                        active_key 3
                        mode %s
                    }
                """.formatted(keyFile, mode);
    }

    /// Two instances: VI_1 (VRID 71, `vip1`) at `priority1`, VI_2 (VRID 72) at `priority2`.
    private static String config(int version, int priority1, int priority2, String extra) {
        var instance = """
                vrrp_instance %s {
                    state BACKUP
                    interface ens33
                    virtual_router_id %d
                    priority %d
                    version %d
                    advert_int 1
                %s    virtual_ipaddress {
                        %s
                    }
                }
                """;
        return instance.formatted("VI_1", 71, priority1, version, extra, VIP1)
                + instance.formatted("VI_2", 72, priority2, version, extra, VIP2);
    }

    private static String unicast(String self, String peer) {
        return "    unicast_src_ip " + self + "\n    unicast_peer {\n        " + peer + "\n    }\n";
    }

    private static boolean holds(Netns.Host host, String vip) {
        return host.addresses("ens33").contains(vip);
    }

    /// Runs keepalived on `a` (master of VI_1) and Pharos on `b` (master of VI_2) and checks that
    /// each master keeps its VIP and each backup stays backup: both accept what the other sends.
    private void bothAccept(int version, String keepalivedExtra, String pharosExtra) {
        try (var net = Netns.create()) {
            var a = net.hostWithInterface("a", "ens33", "192.0.2.1/24");
            var b = net.hostWithInterface("b", "ens33", "192.0.2.2/24");
            try (var k = Keepalived.start(keepalived243, a, dir, "k", config(version, 200, 100, keepalivedExtra));
                 var p = PharosAgent.start(b, dir, "p", config(version, 100, 200, pharosExtra))) {
                assertThat(Netns.await(DEADLINE, () -> holds(a, VIP1) && holds(b, VIP2)))
                        .as("each side masters its instance%n%s%n%s", k.log(), p.log()).isTrue();
                assertThat(Netns.await(HOLD, () -> holds(a, VIP2) || holds(b, VIP1)))
                        .as("a backup took over: it refused the master's adverts%n%s%n%s", k.log(), p.log()).isFalse();
                assertThat(k.log()).as("keepalived's log").doesNotContain("authentication");
                assertThat(p.log()).as("Pharos's log").doesNotContain("authentication");
            }
        }
    }

    @Test
    void signedMulticastAdvertsAreAcceptedBothWaysAndSurviveAFailover() throws IOException {
        var key = keyFile("key", KEY);
        try (var net = Netns.create()) {
            var a = net.hostWithInterface("a", "ens33", "192.0.2.1/24");
            var b = net.hostWithInterface("b", "ens33", "192.0.2.2/24");
            try (var k = Keepalived.start(keepalived243, a, dir, "k", config(3, 200, 100, hmac(key, "enforce")));
                 var p = PharosAgent.start(b, dir, "p", config(3, 100, 200, hmac(key, "enforce")))) {
                assertThat(Netns.await(DEADLINE, () -> holds(a, VIP1) && holds(b, VIP2)))
                        .as("each side masters its instance%n%s%n%s", k.log(), p.log()).isTrue();
                assertThat(Netns.await(HOLD, () -> holds(a, VIP2) || holds(b, VIP1)))
                        .as("a backup took over%n%s%n%s", k.log(), p.log()).isFalse();
                // keepalived's signed priority-0 advert on SIGTERM hands VI_1 over at once.
                k.stop();
                assertThat(Netns.await(DEADLINE, () -> holds(b, VIP1))).as("Pharos took VI_1%n%s", p.log()).isTrue();
                assertThat(k.log()).doesNotContain("authentication");
                assertThat(p.log()).doesNotContain("authentication");
            }
        }
    }

    @Test
    void signedUnicastAdvertsAreAcceptedBothWays() throws IOException {
        var key = keyFile("key", KEY);
        var k = unicast("192.0.2.1", "192.0.2.2") + hmac(key, "enforce");
        var p = unicast("192.0.2.2", "192.0.2.1") + hmac(key, "enforce");
        bothAccept(2, k, p);
    }

    @Test
    void aWrongKeyIsRefusedBothWays() throws IOException {
        var right = keyFile("right", KEY);
        var wrong = keyFile("wrong", OTHER_KEY);
        try (var net = Netns.create()) {
            var a = net.hostWithInterface("a", "ens33", "192.0.2.1/24");
            var b = net.hostWithInterface("b", "ens33", "192.0.2.2/24");
            try (var k = Keepalived.start(keepalived243, a, dir, "k", config(3, 200, 100, hmac(right, "enforce")));
                 var p = PharosAgent.start(b, dir, "p", config(3, 100, 200, hmac(wrong, "enforce")))) {
                assertThat(p.awaitLog(DEADLINE, "(VI_1) advert from 192.0.2.1 has an invalid authentication HMAC"))
                        .as("Pharos names the bad HMAC%n%s", p.log()).isTrue();
                assertThat(k.awaitLog(DEADLINE, "(VI_2) invalid authentication HMAC from 192.0.2.2"))
                        .as("keepalived refuses Pharos's HMAC%n%s", k.log()).isTrue();
                // Neither hears the other: every instance ends up master on both sides.
                assertThat(Netns.await(DEADLINE, () -> holds(a, VIP2) && holds(b, VIP1)))
                        .as("split brain%n%s%n%s", k.log(), p.log()).isTrue();
            }
        }
    }

    /// The rollout: no auth_hmac → receive-only → permissive → enforce, one side a step ahead of
    /// the other each time, is hitless both ways.
    @Test
    void eachRolloutStepIsHitless() throws IOException {
        var key = keyFile("key", KEY);
        bothAccept(3, hmac(key, null), hmac(key, "receive-only"));
        bothAccept(3, hmac(key, "permissive"), hmac(key, "receive-only"));
        bothAccept(3, hmac(key, "permissive"), hmac(key, "enforce"));
    }

    /// Skipping a step is not hitless: an enforcing keepalived refuses a receive-only Pharos's
    /// unsigned adverts and takes its instance too.
    @Test
    void enforceRefusesAReceiveOnlyPeer() throws IOException {
        var key = keyFile("key", KEY);
        try (var net = Netns.create()) {
            var a = net.hostWithInterface("a", "ens33", "192.0.2.1/24");
            var b = net.hostWithInterface("b", "ens33", "192.0.2.2/24");
            try (var k = Keepalived.start(keepalived243, a, dir, "k", config(3, 200, 100, hmac(key, "enforce")));
                 var p = PharosAgent.start(b, dir, "p", config(3, 100, 200, hmac(key, "receive-only")))) {
                assertThat(k.awaitLog(DEADLINE, "(VI_2) missing authentication trailer from 192.0.2.2"))
                        .as("%s", k.log()).isTrue();
                assertThat(Netns.await(DEADLINE, () -> holds(a, VIP2))).as("keepalived took VI_2%n%s", k.log()).isTrue();
                assertThat(holds(b, VIP1)).as("Pharos verified keepalived's adverts and stayed backup of VI_1").isFalse();
            }
        }
    }
}
