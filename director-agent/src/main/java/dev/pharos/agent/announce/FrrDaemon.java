package dev.pharos.agent.announce;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.pharos.agent.api.JsonRpc;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/// FRR's bgpd as the routing daemon, through its vty socket (`bgpd.vty`, what `vtysh` uses; about
/// twice as fast as running `vtysh`): a VIP is announced by a `network VIP/32` (or `/128`)
/// statement in bgpd's running configuration and withdrawn by removing it. The agent never writes
/// the configuration to disk (`write memory`), so a restarted bgpd starts withdrawn. The local AS
/// is bgpd's own (its `router bgp AS`); the VIP must be in the RIB as FRR's default
/// `bgp network import-check` requires: it is, on the director's interface. `show bgp summary
/// json` gives the BGP sessions.
public final class FrrDaemon implements RoutingDaemon {

    private final Path socket;
    private final Duration timeout;

    public FrrDaemon(Path socket, Duration timeout) {
        this.socket = socket;
        this.timeout = timeout;
    }

    @Override
    public View view(List<AnnounceConfig.Vip> vips) throws IOException {
        String config;
        String summary;
        try (var vty = open()) {
            config = vty.command("show running-config");
            summary = vty.command("show bgp summary json");
        }
        localAs(config);
        var networks = networks(config);
        var up = new HashSet<InetAddress>();
        for (var vip : vips) {
            if (networks.contains(vip.address())) {
                up.add(vip.address());
            }
        }
        return new View(up, Map.of(), sessions(summary));
    }

    @Override
    public void announce(AnnounceConfig.Vip vip) throws IOException {
        change(vip, "network ");
    }

    @Override
    public void withdraw(AnnounceConfig.Vip vip) throws IOException {
        change(vip, "no network ");
    }

    private void change(AnnounceConfig.Vip vip, String statement) throws IOException {
        try (var vty = open()) {
            var as = localAs(vty.command("show running-config"));
            vty.command("configure terminal");
            try {
                vty.command("router bgp " + as);
                vty.command("address-family " + (vip.address() instanceof Inet4Address ? "ipv4" : "ipv6") + " unicast");
                vty.command(statement + prefix(vip.address()));
            } finally {
                vty.command("end");
            }
        }
    }

    /// A vty in FRR's enable node, where `show running-config` and `configure terminal` are.
    private FrrVty open() throws IOException {
        var vty = FrrVty.connect(socket, timeout);
        try {
            vty.command("enable");
            return vty;
        } catch (IOException | RuntimeException e) {
            vty.close();
            throw e;
        }
    }

    /// `192.0.2.10/32`, `2001:db8::10/128`, as FRR writes them.
    static String prefix(InetAddress vip) {
        return vip.getHostAddress().replaceAll("%.*", "") + (vip instanceof Inet4Address ? "/32" : "/128");
    }

    /// The host routes (/32, /128) of the `network` statements of the default `router bgp` in
    /// bgpd's running configuration.
    static Set<InetAddress> networks(String runningConfig) {
        var out = new HashSet<InetAddress>();
        boolean inBgp = false;
        for (var line : runningConfig.lines().toList()) {
            if (line.startsWith("router bgp ")) {
                // the default instance only: VRF instances are `router bgp AS vrf NAME`
                inBgp = !line.contains(" vrf ");
            } else if (!line.startsWith(" ") && !line.isEmpty()) {
                inBgp = false;
            } else if (inBgp && line.strip().startsWith("network ")) {
                var words = line.strip().split("\\s+");
                var slash = words.length >= 2 ? words[1].indexOf('/') : -1;
                if (slash > 0) {
                    try {
                        var address = InetAddress.ofLiteral(words[1].substring(0, slash));
                        var length = words[1].substring(slash + 1);
                        if (length.equals(address instanceof Inet4Address ? "32" : "128")) {
                            out.add(address);
                        }
                    } catch (IllegalArgumentException notAnAddress) {
                        // another statement's words: not one of ours
                    }
                }
            }
        }
        return out;
    }

    /// The neighbours of `show bgp summary json` (per address family: `ipv4Unicast.peers.ADDRESS.state`),
    /// each once. Output that is not that JSON gives none: the sessions are shown, never acted on.
    static List<Session> sessions(String summaryJson) {
        var byName = new TreeMap<String, Session>();
        try {
            for (var family : JsonRpc.mapper().readTree(summaryJson).properties()) {
                for (var peer : family.getValue().path("peers").properties()) {
                    var state = peer.getValue().path("state").asText("");
                    byName.putIfAbsent(peer.getKey(), new Session(peer.getKey(), state.equals("Established"), state));
                }
            }
        } catch (JsonProcessingException notJson) {
            return List.of();
        }
        return List.copyOf(byName.values());
    }

    /// The AS of the default `router bgp` in bgpd's running configuration.
    static String localAs(String runningConfig) throws IOException {
        for (var line : runningConfig.lines().toList()) {
            var words = line.strip().split("\\s+");
            if (line.startsWith("router bgp ") && words.length == 3) {
                return words[2];
            }
        }
        throw new IOException("FRR's bgpd has no BGP instance (no 'router bgp AS' in its running configuration)");
    }
}
