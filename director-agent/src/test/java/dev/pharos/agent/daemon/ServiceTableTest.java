package dev.pharos.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pharos.agent.api.AgentEvent;
import dev.pharos.agent.api.AgentState;
import dev.pharos.agent.api.Params;
import dev.pharos.agent.api.Protocol;
import dev.pharos.agent.api.Results;
import dev.pharos.agent.control.ControlClient;
import dev.pharos.testing.Netns;
import dev.pharos.testing.Nginx;
import dev.pharos.testing.PharosAgent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// The seed's topology in namespaces, served end to end by Pharos: a client, two directors in a
/// VRRP pair holding the VIP, two real servers running nginx, HTTP_GET checks, `wrr` through the
/// user-space balancer (this kernel has no IPVS). Weights give their share, a failed real server
/// stops receiving connections within a check cycle, an edit drains, and the traffic follows the
/// VIP to the other director.
class ServiceTableTest {

    static String config(int priority, String state) {
        return """
                vrrp_instance VI_1 {
                    state %2$s
                    interface eth0
                    virtual_router_id 90
                    priority %1$d
                    advert_int 1
                    authentication {
                        auth_type PASS
                        auth_pass 1015
                    }
                    virtual_ipaddress {
                        192.0.2.100
                    }
                }
                virtual_server 192.0.2.100 80 {
                    delay_loop 1
                    lb_algo wrr
                    lb_kind NAT
                    protocol TCP
                    real_server 192.0.2.11 80 {
                        weight 3
                        HTTP_GET {
                            url {
                                path /
                            }
                            connect_timeout 1
                            retry 1
                            delay_before_retry 1
                        }
                    }
                    real_server 192.0.2.12 80 {
                        weight 1
                        HTTP_GET {
                            url {
                                path /
                            }
                            connect_timeout 1
                            retry 1
                            delay_before_retry 1
                        }
                    }
                }
                virtual_server 192.0.2.100 8081 {
                    delay_loop 1
                    lb_algo rr
                    lb_kind NAT
                    protocol TCP
                    real_server 192.0.2.11 80 {
                        weight 1
                        HTTP_GET {
                            url {
                                path /
                            }
                            connect_timeout 1
                            retry 1
                            delay_before_retry 1
                        }
                    }
                    real_server 192.0.2.12 80 {
                        weight 1
                        inhibit_on_failure
                        HTTP_GET {
                            url {
                                path /
                            }
                            connect_timeout 1
                            retry 1
                            delay_before_retry 1
                        }
                    }
                }
                virtual_server 192.0.2.100 8082 {
                    delay_loop 1
                    lb_algo rr
                    lb_kind NAT
                    protocol TCP
                    quorum 2
                    sorry_server 192.0.2.13 80
                    real_server 192.0.2.11 80 {
                        weight 1
                        HTTP_GET {
                            url {
                                path /
                            }
                            connect_timeout 1
                            retry 1
                            delay_before_retry 1
                        }
                    }
                    real_server 192.0.2.12 80 {
                        weight 1
                        HTTP_GET {
                            url {
                                path /
                            }
                            connect_timeout 1
                            retry 1
                            delay_before_retry 1
                        }
                    }
                }
                virtual_server 192.0.2.100 8080 {
                    delay_loop 1
                    lb_algo rr
                    lb_kind DR
                    persistence_timeout 120
                    protocol TCP
                    real_server 192.0.2.11 80 {
                        weight 1
                    }
                    real_server 192.0.2.12 80 {
                        weight 1
                    }
                }
                """.formatted(priority, state);
    }

    static Map<String, Integer> hammer(Netns.Host client, int count) {
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var r = client.exec(java, "-cp", System.getProperty("java.class.path"), "dev.pharos.testing.HttpHammer",
                "192.0.2.100", "80", Integer.toString(count));
        return parse(r.output());
    }

    static Map<String, Integer> hammer(Netns.Host client, int port, int count) {
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var r = client.exec(java, "-cp", System.getProperty("java.class.path"), "dev.pharos.testing.HttpHammer",
                "192.0.2.100", Integer.toString(port), Integer.toString(count));
        return parse(r.output());
    }

    static Map<String, Integer> parse(String output) {
        var m = new java.util.TreeMap<String, Integer>();
        var p = Pattern.compile("(\\S+)=(\\d+)");
        var last = output.lines().filter(l -> l.contains("errors=")).reduce((a, b) -> b).orElse("");
        var matcher = p.matcher(last);
        while (matcher.find()) {
            m.put(matcher.group(1), Integer.parseInt(matcher.group(2)));
        }
        return m;
    }

    @Test
    void theSeedTopologyServedEndToEnd(@TempDir Path dir) throws Exception {
        assumeTrue(Netns.available() && Nginx.available(), "needs root, namespaces and nginx");
        try (var net = Netns.create()) {
            var a = net.host("a", "192.0.2.1/24");
            var b = net.host("b", "192.0.2.2/24");
            var r1 = net.host("r1", "192.0.2.11/24");
            var r2 = net.host("r2", "192.0.2.12/24");
            var r3 = net.host("r3", "192.0.2.13/24");
            var client = net.host("c", "192.0.2.50/24");
            try (var n1 = Nginx.start(r1, dir.resolve("r1"), "r1", 80);
                    var n2 = Nginx.start(r2, dir.resolve("r2"), "r2", 80);
                    var sorry = Nginx.start(r3, dir.resolve("r3"), "sorry", 80);
                    var master = PharosAgent.start(a, dir, "a", config(100, "MASTER"));
                    var backup = PharosAgent.start(b, dir, "b", config(98, "BACKUP"))) {
                assertThat(Netns.await(Duration.ofSeconds(30), () -> a.addresses("eth0").contains("192.0.2.100")))
                        .as(master.log()).isTrue();
                assertThat(Netns.await(Duration.ofSeconds(30), () -> Files.exists(master.socket()))).isTrue();
                try (var c = ControlClient.connect(master.socket())) {
                    assertThat(Netns.await(Duration.ofSeconds(30), () -> {
                        var s = state(c);
                        return s.virtualServers().getFirst().realServers().stream().allMatch(r -> r.health().equals("up"));
                    })).as("both real servers checked up%n%s", master.log()).isTrue();
                    var s = state(c);
                    assertThat(s.balancer().backend()).isEqualTo("userspace");
                    assertThat(s.virtualServers().get(0).servedAs()).isEqualTo("userspace");
                    var dr = s.virtualServers().stream().filter(v -> v.id().equals("tcp/192.0.2.100:8080")).findFirst()
                            .orElseThrow();
                    assertThat(dr.servedAs()).isEqualTo("proxied");
                    assertThat(dr.servedReason()).contains("lb_kind DR");
                    assertThat(hammer(client, 8082, 20)).as("quorum held: no sorry server").doesNotContainKey("sorry");
                    assertThat(s.virtualServers().getFirst().realServers()).extracting(AgentState.RealServer::effectiveWeight)
                            .containsExactly(3, 1);

                    // wrr 3:1 over 4,000 connections, ±5 %
                    var counts = hammer(client, 4000);
                    assertThat(counts.get("errors")).as("%s%n%s", counts, master.log()).isZero();
                    double share = counts.getOrDefault("r1", 0) / 4000.0;
                    assertThat(share).as("r1's share of %s", counts).isBetween(0.75 - 0.05, 0.75 + 0.05);
                    var traffic = state(c).virtualServers().getFirst().realServers().getFirst().traffic();
                    assertThat(traffic.connections()).as("counted per real server").isGreaterThanOrEqualTo(2800);
                    assertThat(traffic.bytesOut()).isPositive();

                    // persistence on :8080: one client, one real server
                    var sticky = hammer(client, 8080, 50);
                    assertThat(sticky.get("errors")).isZero();
                    assertThat(sticky.keySet().stream().filter(k -> !k.equals("errors")).count())
                            .as("persistence keeps the client on one server: %s", sticky).isEqualTo(1);

                    // a failed real server: checked down, then no new connection goes there
                    var events = new CopyOnWriteArrayList<AgentEvent>();
                    c.onEvent(events::add);
                    c.call(Protocol.EVENTS_SUBSCRIBE, Map.of(), Duration.ofSeconds(10));
                    n2.stop();
                    assertThat(Netns.await(Duration.ofSeconds(20), () -> events.stream().anyMatch(e ->
                            e instanceof AgentEvent.HealthChanged h && h.virtualServer().equals("tcp/192.0.2.100:80") && h.realServer().equals("192.0.2.12:80")
                                    && h.health().equals("down")))).as("%s%n%s", events, master.log()).isTrue();
                    var afterDown = hammer(client, 200);
                    assertThat(afterDown).as("all to r1 once r2 is down").containsEntry("r1", 200).containsEntry("errors", 0);
                    var down = state(c).virtualServers().getFirst().realServers().get(1);
                    assertThat(down.health()).isEqualTo("down");
                    assertThat(down.healthReason()).isNotBlank();
                    assertThat(down.effectiveWeight()).isEqualTo(-1);
                    // inhibit_on_failure: kept in the table at weight 0 instead of removed
                    assertThat(Netns.await(Duration.ofSeconds(20), () -> state(c).virtualServers().get(1).realServers()
                            .get(1).effectiveWeight() == 0)).as("inhibited, not removed").isTrue();
                    assertThat(hammer(client, 8081, 20)).containsEntry("r1", 20);
                    // quorum 2 with one server of weight 1 alive: quorum lost, the sorry server serves
                    assertThat(Netns.await(Duration.ofSeconds(20), () -> !state(c).virtualServers().get(2).quorumUp()))
                            .as("quorum lost").isTrue();
                    assertThat(hammer(client, 8082, 20)).as("the sorry server is in").containsKey("sorry");
                    n2.start();
                    assertThat(Netns.await(Duration.ofSeconds(20), () -> state(c).virtualServers().getFirst()
                            .realServers().get(1).health().equals("up"))).isTrue();

                    // drain r1 by an edit: new connections all go to r2
                    var rev = state(c).revision();
                    c.call(Protocol.REAL_SERVER_UPDATE, new Params.RealServerUpdate(rev, "tcp/192.0.2.100:80",
                            "192.0.2.11:80", 0, null), Results.Applied.class, Duration.ofSeconds(20));
                    assertThat(hammer(client, 100)).containsEntry("r2", 100).containsEntry("errors", 0);
                }

                // the VIP moves to the other director; the traffic follows
                master.kill();
                assertThat(Netns.await(Duration.ofSeconds(20), () -> b.addresses("eth0").contains("192.0.2.100")))
                        .as(backup.log()).isTrue();
                assertThat(Netns.await(Duration.ofSeconds(20), () -> {
                    var r = hammer(client, 20);
                    return r.getOrDefault("errors", 1) == 0;
                })).as(backup.log()).isTrue();
                var viaBackup = hammer(client, 400);
                assertThat(viaBackup.get("errors")).isZero();
                assertThat(viaBackup.get("r1") / 400.0).as("the backup's own wrr 3:1: %s", viaBackup).isBetween(0.65, 0.85);
            }
        }
    }

    static AgentState state(ControlClient c) {
        try {
            return c.call(Protocol.STATE_GET, null, AgentState.class, Duration.ofSeconds(20));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
