package dev.pharos.console.adopt;

import dev.pharos.agent.api.Addresses;
import dev.pharos.agent.api.AgentState;
import dev.pharos.agent.config.CheckerDef;
import dev.pharos.agent.config.KeepalivedConfig;
import dev.pharos.agent.config.VirtualServerDef;
import dev.pharos.agent.config.VrrpInstanceDef;
import java.net.Inet4Address;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/// What an adopted keepalived host shows, in the agent's terms ([AgentState]), so the topology
/// draws it as it draws a director: the VRRP instances and virtual servers of its configuration,
/// each instance's state and priorities from keepalived's dump, and each real server's weight and
/// connections from the kernel's IPVS table. A pure function of what was read.
public final class AdoptedState {

    private AdoptedState() {
    }

    /// @param config    the configuration, or null when it could not be read (then the dump's
    ///                  instances are shown, and no virtual servers)
    /// @param dump      keepalived's last dump, or null when none was ever read
    /// @param ipvs      the IPVS table, or null when the host has none
    /// @param ipvsWhy   why there is no table (`this host's kernel has no IPVS loaded`), with `ipvs` null
    public static AgentState build(String hostname, Instant at, KeepalivedConfig config, KeepalivedDump dump,
            IpvsTable ipvs, String ipvsWhy) {
        var instances = new ArrayList<AgentState.VrrpInstance>();
        if (config != null) {
            for (var def : config.vrrpInstances()) {
                var seen = dump == null ? null : dump.instances().stream()
                        .filter(i -> i.name().equals(def.name())).findFirst().orElse(null);
                instances.add(instance(def, seen));
            }
        } else if (dump != null) {
            for (var seen : dump.instances()) {
                instances.add(new AgentState.VrrpInstance(seen.name(), seen.vrid(), seen.interfaceName(), 2,
                        seen.state(), seen.basePriority(), seen.effectivePriority(), null,
                        seen.virtualAddresses().stream().map(v -> v.split(" ")[0]).toList(),
                        seen.advertIntervalMillis(), seen.lastTransition(), 0, List.of(), seen.counters()));
            }
        }
        var servers = new ArrayList<AgentState.VirtualServer>();
        if (config != null) {
            for (var vs : config.virtualServers()) {
                servers.add(virtualServer(vs, ipvs, ipvsWhy));
            }
        }
        var balancer = ipvs != null ? new AgentState.Balancer("kernel", "keepalived's IPVS table, read-only")
                : new AgentState.Balancer("none", ipvsWhy);
        return new AgentState("keepalived", hostname, at, 0, balancer, instances, servers);
    }

    private static AgentState.VrrpInstance instance(VrrpInstanceDef def, KeepalivedDump.Instance seen) {
        var vips = def.virtualIpAddresses().stream().map(v -> Addresses.text(v.address()) + "/"
                + (v.prefixLength() != null ? v.prefixLength() : v.address() instanceof Inet4Address ? 32 : 128))
                .toList();
        int base = def.priority() != null ? def.priority() : 100;
        long advert = def.advertInterval() != null ? def.advertInterval().toMillis() : 1000;
        int version = def.version() != null ? def.version() : 2;
        if (seen == null) {
            // configured, but keepalived did not report it (not read yet, or it did not load it)
            return new AgentState.VrrpInstance(def.name(), def.virtualRouterId() == null ? 0 : def.virtualRouterId(),
                    def.interfaceName(), version, "UNKNOWN", base, base, null, vips, advert, null, 0, List.of(),
                    Map.of());
        }
        return new AgentState.VrrpInstance(def.name(), seen.vrid(), def.interfaceName(), version, seen.state(),
                seen.basePriority(), seen.effectivePriority(), null, vips, seen.advertIntervalMillis(),
                seen.lastTransition(), seen.counters().getOrDefault("become_master", 0L)
                        + seen.counters().getOrDefault("release_master", 0L), List.of(), seen.counters());
    }

    private static AgentState.VirtualServer virtualServer(VirtualServerDef vs, IpvsTable ipvs, String ipvsWhy) {
        String address = null;
        Integer port = null;
        Long fwmark = null;
        String group = null;
        IpvsTable.Service service = null;
        switch (vs.key()) {
            case VirtualServerDef.Key.Address a -> {
                address = Addresses.text(a.address());
                port = a.port();
                service = ipvs == null ? null
                        : ipvs.service(vs.effectiveProtocol().name(), address, a.port()).orElse(null);
            }
            case VirtualServerDef.Key.Fwmark f -> {
                fwmark = f.mark();
                service = ipvs == null ? null : ipvs.fwmark(f.mark()).orElse(null);
            }
            case VirtualServerDef.Key.Group g -> group = g.name();
        }
        var real = new ArrayList<AgentState.RealServer>();
        for (var rs : vs.realServers()) {
            var checkers = rs.checkers().stream().map(AdoptedState::checkerName).toList();
            int weight = rs.weight() == null ? 1 : rs.weight();
            var rsAddress = Addresses.text(rs.address());
            int rsPort = rs.port() == null ? 0 : rs.port();
            if (service == null) {
                real.add(new AgentState.RealServer(rs.id(), rsAddress, rs.port(), weight, -1,
                        checkers.isEmpty() ? "unchecked" : "unknown", null, null, checkers, AgentState.Traffic.NONE));
                continue;
            }
            var d = service.destination(rsAddress, rsPort).orElse(null);
            if (d == null) {
                real.add(new AgentState.RealServer(rs.id(), rsAddress, rs.port(), weight, -1, "down",
                        "not in the IPVS table: keepalived took it out (its checker failed)", null, checkers,
                        AgentState.Traffic.NONE));
            } else {
                // weight 0 for a server configured heavier: inhibit_on_failure after a failed check
                boolean inhibited = d.weight() == 0 && weight > 0;
                real.add(new AgentState.RealServer(rs.id(), rsAddress, rs.port(), weight, d.weight(),
                        inhibited ? "down" : checkers.isEmpty() ? "unchecked" : "up",
                        inhibited ? "weight 0 in the IPVS table: its checker failed (inhibit_on_failure)" : null,
                        null, checkers, new AgentState.Traffic(d.activeConnections(), d.inactiveConnections(), 0, 0,
                                0, 0, 0, 0)));
            }
        }
        var sorry = vs.sorryServer() == null ? null
                : Addresses.text(vs.sorryServer().address()) + ":" + vs.sorryServer().port();
        String servedReason = service != null ? null
                : ipvs == null ? ipvsWhy : "the kernel's IPVS table has no such service";
        return new AgentState.VirtualServer(vs.id(), vs.key() instanceof VirtualServerDef.Key.Fwmark ? null
                : vs.effectiveProtocol().name(), address, port, fwmark, group,
                vs.lbAlgo() == null ? "wlc" : vs.lbAlgo(),
                (vs.lbKind() == null ? VirtualServerDef.LbKind.NAT : vs.lbKind()).name(),
                service != null ? "kernel" : "none", servedReason,
                vs.persistenceTimeout() == null ? 0 : vs.persistenceTimeout().toSeconds(),
                vs.quorum() == null ? 1 : vs.quorum(), true, sorry, real);
    }

    private static String checkerName(CheckerDef c) {
        return switch (c) {
            case CheckerDef.Http h -> h.ssl() ? "SSL_GET" : "HTTP_GET";
            case CheckerDef.Tcp t -> "TCP_CHECK";
            case CheckerDef.Misc m -> "MISC_CHECK";
            case CheckerDef.Dns d -> "DNS_CHECK";
        };
    }
}
