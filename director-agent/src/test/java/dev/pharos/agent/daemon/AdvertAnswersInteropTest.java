package dev.pharos.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pharos.testing.Keepalived;
import dev.pharos.testing.Netns;
import dev.pharos.testing.PharosAgent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/// A master hearing lower priority adverts, on real sockets, beside real keepalived 2.2.7: by
/// default each one is answered at once with an advert of the master's (RFC 9568 §6.4.3,
/// keepalived's `vrrp_state_master_rx`); with `lower_prio_no_advert` they are discarded and the
/// master keeps to its own interval (RFC 5798). The same flood of 200 lower priority adverts in
/// 2 s ([dev.pharos.testing.VrrpFlooder]'s `low-priority`) meets a Pharos agent and keepalived,
/// and the master's adverts are counted on the wire.
class AdvertAnswersInteropTest {

    private static final int FLOOD = 200;

    private static String config(boolean noAdvert) {
        return """
                vrrp_instance VI_1 {
                    state MASTER
                    interface eth0
                    virtual_router_id 51
                    priority 150
                    advert_int 1
                %s    authentication {
                        auth_type PASS
                        auth_pass flood
                    }
                    virtual_ipaddress {
                        192.0.2.100
                    }
                }
                """.formatted(noAdvert ? "    lower_prio_no_advert\n" : "");
    }

    @ParameterizedTest(name = "{0}, lower_prio_no_advert {1}")
    @CsvSource({"pharos, false", "pharos, true", "keepalived, false", "keepalived, true"})
    void aMasterAnswersLowerPriorityAdvertsUnlessToldNotTo(String implementation, boolean noAdvert, @TempDir Path dir)
            throws Exception {
        assumeTrue(Netns.available() && Files.isExecutable(Path.of("/usr/bin/tcpdump")), "needs root and tcpdump");
        assumeTrue(implementation.equals("pharos") || Keepalived.installed(), "needs keepalived");
        try (var net = Netns.create()) {
            var a = net.host("a", "192.0.2.1/24");
            var b = net.host("b", "192.0.2.2/24");
            var observer = net.host("o", "192.0.2.3/24");
            try (AutoCloseable master = implementation.equals("pharos")
                    ? PharosAgent.start(a, dir, "a", config(noAdvert))
                    : Keepalived.start(a, dir, "a", config(noAdvert))) {
                assertThat(Netns.await(Duration.ofSeconds(30), () -> a.addresses("eth0").contains("192.0.2.100")))
                        .as("%s is master before the flood", implementation).isTrue();
                var capture = dir.resolve("capture.txt");
                var tcpdump = observer.start(capture, "/usr/bin/tcpdump", "-i", "eth0", "-n", "-l",
                        "ip proto 112 and src 192.0.2.1");
                var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
                var flood = b.exec(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                        "dev.pharos.testing.VrrpFlooder", "eth0", "192.0.2.2", String.valueOf(FLOOD / 2), "2",
                        "low-priority");
                assertThat(flood.exitCode()).as("flooder: %s", flood.output()).isZero();
                Netns.stop(tcpdump, Duration.ofSeconds(5));

                var advert = Pattern.compile("IP 192\\.0\\.2\\.1 > 224\\.0\\.0\\.18: VRRPv2, Advertisement, vrid 51, prio 150");
                var adverts = Files.readAllLines(capture).stream().filter(l -> advert.matcher(l).find()).count();
                // The capture also spans the flooder JVM's start: a few seconds of regular adverts.
                if (noAdvert) {
                    assertThat(adverts).as("%s's adverts while 200 lower ones were discarded", implementation)
                            .isLessThan(20);
                } else {
                    assertThat(adverts).as("%s's adverts, answering 200 lower ones", implementation)
                            .isGreaterThanOrEqualTo(FLOOD * 3 / 4);
                }
                assertThat(a.addresses("eth0")).as("still master").contains("192.0.2.100");
            }
        }
    }
}
