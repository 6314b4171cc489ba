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
import java.util.regex.Pattern;

/// Three active directors behind one router, as issue #20 builds them, for [ScaleOutTest] and
/// bench/scaleout: each director runs a Pharos agent (the user-space balancer) that announces the
/// VIP through its routing daemon — BIRD on d1 and d2, FRR on d3 — to a router running FRR's bgpd
/// with ECMP over a layer-4 hash; a client behind the router; two real servers (nginx) that answer
/// with the address of the director that proxied the request. Addresses: directors 192.0.2.1–3,
/// router 192.0.2.254 and 198.51.100.1, client 198.51.100.10, real servers 192.0.2.20–21, VIP
/// 203.0.113.10. With [Bfd] on, the router and every director's daemon run BFD on their BGP
/// sessions (FRR's bfdd, BIRD's `protocol bfd`).
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

    /// BFD on the BGP sessions: the interval both ways and the detect multiplier; [#OFF] for none.
    record Bfd(int millis, int multiplier) {
        static final Bfd OFF = new Bfd(0, 0);

        boolean on() {
            return millis > 0;
        }

        /// bfdd's configuration: one profile, which bgpd's neighbours name.
        String bfdd() {
            return on() ? """
                    bfd
                     profile pharos
                      receive-interval %1$d
                      transmit-interval %1$d
                      detect-multiplier %2$d
                     exit
                    exit
                    """.formatted(millis, multiplier) : "";
        }

        /// BIRD's: its BFD protocol, and the BGP session's options. BIRD's iBGP sessions are
        /// multihop by default, so their BFD sessions too, which FRR's single-hop session to a
        /// directly connected iBGP peer would never meet: `direct` makes both single-hop.
        String birdProtocol() {
            return on() ? "protocol bfd { interface \"*\" { min rx interval %1$d ms; min tx interval %1$d ms; multiplier %2$d; }; }\n"
                    .formatted(millis, multiplier) : "";
        }

        String birdBgp() {
            return on() ? "direct; bfd on;" : "";
        }
    }

    /// `routerNeighbor` is added to each of the router's neighbours (e.g. `timers 1 3`), and
    /// `birdBgp` to the directors' BIRD BGP protocols (e.g. `hold time 3; keepalive time 1;`).
    ScaleOutLab(Path dir, String routerNeighbor, String birdBgp, String frrNeighbor, Bfd bfd) throws IOException {
        this.dir = dir;
        net = Netns.create();
        try {
            router = net.host("rtr", "192.0.2.254/24", "198.51.100.1/24");
            router.exec("sysctl", "-qw", "net.ipv4.ip_forward=1");
            // layer-4 hash: the default (0) hashes addresses only and sends a client to one director
            router.exec("sysctl", "-qw", "net.ipv4.fib_multipath_hash_policy=1");
            // Every host is on one bridge, so the router forwards back out the interface a packet came
            // in on, and would redirect the client straight to one director for the VIP (a per-address
            // route exception that bypasses ECMP): no redirects, sent or accepted.
            router.exec("sysctl", "-qw", "net.ipv4.conf.all.send_redirects=0");
            router.exec("sysctl", "-qw", "net.ipv4.conf.eth0.send_redirects=0");
            client = net.host("cli", "198.51.100.10/24");
            client.exec("ip", "route", "add", "default", "via", "198.51.100.1");
            // a retransmitted SYN must not be re-hashed onto another path: that would hide failures
            client.exec("sysctl", "-qw", "net.core.txrehash=0");
            client.exec("sysctl", "-qw", "net.ipv4.conf.all.accept_redirects=0");
            client.exec("sysctl", "-qw", "net.ipv4.conf.eth0.accept_redirects=0");
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
                if (bfd.on()) {
                    neighbors.append(" neighbor 192.0.2.%d bfd profile pharos\n".formatted(n));
                }
            }
            frrs.add(Frr.start(router, dir.resolve("router"), """
                    router bgp 64500
                     bgp router-id 192.0.2.254
                    %s address-family ipv4 unicast
                      maximum-paths ibgp 8
                     exit-address-family
                    """.formatted(neighbors), bfd.bfdd()));
            for (int n = 1; n <= 3; n++) {
                var d = net.host("d" + n, "192.0.2." + n + "/24");
                d.exec("ip", "addr", "add", VIP + "/32", "dev", "lo");
                d.exec("ip", "route", "add", "198.51.100.0/24", "via", "192.0.2.254");
                directors.add(d);
                Path announce;
                if (n < 3) {
                    announce = bird(d, n, birdBgp, bfd);
                } else {
                    var frr = Frr.start(d, dir.resolve("frr-d3"), """
                            router bgp 64500
                             bgp router-id 192.0.2.3
                             neighbor 192.0.2.254 remote-as 64500
                             neighbor 192.0.2.254 timers connect 1
                            %s%s""".formatted(frrNeighbor.isEmpty() ? "" : " neighbor 192.0.2.254 " + frrNeighbor + "\n",
                            bfd.on() ? " neighbor 192.0.2.254 bfd profile pharos\n" : ""), bfd.bfdd());
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

    private Path bird(Netns.Host d, int n, String birdBgp, Bfd bfd) throws IOException {
        var conf = dir.resolve("bird-d" + n + ".conf");
        Files.writeString(conf, """
                router id 192.0.2.%1$d;
                protocol device { }
                protocol static pharos_203_0_113_10 { disabled; ipv4; route 203.0.113.10/32 blackhole; }
                %3$sprotocol bgp upstream {
                    local 192.0.2.%1$d as 64500;
                    neighbor 192.0.2.254 as 64500;
                    connect retry time 1;
                    %2$s %4$s
                    ipv4 { import none; export where proto ~ "pharos_*"; next hop self; };
                }
                """.formatted(n, birdBgp, bfd.birdProtocol(), bfd.birdBgp()));
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

    /// How many of the router's BFD sessions are up (bfdd's `show bfd peers brief`).
    int bfdUp() {
        return (int) frrs.getFirst().vtysh("show bfd peers brief").lines()
                .filter(l -> l.contains("192.0.2.") && l.contains(" up ")).count();
    }

    /// How often the router's BFD session to `peer` went down (bfdd's counters).
    int bfdDownEvents(String peer) {
        var m = Pattern.compile("Session down events: (\\d+)")
                .matcher(frrs.getFirst().vtysh("show bfd peer " + peer + " counters"));
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    /// Stops the router's FRR, so that zebra takes its route to the VIP away and the route is
    /// driven by hand ([#ordinaryRoute], [#resilientRoute]): FRR 8.4 cannot configure resilient
    /// nexthop groups, and with zebra running, replacing the group failed ("Can not replace a
    /// nexthop group with one of a different type"). The directors' agents and balancers run on.
    void routeByHand() {
        frrs.getFirst().close();
        if (!Netns.await(DEADLINE, () -> paths() == 0)) {
            throw new IllegalStateException("zebra left its route: " + router.exec("ip", "route").output());
        }
    }

    /// The router's route to the VIP: an ordinary multipath route over `members` (1-based).
    void ordinaryRoute(List<Integer> members) {
        var command = new ArrayList<>(List.of("ip", "route", "replace", VIP + "/32"));
        for (int n : members) {
            command.addAll(List.of("nexthop", "via", "192.0.2." + n, "dev", router.ifname()));
        }
        check(router.exec(command.toArray(String[]::new)));
    }

    /// The router's route to the VIP through resilient nexthop group 900 over `members` (1-based):
    /// `buckets` hash buckets, each of which keeps its director while it carried traffic in the last
    /// `idleTimer` seconds. The group is replaced in place, so its buckets keep their directors.
    void resilientRoute(List<Integer> members, int buckets, int idleTimer) {
        var group = new StringBuilder();
        for (int n : members) {
            check(router.exec("ip", "nexthop", "replace", "id", String.valueOf(900 + n), "via", "192.0.2." + n,
                    "dev", router.ifname()));
            group.append(group.isEmpty() ? "" : "/").append(900 + n);
        }
        check(router.exec("ip", "nexthop", "replace", "id", "900", "group", group.toString(), "type", "resilient",
                "buckets", String.valueOf(buckets), "idle_timer", String.valueOf(idleTimer)));
        check(router.exec("ip", "route", "replace", VIP + "/32", "nhid", "900"));
    }

    /// Removes the route to the VIP and resilient group 900 (so the next one starts afresh).
    void clearRoute() {
        router.exec("ip", "route", "del", VIP + "/32");
        router.exec("ip", "nexthop", "del", "id", "900");
    }

    private static void check(Netns.Result result) {
        if (result.exitCode() != 0) {
            throw new IllegalStateException(result.output());
        }
    }

    /// The client's command line for `count` long-lived connections to the VIP ([KeepAliveClient]).
    String[] keepAliveCommand(int count, double seconds) {
        return new String[] {Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
            System.getProperty("java.class.path"), KeepAliveClient.class.getName(), VIP, "80", String.valueOf(count),
            String.valueOf(seconds)};
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
