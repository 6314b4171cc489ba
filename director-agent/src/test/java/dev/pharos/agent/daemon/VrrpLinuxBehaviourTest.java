package dev.pharos.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pharos.agent.api.AgentState;
import dev.pharos.agent.api.Protocol;
import dev.pharos.agent.control.ControlClient;
import dev.pharos.testing.Netns;
import dev.pharos.testing.PharosAgent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// The VRRP engine's local behaviour on a real Linux host: an interface that goes down puts its
/// instance in FAULT (VIP removed) and back; a failing `track_script` with weight 0 does the same;
/// notify scripts run, without a shell, with keepalived's arguments.
class VrrpLinuxBehaviourTest {

    @Test
    void interfaceDownTrackScriptAndNotify(@TempDir Path dir) throws Exception {
        assumeTrue(Netns.available(), "needs root and network namespaces");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        var log = dir.resolve("notify.log");
        var notify = dir.resolve("notify.sh");
        Files.writeString(notify, "#!/bin/sh\necho \"$(basename \"$0\") $*\" >> " + log + "\n");
        Files.setPosixFilePermissions(notify, PosixFilePermissions.fromString("rwxr-xr-x"));
        var flag = dir.resolve("healthy");
        Files.writeString(flag, "");
        var config = """
                vrrp_script chk_flag {
                    script "/usr/bin/test -e %2$s"
                    interval 1
                    fall 1
                    rise 1
                }
                vrrp_instance VI_1 {
                    state MASTER
                    interface eth0
                    virtual_router_id 77
                    priority 150
                    advert_int 1
                    virtual_ipaddress {
                        192.0.2.100
                    }
                    track_script {
                        chk_flag weight 0
                    }
                    notify_master "%1$s master"
                    notify_backup "%1$s backup"
                    notify_fault "%1$s fault"
                    notify "%1$s"
                }
                """.formatted(notify, flag);
        try (var net = Netns.create()) {
            var a = net.host("a", "192.0.2.1/24");
            try (var agent = PharosAgent.start(a, dir, "a", config);
                    var c = awaitClient(agent)) {
                assertThat(Netns.await(Duration.ofSeconds(30), () -> a.addresses("eth0").contains("192.0.2.100")))
                        .as(agent.log()).isTrue();
                assertThat(Netns.await(Duration.ofSeconds(10), () -> read(log).contains("notify.sh master")
                        && read(log).contains("notify.sh INSTANCE VI_1 MASTER 150"))).as(read(log)).isTrue();

                // the interface goes down: FAULT, the VIP goes
                a.exec("ip", "link", "set", "eth0", "down");
                assertThat(Netns.await(Duration.ofSeconds(10), () -> state(c).state().equals("FAULT"))).isTrue();
                assertThat(state(c).faults()).anyMatch(f -> f.contains("eth0"));
                assertThat(agent.log()).as("link notifications, not polling").doesNotContain("polling the interfaces");
                assertThat(Netns.await(Duration.ofSeconds(10), () -> read(log).contains("notify.sh fault"))).isTrue();
                a.exec("ip", "link", "set", "eth0", "up");
                assertThat(Netns.await(Duration.ofSeconds(30), () -> state(c).state().equals("MASTER")
                        && a.addresses("eth0").contains("192.0.2.100"))).as(agent.log()).isTrue();

                // the tracked script starts failing: weight 0 means FAULT
                Files.delete(flag);
                assertThat(Netns.await(Duration.ofSeconds(15), () -> state(c).state().equals("FAULT")))
                        .as(agent.log()).isTrue();
                assertThat(state(c).faults()).anyMatch(f -> f.contains("chk_flag"));
                assertThat(Netns.await(Duration.ofSeconds(10), () -> !a.addresses("eth0").contains("192.0.2.100")))
                        .isTrue();
                Files.writeString(flag, "");
                assertThat(Netns.await(Duration.ofSeconds(30), () -> state(c).state().equals("MASTER"))).isTrue();
            }
        }
    }

    private static ControlClient awaitClient(PharosAgent agent) throws Exception {
        assertThat(Netns.await(Duration.ofSeconds(30), () -> Files.exists(agent.socket()))).as(agent.log()).isTrue();
        return ControlClient.connect(agent.socket());
    }

    private static AgentState.VrrpInstance state(ControlClient c) {
        try {
            return c.call(Protocol.STATE_GET, null, AgentState.class, Duration.ofSeconds(10)).vrrp().getFirst();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /// A new master sends its advert first, then announces each VIP with keepalived's gratuitous
    /// ARP (garp_master_repeat of them, a request from the interface's MAC for the VIP itself).
    @Test
    void aNewMasterAdvertisesThenAnnouncesItsVipWithGratuitousArp(@TempDir Path dir) throws Exception {
        assumeTrue(Netns.available() && Files.isExecutable(Path.of("/usr/bin/tcpdump")), "needs root and tcpdump");
        var config = """
                vrrp_instance VI_1 {
                    state BACKUP
                    interface eth0
                    virtual_router_id 78
                    priority 150
                    advert_int 1
                    garp_master_repeat 3
                    virtual_ipaddress {
                        192.0.2.100
                    }
                }
                """;
        try (var net = Netns.create()) {
            var a = net.host("a", "192.0.2.1/24");
            var observer = net.host("o", "192.0.2.3/24");
            var mac = a.exec("cat", "/sys/class/net/eth0/address").output().trim();
            var capture = dir.resolve("capture.txt");
            var tcpdump = observer.start(capture, "/usr/bin/tcpdump", "-i", "eth0", "-e", "-n", "-tt", "-l",
                    "arp or ip proto 112");
            assertThat(Netns.await(Duration.ofSeconds(20), () -> read(capture).contains("listening on")))
                    .as("tcpdump ready%n%s", read(capture)).isTrue();
            try (var agent = PharosAgent.start(a, dir, "a", config)) {
                var garp = java.util.regex.Pattern.compile("^(\\d+\\.\\d+) " + mac
                        + " > ff:ff:ff:ff:ff:ff, ethertype ARP.*Request who-has 192\\.0\\.2\\.100 .*tell 192\\.0\\.2\\.100,");
                var advert = java.util.regex.Pattern.compile(
                        "^(\\d+\\.\\d+) .*192\\.0\\.2\\.1 > 224\\.0\\.0\\.18: VRRPv2, Advertisement, vrid 78, prio 150");
                assertThat(Netns.await(Duration.ofSeconds(30),
                        () -> read(capture).lines().filter(l -> garp.matcher(l).find()).count() >= 3))
                        .as("three gratuitous ARPs for the VIP from %s%n%s%n%s", mac, read(capture), agent.log()).isTrue();
                assertThat(a.addresses("eth0")).contains("192.0.2.100");
                var lines = read(capture).lines().toList();
                double firstAdvert = lines.stream().map(advert::matcher).filter(java.util.regex.Matcher::find)
                        .mapToDouble(m -> Double.parseDouble(m.group(1))).findFirst().orElseThrow();
                double firstGarp = lines.stream().map(garp::matcher).filter(java.util.regex.Matcher::find)
                        .mapToDouble(m -> Double.parseDouble(m.group(1))).findFirst().orElseThrow();
                assertThat(firstGarp).as("the advert goes first, as keepalived's does").isGreaterThanOrEqualTo(firstAdvert);
            } finally {
                Netns.stop(tcpdump, Duration.ofSeconds(5));
            }
        }
    }
}
