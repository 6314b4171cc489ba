package dev.pharos.agent.announce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pharos.testing.Frr;
import dev.pharos.testing.HttpHammer;
import dev.pharos.testing.Netns;
import dev.pharos.testing.Nginx;
import dev.pharos.testing.PharosAgent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// Three active directors behind one router, as issue #20 builds them: each runs a Pharos agent
/// (the user-space balancer) that announces the VIP through its routing daemon — BIRD on two, FRR
/// on the third — to a router running FRR's bgpd with ECMP over a layer-4 hash; a client behind
/// the router opens one connection per request to the VIP, and the real servers (nginx) answer
/// with the address of the director that proxied the request. Checked: an even spread; a director
/// stopped gracefully under load withdraws first and no new connection fails; a director whose
/// real servers it cannot reach loses quorum and is withdrawn; both come back into the spread.
class ScaleOutTest {

    static final Duration DEADLINE = Duration.ofSeconds(120);
    static final String VIP = "203.0.113.10";
    static final int REQUESTS = 1500;

    @TempDir
    Path dir;
    Netns net;
    Netns.Host router;
    Netns.Host client;
    final List<Netns.Host> directors = new ArrayList<>();
    final List<PharosAgent> agents = new ArrayList<>();
    final List<Frr> frrs = new ArrayList<>();

    @BeforeEach
    void network() throws IOException {
        assumeTrue(Netns.available() && Frr.available() && Files.isExecutable(BirdAnnouncerTest.BIRD)
                && Nginx.available(), "needs root, ip, FRR, BIRD 2 and nginx");
        net = Netns.create();
        router = net.host("rtr", "192.0.2.254/24", "198.51.100.1/24");
        router.exec("sysctl", "-qw", "net.ipv4.ip_forward=1");
        // layer-4 hash: the default (0) hashes addresses only and sends a client to one director
        router.exec("sysctl", "-qw", "net.ipv4.fib_multipath_hash_policy=1");
        client = net.host("cli", "198.51.100.10/24");
        client.exec("ip", "route", "add", "default", "via", "198.51.100.1");
        // a retransmitted SYN must not be re-hashed onto another path: that would hide failures
        client.exec("sysctl", "-qw", "net.core.txrehash=0");
        for (var rs : List.of("192.0.2.20", "192.0.2.21")) {
            var host = net.host("rs" + rs.substring(rs.lastIndexOf('.') + 1), rs + "/24");
            // the body names the director that proxied the request (nginx interpolates it)
            Nginx.start(host, dir.resolve("rs-" + rs), "$remote_addr", 80);
        }
        frrs.add(Frr.start(router, dir.resolve("router"), """
                router bgp 64500
                 bgp router-id 192.0.2.254
                 neighbor 192.0.2.1 remote-as 64500
                 neighbor 192.0.2.2 remote-as 64500
                 neighbor 192.0.2.3 remote-as 64500
                 neighbor 192.0.2.1 timers connect 1
                 neighbor 192.0.2.2 timers connect 1
                 neighbor 192.0.2.3 timers connect 1
                 address-family ipv4 unicast
                  maximum-paths ibgp 8
                 exit-address-family
                """));
        for (int n = 1; n <= 3; n++) {
            var d = net.host("d" + n, "192.0.2." + n + "/24");
            d.exec("ip", "addr", "add", VIP + "/32", "dev", "lo");
            d.exec("ip", "route", "add", "198.51.100.0/24", "via", "192.0.2.254");
            directors.add(d);
            Path announce;
            if (n < 3) {
                announce = bird(d, n);
            } else {
                var frr = Frr.start(d, dir.resolve("frr-d3"), """
                        router bgp 64500
                         bgp router-id 192.0.2.3
                         neighbor 192.0.2.254 remote-as 64500
                         neighbor 192.0.2.254 timers connect 1
                        """);
                frrs.add(frr);
                announce = announceFile(n, "frr", frr.bgpd());
            }
            agents.add(PharosAgent.start(d, dir, "agent" + n, agentConfig(n), "--balancer", "userspace",
                    "--announce", announce.toString()));
        }
    }

    @AfterEach
    void cleanUp() {
        agents.forEach(PharosAgent::close);
        frrs.forEach(Frr::close);
        if (net != null) {
            net.close();
        }
    }

    Path bird(Netns.Host d, int n) throws IOException {
        var conf = dir.resolve("bird-d" + n + ".conf");
        var socket = dir.resolve("bird-d" + n + ".ctl");
        Files.writeString(conf, """
                router id 192.0.2.%1$d;
                protocol device { }
                protocol static pharos_203_0_113_10 { disabled; ipv4; route 203.0.113.10/32 blackhole; }
                protocol bgp upstream {
                    local 192.0.2.%1$d as 64500;
                    neighbor 192.0.2.254 as 64500;
                    connect retry time 1;
                    ipv4 { import none; export where proto ~ "pharos_*"; next hop self; };
                }
                """.formatted(n));
        d.start(dir.resolve("bird-d" + n + ".log"), BirdAnnouncerTest.BIRD.toString(), "-f", "-c", conf.toString(),
                "-s", socket.toString(), "-P", dir.resolve("bird-d" + n + ".pid").toString());
        assertThat(Netns.await(DEADLINE, () -> Files.exists(socket))).as("BIRD on d" + n).isTrue();
        return announceFile(n, "bird", socket);
    }

    Path announceFile(int n, String daemon, Path socket) throws IOException {
        var file = dir.resolve("announce-d" + n + ".conf");
        Files.writeString(file, """
                announce {
                    daemon %s
                    socket %s
                    recheck 1
                    warmup 1
                    withdraw_delay 3
                    vip %s
                }
                """.formatted(daemon, socket, VIP));
        return file;
    }

    static String agentConfig(int n) {
        return """
                global_defs {
                    router_id d%d
                }
                virtual_server %s 80 {
                    delay_loop 1
                    lb_algo rr
                    lb_kind NAT
                    protocol TCP
                    real_server 192.0.2.20 80 {
                        weight 1
                        TCP_CHECK {
                            connect_timeout 1
                        }
                    }
                    real_server 192.0.2.21 80 {
                        weight 1
                        TCP_CHECK {
                            connect_timeout 1
                        }
                    }
                }
                """.formatted(n, VIP);
    }

    /// The router's paths to the VIP (its kernel route, as zebra installed it).
    int paths() {
        var route = router.exec("ip", "route", "show", VIP + "/32").output();
        if (route.isBlank()) {
            return 0;
        }
        var nexthops = route.lines().filter(l -> l.contains("nexthop via")).count();
        return nexthops > 0 ? (int) nexthops : 1;
    }

    /// `requests` connections from the client; answers per director address, and "errors".
    Map<String, Integer> hammer(int requests) {
        var run = client.exec(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), HttpHammer.class.getName(), VIP, "80",
                String.valueOf(requests));
        return counts(run.output());
    }

    static Map<String, Integer> counts(String line) {
        var out = new HashMap<String, Integer>();
        for (var word : line.strip().split("\\s+")) {
            int eq = word.lastIndexOf('=');
            if (eq > 0) {
                out.put(word.substring(0, eq), Integer.parseInt(word.substring(eq + 1)));
            }
        }
        return out;
    }

    @Test
    void threeActiveDirectorsShareTheVipAndLeaveWithoutFailures() throws Exception {
        assertThat(Netns.await(DEADLINE, () -> paths() == 3)).as("three paths at the router:\n"
                + router.exec("ip", "route").output()).isTrue();
        var spread = hammer(REQUESTS);
        assertThat(spread.get("errors")).as(spread.toString()).isZero();
        for (int n = 1; n <= 3; n++) {
            assertThat(spread.getOrDefault("192.0.2." + n, 0)).as("d%d's share of %s", n, spread)
                    .isBetween((int) (REQUESTS / 3 * 0.85), (int) (REQUESTS / 3 * 1.15));
        }

        // d3 stops gracefully while the client keeps connecting: it withdraws, waits, then stops
        var during = client.start(dir.resolve("hammer.log"), Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), HttpHammer.class.getName(), VIP, "80",
                "3000");
        assertThat(agents.get(2).stop()).isZero();
        assertThat(paths()).as("d3 withdrawn before it stopped").isEqualTo(2);
        assertThat(during.waitFor(120, TimeUnit.SECONDS)).isTrue();
        var across = counts(Files.readString(dir.resolve("hammer.log")));
        assertThat(across.get("errors")).as("no new connection failed across the stop: " + across).isZero();

        agents.set(2, PharosAgent.restart(directors.get(2), dir, "agent3", PharosAgent.Launch.DEFAULT
                .withRunArguments(List.of("--balancer", "userspace", "--announce",
                        dir.resolve("announce-d3.conf").toString()))));
        assertThat(Netns.await(DEADLINE, () -> paths() == 3)).as("d3 back in service").isTrue();

        // d1 can no longer reach its real servers: quorum lost, withdrawn
        directors.get(0).exec("ip", "route", "add", "blackhole", "192.0.2.20/32");
        directors.get(0).exec("ip", "route", "add", "blackhole", "192.0.2.21/32");
        assertThat(Netns.await(DEADLINE, () -> paths() == 2)).as("d1 withdrawn on quorum loss").isTrue();
        var without = hammer(600);
        assertThat(without.get("errors")).as(without.toString()).isZero();
        assertThat(without).doesNotContainKey("192.0.2.1");
        directors.get(0).exec("ip", "route", "del", "blackhole", "192.0.2.20/32");
        directors.get(0).exec("ip", "route", "del", "blackhole", "192.0.2.21/32");
        assertThat(Netns.await(DEADLINE, () -> paths() == 3)).as("d1 back").isTrue();
        var back = hammer(600);
        assertThat(back.get("errors")).isZero();
        assertThat(back.keySet()).contains("192.0.2.1", "192.0.2.2", "192.0.2.3");
    }
}
