package dev.pharos.agent.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pharos.agent.api.AgentState;
import dev.pharos.agent.api.Params;
import dev.pharos.agent.api.Protocol;
import dev.pharos.agent.api.Results;
import dev.pharos.agent.config.ConfigException;
import dev.pharos.testing.Netns;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// The training lab on its own (no GUI): the seed's pair comes up dual-master, a graceful stop
/// moves VIP1 after Skew_Time and the traffic follows, the returning master preempts, a failed
/// real server is taken out, a partition is a split brain. No root needed.
class LabTest {

    static final Inet4Address VIP1 = ip("192.0.2.100");
    static final Inet4Address VIP2 = ip("192.0.2.101");

    static Inet4Address ip(String s) {
        try {
            return (Inet4Address) InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /// The directors' start is not an outage: the clients wait for each VIP's first holder, so a
    /// lab that has just started shows no failed request (it did: "failed 4" on the second VIP).
    @Test
    void clientsStartWithTheirVipsFirstHolder() throws Exception {
        var results = new CopyOnWriteArrayList<LabTraffic.Result>();
        try (var lab = Lab.seed();
                var traffic = new LabTraffic(lab, List.of(new LabTraffic.Target(VIP1, 80), new LabTraffic.Target(VIP2, 443)),
                        50)) {
            traffic.addListener(results::add);
            assertThat(Netns.await(Duration.ofSeconds(30), () -> results.stream().filter(r -> r.vip().equals("192.0.2.101:443"))
                    .count() >= 20 && results.stream().filter(r -> r.vip().equals("192.0.2.100:80")).count() >= 20))
                    .as("requests through both VIPs").isTrue();
            assertThat(results).as("no request failed while the directors started").allMatch(LabTraffic.Result::ok);
        }
    }

    @Test
    void theSeedsFailoverLive() throws Exception {
        try (var lab = Lab.seed();
                var traffic = new LabTraffic(lab, List.of(new LabTraffic.Target(VIP1, 80)), 20)) {
            assertThat(Netns.await(Duration.ofSeconds(20), () -> lab.holders(VIP1).equals(Set.of("lvs-master"))
                    && lab.holders(VIP2).equals(Set.of("lvs-backup")))).as("dual master").isTrue();
            var target = new LabTraffic.Target(VIP1, 80);
            assertThat(Netns.await(Duration.ofSeconds(30), () -> traffic.once(target).ok())).as("VIP1 answers").isTrue();
            assertThat(traffic.once(target).director()).isEqualTo("lvs-master");

            lab.stopDirector("lvs-master");
            // Skew_Time for priority 98 is under a second; allow generously.
            assertThat(Netns.await(Duration.ofSeconds(10), () -> lab.holders(VIP1).equals(Set.of("lvs-backup"))))
                    .as("VIP1 moves to lvs-backup").isTrue();
            assertThat(Netns.await(Duration.ofSeconds(20), () -> {
                var r = traffic.once(target);
                return r.ok() && r.director().equals("lvs-backup");
            })).as("traffic through VIP1 resumes on lvs-backup").isTrue();

            lab.startDirector("lvs-master");
            assertThat(Netns.await(Duration.ofSeconds(20), () -> lab.holders(VIP1).equals(Set.of("lvs-master"))))
                    .as("the original master preempts").isTrue();

            lab.killDirector("lvs-backup");
            assertThat(Netns.await(Duration.ofSeconds(20), () -> lab.holders(VIP2).equals(Set.of("lvs-master"))))
                    .as("after a crash, VIP2 moves after Master_Down_Interval").isTrue();
        }
    }

    @Test
    void stepByStepPausesAtEachTransition() throws Exception {
        try (var lab = Lab.seed()) {
            assertThat(Netns.await(Duration.ofSeconds(20), () -> lab.holders(VIP1).equals(Set.of("lvs-master"))
                    && lab.holders(VIP2).equals(Set.of("lvs-backup")))).as("dual master").isTrue();
            // and every instance past its start-up (a late one would be the first pause)
            assertThat(Netns.await(Duration.ofSeconds(20),
                    () -> states(lab, "lvs-master").equals("VI_1 MASTER, VI_2 BACKUP")
                            && states(lab, "lvs-backup").equals("VI_1 BACKUP, VI_2 MASTER"))).as("settled").isTrue();
            var gate = lab.stepGate();
            var pauses = new java.util.concurrent.LinkedBlockingQueue<dev.pharos.agent.vrrp.StepGate.Pause>();
            gate.onPause(pauses::add);
            gate.stepping(true);

            lab.stopDirector("lvs-master");
            var first = pauses.poll(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(first).isNotNull();
            assertThat(first.director()).isEqualTo("lvs-master");
            assertThat(first.change().from().name()).isEqualTo("MASTER");
            assertThat(first.change().to().name()).isEqualTo("INITIALIZE");
            // Paused: lvs-backup holds the priority 0 advert unread, so VIP1 stays unowned well
            // past Skew_Time (0.62 s for priority 98).
            assertThat(Netns.await(Duration.ofSeconds(2), () -> !lab.holders(VIP1).isEmpty()))
                    .as("nobody takes VIP1 during the pause").isFalse();

            // lvs-master's VI_2 stopped too, during the pause: it waits its turn, and Continue shows
            // it before time runs again (no transition passes unpaused).
            assertThat(pauses).isEmpty();
            gate.resume();
            var second = pauses.poll(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(second).isNotNull();
            assertThat(second.director()).isEqualTo("lvs-master");
            assertThat(second.change().instance()).isEqualTo("VI_2");
            assertThat(second.change().to().name()).isEqualTo("INITIALIZE");
            assertThat(lab.holders(VIP1)).as("still paused: nobody has VIP1").isEmpty();
            gate.resume();
            var takeover = pauses.poll(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(takeover).isNotNull();
            assertThat(takeover.director()).isEqualTo("lvs-backup");
            assertThat(takeover.change().instance()).isEqualTo("VI_1");
            assertThat(takeover.change().to().name()).isEqualTo("MASTER");
            assertThat(takeover.change().reason()).isEqualTo("master down timer expired");

            gate.stepping(false);
            assertThat(Netns.await(Duration.ofSeconds(10), () -> lab.holders(VIP1).equals(Set.of("lvs-backup"))))
                    .isTrue();
        }
    }

    @Test
    void aFailedRealServerIsTakenOutAndAPartitionIsASplitBrain() throws Exception {
        try (var lab = Lab.seed()) {
            assertThat(Netns.await(Duration.ofSeconds(20), () -> lab.holders(VIP1).equals(Set.of("lvs-master")))).isTrue();
            try (var c = lab.connect("lvs-master")) {
                assertThat(Netns.await(Duration.ofSeconds(30), () -> rs(c, 0, 0).health().equals("up")))
                        .as("checked up").isTrue();
                lab.failRealServer(InetAddress.getByName("198.51.100.66"));
                // the seed's timing: delay_loop 6, 3 retries 3 s apart
                // health is the checker's verdict and the weight what the balancer applied a moment
                // later: one state.get seen between the two showed "down" with weight 1
                assertThat(Netns.await(Duration.ofSeconds(40), () -> rs(c, 0, 0).health().equals("down")
                        && rs(c, 0, 0).effectiveWeight() == -1)).as("checked down and taken out").isTrue();
                lab.restoreRealServer(InetAddress.getByName("198.51.100.66"));
                assertThat(Netns.await(Duration.ofSeconds(30), () -> rs(c, 0, 0).health().equals("up"))).isTrue();
                var s = c.call(Protocol.STATE_GET, null, AgentState.class, Duration.ofSeconds(10));
                assertThat(s.balancer().backend()).isEqualTo("userspace");
                assertThat(s.virtualServers().getFirst().servedAs()).isEqualTo("proxied");
            }
            lab.partition();
            assertThat(Netns.await(Duration.ofSeconds(20), () -> lab.holders(VIP1).size() == 2
                    && lab.holders(VIP2).size() == 2)).as("split brain: both hold both VIPs").isTrue();
            lab.heal();
            assertThat(Netns.await(Duration.ofSeconds(20), () -> lab.holders(VIP1).equals(Set.of("lvs-master"))
                    && lab.holders(VIP2).equals(Set.of("lvs-backup")))).as("healed").isTrue();
        }
    }

    /// A real server the lab has no server for is checked inside the lab (a loopback port nothing
    /// listens on: "connection refused" at once), never at its address on the host's network, and
    /// its reason names no loopback port; the spare, web-3, is a lab server and comes up.
    @Test
    void aServerTheLabDoesNotHaveIsCheckedInsideTheLab() throws Exception {
        try (var lab = Lab.seed()) {
            assertThat(Netns.await(Duration.ofSeconds(20), () -> lab.holders(VIP1).equals(Set.of("lvs-master")))).isTrue();
            assertThat(lab.spares()).containsExactly(InetAddress.getByName("198.51.100.67"));
            try (var c = lab.connect("lvs-master")) {
                var vs = c.call(Protocol.STATE_GET, null, AgentState.class, Duration.ofSeconds(10)).virtualServers()
                        .getFirst();
                var revision = c.call(Protocol.STATE_GET, null, AgentState.class, Duration.ofSeconds(10)).revision();
                var applied = c.call(Protocol.REAL_SERVER_ADD, new Params.RealServerAdd(revision, vs.id(), "192.0.2.55",
                        80, 1, true), Results.Applied.class, Duration.ofSeconds(10));
                c.call(Protocol.REAL_SERVER_ADD, new Params.RealServerAdd(applied.revision(), vs.id(), "198.51.100.67",
                        80, 1, true), Results.Applied.class, Duration.ofSeconds(10));
                assertThat(Netns.await(Duration.ofSeconds(60), () -> {
                    var servers = rs(c, 0);
                    return servers.stream().anyMatch(r -> r.address().equals("192.0.2.55") && r.health().equals("down")
                            && "HTTP_GET: connection refused".equals(r.healthReason()))
                            && servers.stream().anyMatch(r -> r.address().equals("198.51.100.67")
                                    && r.health().equals("up"));
                })).as(() -> "the stranger refused inside the lab, the spare up: " + rs(c, 0)).isTrue();
            }
        }
    }

    /// `VI_1 MASTER, VI_2 BACKUP`: what `director` reports of its instances now.
    static String states(Lab lab, String director) {
        try (var c = lab.connect(director)) {
            return String.join(", ", c.call(Protocol.STATE_GET, null, AgentState.class, Duration.ofSeconds(10)).vrrp()
                    .stream().map(i -> i.name() + " " + i.state()).toList());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static List<AgentState.RealServer> rs(dev.pharos.agent.control.ControlClient c, int vs) {
        try {
            return c.call(Protocol.STATE_GET, null, AgentState.class, Duration.ofSeconds(10)).virtualServers().get(vs)
                    .realServers();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static AgentState.RealServer rs(dev.pharos.agent.control.ControlClient c, int vs, int rs) {
        try {
            return c.call(Protocol.STATE_GET, null, AgentState.class, Duration.ofSeconds(10)).virtualServers().get(vs)
                    .realServers().get(rs);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aBrokenPairIsRefusedWithItsPlace() throws Exception {
        var broken = Lab.resource("lvs-master.conf").replace("priority 100", "priority 400");
        assertThatThrownBy(() -> Lab.start(List.of(new Lab.DirectorDef("lvs-master", broken, ip("192.0.2.1"))),
                List.of())).isInstanceOfSatisfying(ConfigException.class,
                        e -> assertThat(e.getMessage()).contains("lvs-master.conf:").contains("priority 400"));
    }

    @Test
    void theLabsConfigurationsLoadInRealKeepalived(@TempDir Path dir) throws Exception {
        assumeTrue(Netns.available() && Files.isExecutable(Path.of("/usr/sbin/keepalived")), "needs root and keepalived");
        try (var net = Netns.create()) {
            var host = net.host("k", "192.0.2.1/24");
            for (var name : List.of("lvs-master.conf", "lvs-backup.conf")) {
                var file = dir.resolve(name);
                Files.writeString(file, Lab.resource(name));
                var r = host.exec("/usr/sbin/keepalived", "--config-test", "-f", file.toString());
                assertThat(r.output()).as("keepalived --config-test %s", name).isEmpty();
                assertThat(r.exitCode()).isZero();
            }
        }
    }
}
