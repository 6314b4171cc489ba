package dev.pharos.console.adopt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pharos.console.connect.DirectorEndpoint;
import dev.pharos.console.connect.Prompts;
import dev.pharos.console.connect.SshConnector;
import dev.pharos.console.connect.Sshd;
import dev.pharos.console.model.ClusterModel;
import dev.pharos.console.model.DirectorModel;
import dev.pharos.console.model.HostReadings;
import dev.pharos.console.model.Liveness;
import dev.pharos.console.model.VrrpState;
import dev.pharos.testing.Netns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// Adopting a real keepalived pair, each in its own namespace behind its own OpenSSH: the cards'
/// model shows who is MASTER and who holds the VIP, the virtual servers of an included file, the
/// host's lack of IPVS, the age of each piece; and when keepalived stops, its director is stale
/// (not a confident MASTER) while the peer takes over.
class AdoptKeepalivedTest {

    static String config(String state, int priority, Path include) {
        return """
                vrrp_instance VI_1 {
                    state %s
                    interface eth0
                    virtual_router_id 73
                    priority %d
                    advert_int 1
                    virtual_ipaddress {
                        192.0.2.100/24
                    }
                }
                include %s/*.conf
                """.formatted(state, priority, include);
    }

    static final String SERVICES = """
            virtual_server 192.0.2.100 80 {
                lb_algo wrr
                lb_kind DR
                protocol TCP
                real_server 198.51.100.11 80 {
                    weight 2
                }
            }
            """;

    /// keepalived as a service would run it, with its dumps in its own `TMPDIR` (two of them share
    /// this machine's /tmp).
    static Process keepalived(Netns.Host host, Path dir, String name, String config) throws Exception {
        Files.createDirectories(dir.resolve("tmp-" + name));
        var conf = dir.resolve(name + ".conf");
        Files.writeString(conf, config);
        return host.start(dir.resolve(name + ".log"), "env", "TMPDIR=" + dir.resolve("tmp-" + name),
                "/usr/sbin/keepalived", "-n", "-l", "-D", "-P", "-G", "-f", conf.toString(),
                "-p", dir.resolve(name + ".pid").toString(), "-r", dir.resolve(name + ".vrrp.pid").toString());
    }

    @Test
    void showsRolesVipOwnerAndStalenessOfARealPair(@TempDir Path dir) throws Exception {
        assumeTrue(Sshd.available() && Files.isExecutable(Path.of("/usr/sbin/keepalived")),
                "needs root, network namespaces, OpenSSH and keepalived");
        ExecutorService fx = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().name("test-fx").unstarted(r));
        try (var net = Netns.create();
                var sshdA = new Sshd(Files.createDirectory(dir.resolve("sshd-a")));
                var sshdB = new Sshd(Files.createDirectory(dir.resolve("sshd-b")))) {
            var a = net.host("a", "192.0.2.1/24");
            var b = net.host("b", "192.0.2.2/24");
            var include = Files.createDirectory(dir.resolve("conf.d"));
            Files.writeString(include.resolve("services.conf"), SERVICES);
            var keyA = sshdA.clientKey("key", "", false);
            var keyB = sshdB.clientKey("key", "", false);
            sshdA.sessionsIn(a.name());
            sshdB.sessionsIn(b.name());
            sshdA.start();
            sshdB.start();
            var kaA = keepalived(a, dir, "a", config("MASTER", 150, include));
            keepalived(b, dir, "b", config("BACKUP", 100, include));
            var cluster = new ClusterModel("kept", fx);
            var connector = new SshConnector(dir.resolve("known_hosts"), null, (h, t, f) -> true, Prompts.NONE);
            var epA = new DirectorEndpoint("lvs-a", "127.0.0.1", sshdA.port, "root", keyA, null, null,
                    DirectorEndpoint.Kind.KEEPALIVED);
            var epB = new DirectorEndpoint("lvs-b", "127.0.0.1", sshdB.port, "root", keyB, null, null,
                    DirectorEndpoint.Kind.KEEPALIVED);
            var listenerA = onFx(fx, () -> cluster.adoptedListenerFor("lvs-a"));
            var listenerB = onFx(fx, () -> cluster.adoptedListenerFor("lvs-b"));
            var period = Duration.ofSeconds(1);
            try (var readerA = new KeepalivedReader(epA, connector::openHost, listenerA, period, Duration.ofSeconds(20)).start();
                    var readerB = new KeepalivedReader(epB, connector::openHost, listenerB, period, Duration.ofSeconds(20)).start()) {
                Function<String, DirectorModel> director = name -> onFx(fx, () -> cluster.director(name).orElseThrow());
                var lvsA = director.apply("lvs-a");
                var lvsB = director.apply("lvs-b");
                // generous: on a loaded machine a poll (sh, ip, the dump's wait) can take seconds
                assertThat(Netns.await(Duration.ofSeconds(90), () -> onFx(fx, () ->
                        lvsA.livenessProperty().get() == Liveness.LIVE && state(lvsA) == VrrpState.MASTER
                                && lvsB.livenessProperty().get() == Liveness.LIVE && state(lvsB) == VrrpState.BACKUP)))
                        .as("%s%n%s%n%s%n%s", describe(fx, lvsA), describe(fx, lvsB), timeline(fx, cluster),
                                sshdA.log()).isTrue();
                onFx(fx, () -> {
                    assertThat(lvsA.adopted()).isTrue();
                    var r = lvsA.readingsProperty().get();
                    assertThat(r.software()).isEqualTo("keepalived 2.2.7");
                    assertThat(r.stale()).isNull();
                    assertThat(reading(r, "configuration").at()).isNotNull();
                    assertThat(reading(r, "addresses").problem()).isNull();
                    assertThat(reading(r, "VRRP state").problem()).as("the MASTER holds its VIP").isNull();
                    assertThat(reading(r, "IPVS table").problem()).contains("no IPVS");
                    assertThat(lvsA.instance("VI_1").orElseThrow().priorityProperty().get()).isEqualTo(150);
                    assertThat(lvsA.instance("VI_1").orElseThrow().virtualAddressesProperty().get())
                            .containsExactly("192.0.2.100/24");
                    assertThat(lvsA.virtualServer("tcp/192.0.2.100:80")).as("from the included file").isPresent();
                    assertThat(reading(lvsB.readingsProperty().get(), "VRRP state").problem()).isNull();
                    return null;
                });
                assertThat(a.addresses("eth0")).contains("192.0.2.100");
                assertThat(b.addresses("eth0")).doesNotContain("192.0.2.100");

                // keepalived's data file (SIGUSR1), the dump of builds without JSON, read by the same parser
                var data = dir.resolve("tmp-a").resolve("keepalived.data");
                Netns.run("kill", "-USR1", Long.toString(kaA.pid()));
                assertThat(Netns.await(Duration.ofSeconds(10), () -> Files.exists(data))).isTrue();
                assertThat(Netns.await(Duration.ofSeconds(10), () -> {
                    try {
                        var dump = KeepalivedDump.parseData(Files.readString(data));
                        return !dump.instances().isEmpty() && dump.instances().getFirst().state().equals("MASTER")
                                && dump.instances().getFirst().vrid() == 73
                                && dump.instances().getFirst().effectivePriority() == 150;
                    } catch (Exception e) {
                        return false;
                    }
                })).isTrue();

                // keepalived stops on a: its card goes stale, never a confident MASTER; b takes over.
                Netns.stop(kaA, Duration.ofSeconds(10));
                assertThat(Netns.await(Duration.ofSeconds(60), () -> onFx(fx, () ->
                        lvsA.livenessProperty().get() == Liveness.STALE && state(lvsB) == VrrpState.MASTER
                                // (a poll that raced the exit says it could not signal it: stale too)
                                && "keepalived is not running".equals(lvsA.readingsProperty().get().stale()))))
                        .as("%s%n%s%n%s", describe(fx, lvsA), describe(fx, lvsB), timeline(fx, cluster)).isTrue();
                onFx(fx, () -> {
                    assertThat(state(lvsA)).as("the last known state, shown as such").isEqualTo(VrrpState.MASTER);
                    assertThat(lvsB.livenessProperty().get()).isEqualTo(Liveness.LIVE);
                    assertThat(cluster.timeline()).as("the takeover, and a's staleness, on the timeline")
                            .anyMatch(e -> e.director().equals("lvs-b") && e.text().startsWith("BACKUP → MASTER"))
                            .anyMatch(e -> e.director().equals("lvs-a")
                                    && e.text().equals("state unknown: keepalived is not running"));
                    return null;
                });
                assertThat(Files.readString(dir.resolve("a.conf"))).as("nothing on the host changed")
                        .isEqualTo(config("MASTER", 150, include));
            }
        } finally {
            fx.shutdownNow();
        }
    }

    private static VrrpState state(DirectorModel d) {
        return d.instance("VI_1").map(i -> i.stateProperty().get()).orElse(null);
    }

    private static HostReadings.Reading reading(HostReadings r, String what) {
        return r.readings().stream().filter(x -> x.what().equals(what)).findFirst().orElseThrow();
    }

    private static String timeline(ExecutorService fx, ClusterModel cluster) {
        return onFx(fx, () -> String.join("\n", cluster.timeline().stream()
                .map(e -> e.at() + " " + e.director() + " " + e.kind() + " " + e.text()).toList()));
    }

    private static String describe(ExecutorService fx, DirectorModel d) {
        return onFx(fx, () -> d.name() + " " + d.livenessProperty().get() + " " + d.linkProperty().get() + " "
                + state(d) + " " + d.readingsProperty().get());
    }

    private static <T> T onFx(ExecutorService fx, Callable<T> work) {
        try {
            return fx.submit(work).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
