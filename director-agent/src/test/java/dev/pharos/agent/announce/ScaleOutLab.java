package dev.pharos.agent.announce;

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

/// Three active directors behind one router, as issue #20 builds them, for [ScaleOutTest] and
/// bench/scaleout: each director runs a Pharos agent (the user-space balancer) that announces the
/// VIP through its routing daemon — BIRD on d1 and d2, FRR on d3 — to a router running FRR's bgpd
/// with ECMP over a layer-4 hash; a client behind the router; two real servers (nginx) that answer
/// with the address of the director that proxied the request. Addresses: directors 192.0.2.1–3,
/// router 192.0.2.254 and 198.51.100.1, client 198.51.100.10, real servers 192.0.2.20–21, VIP
/// 203.0.113.10.
final class ScaleOutLab implements AutoCloseable {

    static final Duration DEADLINE = Duration.ofSeconds(120);
    static final String VIP = "203.0.113.10";

    final Path dir;
    final Netns net;
    final Netns.Host router;
    final Netns.Host client;
    final List<Netns.Host> directors = new ArrayList<>();
    final List<PharosAgent> agents = new ArrayList<>();
    final List<Frr> frrs = new ArrayList<>();

    /// `routerNeighbor` is added to each of the router's neighbours (e.g. `timers 1 3`), and
    /// `birdBgp` to the directors' BIRD BGP protocols (e.g. `hold time 3; keepalive time 1;`).
    ScaleOutLab(Path dir, String routerNeighbor, String birdBgp, String frrNeighbor) throws IOException {
        this.dir = dir;
        net = Netns.create();
        try {
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
            var neighbors = new StringBuilder();
            for (int n = 1; n <= 3; n++) {
                neighbors.append(" neighbor 192.0.2.%d remote-as 64500\n neighbor 192.0.2.%d timers connect 1\n"
                        .formatted(n, n));
                if (!routerNeighbor.isEmpty()) {
                    neighbors.append(" neighbor 192.0.2.%d %s\n".formatted(n, routerNeighbor));
                }
            }
            frrs.add(Frr.start(router, dir.resolve("router"), """
                    router bgp 64500
                     bgp router-id 192.0.2.254
                    %s address-family ipv4 unicast
                      maximum-paths ibgp 8
                     exit-address-family
                    """.formatted(neighbors)));
            for (int n = 1; n <= 3; n++) {
                var d = net.host("d" + n, "192.0.2." + n + "/24");
                d.exec("ip", "addr", "add", VIP + "/32", "dev", "lo");
                d.exec("ip", "route", "add", "198.51.100.0/24", "via", "192.0.2.254");
                directors.add(d);
                Path announce;
                if (n < 3) {
                    announce = bird(d, n, birdBgp);
                } else {
                    var frr = Frr.start(d, dir.resolve("frr-d3"), """
                            router bgp 64500
                             bgp router-id 192.0.2.3
                             neighbor 192.0.2.254 remote-as 64500
                             neighbor 192.0.2.254 timers connect 1
                            %s""".formatted(frrNeighbor.isEmpty() ? "" : " neighbor 192.0.2.254 " + frrNeighbor + "\n"));
                    frrs.add(frr);
                    announce = announceFile(n, "frr", frr.bgpd());
                }
                agents.add(PharosAgent.start(d, dir, "agent" + n, agentConfig(n), "--balancer", "userspace",
                        "--announce", announce.toString()));
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private Path bird(Netns.Host d, int n, String birdBgp) throws IOException {
        var conf = dir.resolve("bird-d" + n + ".conf");
        Files.writeString(conf, """
                router id 192.0.2.%1$d;
                protocol device { }
                protocol static pharos_203_0_113_10 { disabled; ipv4; route 203.0.113.10/32 blackhole; }
                protocol bgp upstream {
                    local 192.0.2.%1$d as 64500;
                    neighbor 192.0.2.254 as 64500;
                    connect retry time 1;
                    %2$s
                    ipv4 { import none; export where proto ~ "pharos_*"; next hop self; };
                }
                """.formatted(n, birdBgp));
        Bird.start(d, dir, "bird-d" + n);
        return announceFile(n, "bird", Bird.socket(dir, "bird-d" + n));
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

    /// Restarts director `n`'s agent (1-based) on its files.
    void restartAgent(int n) {
        agents.set(n - 1, PharosAgent.restart(directors.get(n - 1), dir, "agent" + n, PharosAgent.Launch.DEFAULT
                .withRunArguments(List.of("--balancer", "userspace", "--announce",
                        dir.resolve("announce-d" + n + ".conf").toString()))));
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

    /// The client's command line for `requests` connections to the VIP, one request each.
    String[] hammerCommand(int requests) {
        return new String[] {Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
            System.getProperty("java.class.path"), HttpHammer.class.getName(), VIP, "80", String.valueOf(requests)};
    }

    /// The client's command line for connections to the VIP, one request each, for `seconds`.
    String[] hammerCommand(double seconds) {
        return new String[] {Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
            System.getProperty("java.class.path"), HttpHammer.class.getName(), VIP, "80", "1000000",
            String.valueOf(seconds)};
    }

    /// `requests` connections from the client; answers per director address, and "errors".
    Map<String, Integer> hammer(int requests) {
        return counts(client.exec(hammerCommand(requests)).output());
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

    @Override
    public void close() {
        agents.forEach(PharosAgent::close);
        frrs.forEach(Frr::close);
        net.close();
    }
}
