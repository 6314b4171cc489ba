package dev.pharos.agent.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.config.ConfigLoader;
import dev.pharos.agent.config.KeepalivedConfig;
import dev.pharos.agent.config.VirtualServerDef;
import java.nio.file.Path;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/// keepalived's fallbacks (checker, real server, virtual server, default) as [CheckPlan#from]
/// applies them.
class CheckPlanTest {

    private static KeepalivedConfig parse(String text) throws Exception {
        return ConfigLoader.parse(Path.of("test.conf"), text).config();
    }

    @Test
    void theSeedsChecksAreHttpGetWithItsTiming() throws Exception {
        var config = ConfigLoader.load(Path.of("src/test/resources/config/seed/lvs-master.conf")).config();
        var plan = CheckPlan.from(config);
        assertThat(plan.realServers()).hasSize(4);
        assertThat(plan.warnings()).isEmpty();
        var first = plan.realServers().getFirst();
        assertThat(first.id().toString()).isEqualTo("172.17.0.66:80 of 172.17.250.11:80");
        assertThat(first.weight()).isEqualTo(1);
        var http = (CheckSpec.HttpGet) first.checks().getFirst();
        assertThat(http.ssl()).isFalse();
        assertThat(http.urls()).containsExactly(new CheckSpec.Url("/", List.of(new CheckSpec.StatusRange(200, 299)), null, null));
        assertThat(http.endpoint().hostPort()).isEqualTo("172.17.0.66:80");
        assertThat(http.endpoint().connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(http.httpVersion()).isEqualTo(CheckSpec.HttpVersion.HTTP_1_0);
        assertThat(http.timing()).isEqualTo(new CheckSpec.Timing(Duration.ofSeconds(6), 3, Duration.ofSeconds(3),
                Duration.ofSeconds(6), false));
        assertThat(plan.realServers().get(3).id().toString()).isEqualTo("172.17.250.41:443 of 172.17.250.12:443");
    }

    /// A virtual server whose model is the same object as last time gets the same plan objects
    /// (what lets the scheduler leave its real servers alone); a new model is planned again, with
    /// the same result, warnings included.
    @Test
    void theSameModelGivesTheSamePlanObjects() throws Exception {
        var config = ConfigLoader.load(Path.of("src/test/resources/config/seed/lvs-master.conf")).config();
        var first = new IdentityHashMap<VirtualServerDef, CheckPlan.Part>();
        var plan = CheckPlan.from(config, Map.of(), first);
        var second = new IdentityHashMap<VirtualServerDef, CheckPlan.Part>();
        var again = CheckPlan.from(config, first, second);
        for (int i = 0; i < plan.realServers().size(); i++) {
            assertThat(again.realServers().get(i)).isSameAs(plan.realServers().get(i));
        }
        var reread = ConfigLoader.load(Path.of("src/test/resources/config/seed/lvs-master.conf")).config();
        var fresh = CheckPlan.from(reread, second, new IdentityHashMap<>());
        assertThat(fresh).isEqualTo(plan);
        assertThat(fresh.realServers().getFirst()).isNotSameAs(plan.realServers().getFirst());
    }

    @Test
    void valuesFallBackFromCheckerToRealServerToVirtualServerToDefault() throws Exception {
        var plan = CheckPlan.from(parse("""
                virtual_server 192.0.2.10 80 {
                    delay_loop 10
                    retry 2
                    connect_timeout 4
                    virtualhost www.example.org
                    alpha
                    real_server 192.0.2.2 80 {
                        weight 3
                        delay_before_retry 5
                        TCP_CHECK {
                            retry 7
                        }
                        HTTP_GET {
                            url {
                                path /health
                                status_code 200 301-302
                                digest 9B3A0C85A887A256D6939DA88AABD8CD
                            }
                            connect_port 8080
                            http_protocol 1.1
                            delay_loop 2
                        }
                    }
                    real_server 192.0.2.3 80 {
                        HTTP_GET {
                            url {
                                path /
                            }
                            alpha no
                        }
                        MISC_CHECK {
                            misc_path "/usr/local/bin/check.sh 192.0.2.3 'two words'"
                        }
                        DNS_CHECK {
                            connect_timeout 2
                        }
                    }
                }
                """));
        var rs2 = plan.realServers().get(0);
        assertThat(rs2.weight()).isEqualTo(3);
        var tcp = (CheckSpec.TcpCheck) rs2.checks().get(0);
        assertThat(tcp.timing()).isEqualTo(new CheckSpec.Timing(Duration.ofSeconds(10), 7, Duration.ofSeconds(5),
                Duration.ofSeconds(10), true));
        assertThat(tcp.endpoint().connectTimeout()).isEqualTo(Duration.ofSeconds(4));
        var http = (CheckSpec.HttpGet) rs2.checks().get(1);
        assertThat(http.endpoint().hostPort()).isEqualTo("192.0.2.2:8080");
        assertThat(http.virtualhost()).isEqualTo("www.example.org");
        assertThat(http.httpVersion()).isEqualTo(CheckSpec.HttpVersion.HTTP_1_1);
        assertThat(http.urls().getFirst().statusCodes()).containsExactly(new CheckSpec.StatusRange(200, 200),
                new CheckSpec.StatusRange(301, 302));
        assertThat(http.urls().getFirst().digest()).isEqualTo("9b3a0c85a887a256d6939da88aabd8cd");
        // warmup follows the checker's own delay_loop when nothing sets it
        assertThat(http.timing()).isEqualTo(new CheckSpec.Timing(Duration.ofSeconds(2), 2, Duration.ofSeconds(5),
                Duration.ofSeconds(2), true));

        var rs3 = plan.realServers().get(1);
        assertThat(rs3.weight()).isEqualTo(1);
        var http3 = (CheckSpec.HttpGet) rs3.checks().get(0);
        // HTTP_GET's own default delay_before_retry is 3 s; the checker's "alpha no" wins.
        assertThat(http3.timing()).isEqualTo(new CheckSpec.Timing(Duration.ofSeconds(10), 2, Duration.ofSeconds(3),
                Duration.ofSeconds(10), false));
        var misc = (CheckSpec.MiscCheck) rs3.checks().get(1);
        assertThat(misc.command()).containsExactly("/usr/local/bin/check.sh", "192.0.2.3", "two words");
        assertThat(misc.timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(misc.dynamic()).isFalse();
        var dns = (CheckSpec.DnsCheck) rs3.checks().get(2);
        assertThat(dns.type()).isEqualTo(CheckSpec.DnsType.SOA);
        assertThat(dns.name()).isEmpty();
        assertThat(dns.endpoint().hostPort()).isEqualTo("192.0.2.3:80");
        assertThat(dns.timing().retry()).isEqualTo(2);
        assertThat(dns.timing().delayBeforeRetry()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void eachCheckerTypeHasKeepalivedsOwnDefaults() throws Exception {
        var plan = CheckPlan.from(parse("""
                virtual_server 192.0.2.10 53 {
                    real_server 192.0.2.2 53 {
                        TCP_CHECK {
                        }
                        MISC_CHECK {
                            misc_path /bin/true
                        }
                        DNS_CHECK {
                            type A
                            name example.org
                        }
                        SSL_GET {
                            url {
                                path /
                            }
                        }
                    }
                }
                """));
        var checks = plan.realServers().getFirst().checks();
        var sixty = Duration.ofSeconds(60);
        assertThat(checks.get(0).timing()).isEqualTo(new CheckSpec.Timing(sixty, 1, Duration.ofSeconds(1), sixty, false));
        assertThat(((CheckSpec.TcpCheck) checks.get(0)).endpoint().connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(checks.get(1).timing()).isEqualTo(new CheckSpec.Timing(sixty, 0, Duration.ofSeconds(1), sixty, false));
        assertThat(((CheckSpec.MiscCheck) checks.get(1)).timeout()).isEqualTo(sixty);
        assertThat(checks.get(2).timing()).isEqualTo(new CheckSpec.Timing(sixty, 3, sixty, sixty, false));
        assertThat(((CheckSpec.DnsCheck) checks.get(2)).type()).isEqualTo(CheckSpec.DnsType.A);
        assertThat(checks.get(3).timing()).isEqualTo(new CheckSpec.Timing(sixty, 1, Duration.ofSeconds(3), sixty, false));
        assertThat(checks.get(3).label()).isEqualTo("SSL_GET 192.0.2.2:53");
    }

    @Test
    void checkersThatCannotRunAreLeftOutWithAWarningThatSaysWhereAndWhy() throws Exception {
        var plan = CheckPlan.from(parse("""
                virtual_server fwmark 7 {
                    omega
                    real_server 192.0.2.21 {
                        TCP_CHECK {
                        }
                        MISC_CHECK {
                            misc_path /bin/true
                            user nobody
                        }
                    }
                }
                """));
        var rs = plan.realServers().getFirst();
        assertThat(rs.id().toString()).isEqualTo("192.0.2.21:0 of fwmark 7");
        assertThat(rs.omega()).isTrue();
        assertThat(rs.checks()).hasSize(1).first().isInstanceOf(CheckSpec.MiscCheck.class);
        var misc = (CheckSpec.MiscCheck) rs.checks().getFirst();
        assertThat(misc.user()).isEqualTo("nobody");
        assertThat(misc.group()).isNull();
        assertThat(plan.warnings()).containsExactly(
                "real server 192.0.2.21:0 of fwmark 7: TCP_CHECK left out: the real server has no port; give TCP_CHECK a connect_port");
    }

    @Test
    void miscCheckUserMayNameAGroup() throws Exception {
        var plan = CheckPlan.from(parse("""
                virtual_server 192.0.2.10 80 {
                    real_server 192.0.2.2 80 {
                        MISC_CHECK {
                            misc_path /bin/true
                            user nobody nogroup
                        }
                    }
                }
                """));
        var misc = (CheckSpec.MiscCheck) plan.realServers().getFirst().checks().getFirst();
        assertThat(misc.user()).isEqualTo("nobody");
        assertThat(misc.group()).isEqualTo("nogroup");
    }

    @Test
    void aReloadedSpecWithOtherTimingIsTheSameCheck() {
        var a = CheckSchedulerTest.tcp(80, CheckSchedulerTest.timing(6, 3, 3, 6, false));
        var b = CheckSchedulerTest.tcp(80, CheckSchedulerTest.timing(10, 1, 1, 0, true));
        var c = CheckSchedulerTest.tcp(81, CheckSchedulerTest.timing(6, 3, 3, 6, false));
        assertThat(a.sameCheck(b)).isTrue();
        assertThat(a.sameCheck(c)).isFalse();
    }
}
