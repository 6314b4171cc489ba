package dev.pharos.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pharos.testing.Netns;
import dev.pharos.testing.PharosAgent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// Bad input on the wire: garbage, truncated adverts, 255 addresses, bad checksums and a flood of
/// 10,000 datagrams a second for 10 s. The agent keeps its state, keeps advertising on time (read
/// from a capture), counts and logs (rate-limited), and does not die. And a clear sentence when it
/// lacks privileges.
class VrrpRobustnessTest {

    private static final String CONFIG = """
            vrrp_instance VI_1 {
                state BACKUP
                interface eth0
                virtual_router_id 51
                priority 150
                advert_int 1
                authentication {
                    auth_type PASS
                    auth_pass flood
                }
                virtual_ipaddress {
                    192.0.2.100
                }
            }
            """;

    @Test
    void aFloodOfBadAndGoodAdvertsChangesNothing(@TempDir Path dir) throws Exception {
        assumeTrue(Netns.available() && Files.isExecutable(Path.of("/usr/bin/tcpdump")), "needs root and tcpdump");
        try (var net = Netns.create()) {
            var a = net.host("a", "192.0.2.1/24");
            var b = net.host("b", "192.0.2.2/24");
            var observer = net.host("o", "192.0.2.3/24");
            try (var agent = PharosAgent.start(a, dir, "a", CONFIG)) {
                assertThat(Netns.await(Duration.ofSeconds(20), () -> a.addresses("eth0").contains("192.0.2.100")))
                        .as("master before the flood%n%s", agent.log()).isTrue();
                var capture = dir.resolve("capture.txt");
                var tcpdump = observer.start(capture, "/usr/bin/tcpdump", "-i", "eth0", "-n", "-tt", "-l",
                        "ip proto 112 and src 192.0.2.1");
                var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
                var flood = b.exec(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                        "dev.pharos.testing.VrrpFlooder", "eth0", "192.0.2.2", "10000", "10");
                assertThat(flood.exitCode()).as("flooder: %s", flood.output()).isZero();
                Netns.stop(tcpdump, Duration.ofSeconds(5));

                assertThat(agent.alive()).as("the agent survived%n%s", agent.log()).isTrue();
                assertThat(a.addresses("eth0")).as("still master").contains("192.0.2.100");
                var times = new ArrayList<Double>();
                var line = Pattern.compile("^(\\d+\\.\\d+) IP 192\\.0\\.2\\.1 > 224\\.0\\.0\\.18: VRRPv2, Advertisement, vrid 51, prio 150");
                for (var l : Files.readAllLines(capture)) {
                    var m = line.matcher(l);
                    if (m.find()) {
                        times.add(Double.parseDouble(m.group(1)));
                    }
                }
                assertThat(times.size()).as("adverts seen during the 10 s flood").isGreaterThanOrEqualTo(8);
                double worst = 0;
                for (int i = 1; i < times.size(); i++) {
                    worst = Math.max(worst, times.get(i) - times.get(i - 1));
                }
                assertThat(worst).as("largest gap between adverts during the flood, s").isLessThan(2.0);
                var log = agent.log();
                assertThat(log).contains("(VI_1)").containsPattern("so far; next report in");
                assertThat(log.lines().count()).as("logging is rate-limited%n%s", log).isLessThan(200);
            }
        }
    }

    @Test
    void withoutPrivilegesTheAgentSaysSoInOneSentence(@TempDir Path dir) throws Exception {
        var setpriv = Path.of("/usr/bin/setpriv");
        assumeTrue(Netns.available() && Files.isExecutable(setpriv), "needs root and setpriv");
        var conf = dir.resolve("k.conf");
        Files.writeString(conf, CONFIG);
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // root, but with CAP_NET_RAW and CAP_NET_ADMIN out of the bounding set, as in a locked-down container
        var r = Netns.exec(Duration.ofSeconds(60), setpriv.toString(), "--bounding-set=-net_raw,-net_admin", "--", java,
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "dev.pharos.agent.cli.Main", "run", "-f", conf.toString());
        assertThat(r.exitCode()).as(r.output()).isEqualTo(1);
        assertThat(r.output()).contains("director-agent: cannot start: the agent lacks CAP_NET_RAW")
                .doesNotContain("Exception").doesNotContain("\tat ");
    }

    /// An interface that exists but has no address (here: none at all, IPv6 off on it) is not
    /// "missing": the agent says what it lacks and what to do, in one sentence.
    @Test
    void anInterfaceWithoutAnAddressIsNamedForWhatItLacks(@TempDir Path dir) throws Exception {
        assumeTrue(Netns.available(), "needs root and network namespaces");
        try (var net = Netns.create()) {
            var a = net.host("a");
            a.exec("sysctl", "-q", "-w", "net.ipv6.conf.eth0.disable_ipv6=1");
            var conf = dir.resolve("k.conf");
            Files.writeString(conf, CONFIG);
            var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            var r = a.exec(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    "dev.pharos.agent.cli.Main", "run", "-f", conf.toString(), "--control-socket",
                    dir.resolve("a.sock").toString(), "--state-dir", dir.resolve("state").toString());
            assertThat(r.exitCode()).as(r.output()).isEqualTo(1);
            assertThat(r.output()).contains("cannot start: (VI_1) interface eth0 has no address yet (no IPv4 address")
                    .doesNotContain("there is no interface").doesNotContain("\tat ");
        }
    }
}
