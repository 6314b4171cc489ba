package dev.pharos.agent.ipvs.table;

import dev.pharos.agent.api.Addresses;
import dev.pharos.agent.config.KeepalivedConfig;
import dev.pharos.agent.config.RealServerDef;
import dev.pharos.agent.config.VirtualServerDef;
import dev.pharos.agent.config.VirtualServerGroupDef;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/// What the configuration asks of the table, with keepalived's defaults applied: each virtual
/// server with its service keys, settings, real servers, sorry server and quorum.
public record TableSpec(List<VirtualServerSpec> virtualServers) {

    private static final System.Logger LOG = System.getLogger(TableSpec.class.getName());

    /// keepalived's scheduler when `lb_algo` is absent (`IPVS_DEF_SCHED`).
    public static final String DEFAULT_SCHEDULER = "wlc";

    public TableSpec {
        virtualServers = List.copyOf(virtualServers);
        var names = new HashSet<String>();
        for (var vs : virtualServers) {
            if (!names.add(vs.name())) {
                throw new IllegalArgumentException("two virtual servers are both named '" + vs.name() + "'");
            }
        }
    }

    public Optional<VirtualServerSpec> virtualServer(String name) {
        return virtualServers.stream().filter(v -> v.name().equals(name)).findFirst();
    }

    /// One `virtual_server` block.
    ///
    /// @param name how the agent, its events and the operator name it: `TCP 192.0.2.10:80`,
    ///        `fwmark 1` or `group NAME`
    /// @param keys the IPVS services it stands for (several for a `virtual_server group`)
    /// @param defaultForwarding `lb_kind`, for real servers that do not set their own
    /// @param sorryServer `null` when there is none
    /// @param quorum minimum sum of the weights of alive real servers (keepalived's default 1)
    /// @param quorumUp the `quorum_up` line as written (command, then an optional user and group, in
    ///                 keepalived's quoting; see `config.ScriptLine`); empty when none
    /// @param quorumDown the `quorum_down` line as written, like `quorumUp`; empty when none
    public record VirtualServerSpec(String name, List<ServiceKey> keys, ServiceSettings settings,
            ForwardingMethod defaultForwarding, List<RealServerSpec> realServers, SorryServerSpec sorryServer,
            int quorum, int hysteresis, String quorumUp, String quorumDown) {

        public VirtualServerSpec {
            Objects.requireNonNull(name, "name");
            keys = List.copyOf(keys);
            Objects.requireNonNull(settings, "settings");
            Objects.requireNonNull(defaultForwarding, "defaultForwarding");
            realServers = List.copyOf(realServers);
            Objects.requireNonNull(quorumUp, "quorumUp");
            Objects.requireNonNull(quorumDown, "quorumDown");
            if (keys.isEmpty()) {
                throw new IllegalArgumentException("virtual server " + name + " has no service address");
            }
            if (quorum < 1 || hysteresis < 0 || hysteresis >= quorum) {
                throw new IllegalArgumentException("virtual server " + name + ": quorum " + quorum + " and hysteresis "
                        + hysteresis + " must satisfy 0 <= hysteresis < quorum");
            }
            var seen = new HashSet<Endpoint>();
            for (var rs : realServers) {
                if (!seen.add(rs.endpoint())) {
                    throw new IllegalArgumentException("virtual server " + name + " lists real server "
                            + rs.endpoint() + " twice");
                }
            }
        }

        public Optional<RealServerSpec> realServer(Endpoint endpoint) {
            return realServers.stream().filter(r -> r.endpoint().equals(endpoint)).findFirst();
        }

        VirtualServerSpec withRealServers(List<RealServerSpec> list) {
            return new VirtualServerSpec(name, keys, settings, defaultForwarding, list, sorryServer, quorum,
                    hysteresis, quorumUp, quorumDown);
        }
    }

    /// One `real_server` block.
    ///
    /// @param inhibitOnFailure keep the server with weight 0 while it is down instead of removing it
    /// @param alpha start down until the first successful check
    /// @param checked false when the real server has no checker: then it is always alive
    /// @param drained the operator set it to weight 0 (overrides configured and dynamic weight)
    public record RealServerSpec(Endpoint endpoint, int weight, ForwardingMethod forwarding, boolean inhibitOnFailure,
            boolean alpha, boolean checked, int upperThreshold, int lowerThreshold, boolean drained) {

        public RealServerSpec {
            Objects.requireNonNull(endpoint, "endpoint");
            Objects.requireNonNull(forwarding, "forwarding");
            if (weight < 0) {
                throw new IllegalArgumentException("real server " + endpoint + ": weight " + weight + " is negative");
            }
        }

        /// A checked real server with keepalived's defaults for the rest.
        public static RealServerSpec of(Endpoint endpoint, int weight, ForwardingMethod forwarding) {
            return new RealServerSpec(endpoint, weight, forwarding, false, false, true, 0, 0, false);
        }

        public RealServerSpec withWeight(int newWeight) {
            return new RealServerSpec(endpoint, newWeight, forwarding, inhibitOnFailure, alpha, checked,
                    upperThreshold, lowerThreshold, false);
        }

        public RealServerSpec drain() {
            return new RealServerSpec(endpoint, weight, forwarding, inhibitOnFailure, alpha, checked,
                    upperThreshold, lowerThreshold, true);
        }
    }

    /// `sorry_server IP PORT`, used while quorum is lost.
    ///
    /// @param inhibit `sorry_server_inhibit`: kept with weight 0 while not in use
    public record SorryServerSpec(Endpoint endpoint, int weight, ForwardingMethod forwarding, boolean inhibit) {
        public SorryServerSpec {
            Objects.requireNonNull(endpoint, "endpoint");
            Objects.requireNonNull(forwarding, "forwarding");
        }
    }

    /// The table part of a validated keepalived.conf, with keepalived's defaults: scheduler `wlc`,
    /// `lb_kind NAT`, protocol TCP, weight 1, quorum 1, hysteresis 0 (and, as keepalived does, at
    /// most quorum − 1). A real server without a port takes the virtual server's (0 for fwmark
    /// services).
    public static TableSpec from(KeepalivedConfig config) {
        var out = new ArrayList<VirtualServerSpec>();
        for (var vs : config.virtualServers()) {
            out.add(map(config, vs));
        }
        return new TableSpec(out);
    }

    /// [#from(KeepalivedConfig)], taking the spec of a virtual server from `previous` when its model
    /// is the same object there (a reload reuses the models of the blocks it did not parse again),
    /// and putting each virtual server's spec in `made` for the next time. A `virtual_server group`
    /// is always mapped again: its services follow the `virtual_server_group`, another block. The
    /// warnings a mapping logs are then logged once, when the block changes.
    public static TableSpec from(KeepalivedConfig config, Map<VirtualServerDef, VirtualServerSpec> previous,
            Map<VirtualServerDef, VirtualServerSpec> made) {
        var out = new ArrayList<VirtualServerSpec>();
        for (var vs : config.virtualServers()) {
            var spec = vs.key() instanceof VirtualServerDef.Key.Group ? null : previous.get(vs);
            if (spec == null) {
                spec = map(config, vs);
            }
            made.put(vs, spec);
            out.add(spec);
        }
        return new TableSpec(out);
    }

    private static VirtualServerSpec map(KeepalivedConfig config, VirtualServerDef vs) {
        var protocol = switch (vs.effectiveProtocol()) {
            case TCP -> Protocol.TCP;
            case UDP -> Protocol.UDP;
            case SCTP -> Protocol.SCTP;
        };
        // fwmark services have no address: take the family from the real servers, as keepalived does
        var fwmarkFamily = vs.realServers().isEmpty() ? AddressFamily.INET
                : AddressFamily.of(vs.realServers().getFirst().address());
        var keys = new ArrayList<ServiceKey>();
        String name;
        int servicePort;
        switch (vs.key()) {
            case VirtualServerDef.Key.Address a -> {
                var key = new ServiceKey.ByAddress(protocol, a.address(), a.port());
                keys.add(key);
                name = key.toString();
                servicePort = a.port();
            }
            case VirtualServerDef.Key.Fwmark f -> {
                keys.add(new ServiceKey.ByFwmark(f.mark(), fwmarkFamily));
                name = "fwmark " + f.mark();
                servicePort = 0;
            }
            case VirtualServerDef.Key.Group g -> {
                var group = config.virtualServerGroup(g.name()).orElseThrow(() -> new IllegalArgumentException(
                        "virtual_server group " + g.name() + " names no virtual_server_group"));
                for (var m : group.members()) {
                    expand(m, protocol, fwmarkFamily, keys);
                }
                name = "group " + g.name();
                servicePort = 0;
            }
        }
        var forwarding = forwarding(vs.lbKind(), ForwardingMethod.NAT);
        long timeout = vs.persistenceTimeout() == null ? 0 : vs.persistenceTimeout().toSeconds();
        int flags = (timeout > 0 ? ServiceSettings.PERSISTENT : 0) | (vs.ops() ? ServiceSettings.ONEPACKET : 0);
        for (var f : vs.schedulerFlags()) {
            flags |= switch (f) {
                case FLAG_1 -> ServiceSettings.SCHED1;
                case FLAG_2 -> ServiceSettings.SCHED2;
                case FLAG_3 -> ServiceSettings.SCHED3;
            };
        }
        int netmask = timeout > 0 && vs.persistenceGranularity() != null
                ? prefixLength(vs.persistenceGranularity()) : 128;
        if (timeout > 0 && vs.persistenceGranularity() != null && !contiguous(vs.persistenceGranularity())) {
            // Deviation from keepalived, which hands IPVS the mask bit by bit: Pharos models prefixes.
            LOG.log(System.Logger.Level.WARNING, "{0}: persistence_granularity {1} is not a contiguous netmask; "
                    + "Pharos uses its leading /{2}", name, Addresses.text(vs.persistenceGranularity()),
                    String.valueOf(netmask));
        }
        int quorum = vs.quorum() == null ? 1 : vs.quorum();
        int hysteresis = vs.hysteresis() == null ? 0 : vs.hysteresis();
        if (hysteresis >= quorum) {
            // keepalived's check_data.c does the same (with a config error)
            LOG.log(System.Logger.Level.WARNING, "{0}: hysteresis {1} >= quorum {2}; using hysteresis {3}", name,
                    String.valueOf(hysteresis), String.valueOf(quorum), String.valueOf(quorum - 1));
            hysteresis = quorum - 1;
        }
        var settings = new ServiceSettings(vs.lbAlgo() == null ? DEFAULT_SCHEDULER : vs.lbAlgo(), flags,
                Duration.ofSeconds(timeout), netmask);
        var realServers = new ArrayList<RealServerSpec>();
        for (var rs : vs.realServers()) {
            realServers.add(map(vs, rs, forwarding, servicePort));
        }
        SorryServerSpec sorry = null;
        if (vs.sorryServer() != null) {
            sorry = new SorryServerSpec(new Endpoint(vs.sorryServer().address(), vs.sorryServer().port()), 1,
                    forwarding, vs.sorryServerInhibit());
        }
        return new VirtualServerSpec(name, keys, settings, forwarding, realServers, sorry,
                quorum, hysteresis, vs.quorumUp() == null ? "" : vs.quorumUp(), vs.quorumDown() == null ? "" : vs.quorumDown());
    }

    private static RealServerSpec map(VirtualServerDef vs, RealServerDef rs, ForwardingMethod vsForwarding,
            int servicePort) {
        boolean alpha = rs.alpha() != null ? rs.alpha() : vs.alpha();
        for (var c : rs.checkers()) {
            if (c.common().alpha() != null) {
                alpha |= c.common().alpha();
            }
        }
        return new RealServerSpec(new Endpoint(rs.address(), rs.port() == null ? servicePort : rs.port()),
                rs.weight() == null ? 1 : rs.weight(), forwarding(rs.lbKind(), vsForwarding),
                rs.inhibitOnFailure() != null ? rs.inhibitOnFailure() : vs.inhibitOnFailure(), alpha,
                !rs.checkers().isEmpty(), rs.upperThreshold() == null ? 0 : rs.upperThreshold(),
                rs.lowerThreshold() == null ? 0 : rs.lowerThreshold(), false);
    }

    private static ForwardingMethod forwarding(VirtualServerDef.LbKind kind, ForwardingMethod fallback) {
        if (kind == null) {
            return fallback;
        }
        return switch (kind) {
            case NAT -> ForwardingMethod.NAT;
            case DR -> ForwardingMethod.DR;
            case TUN -> ForwardingMethod.TUN;
        };
    }

    private static void expand(VirtualServerGroupDef.Member member, Protocol protocol, AddressFamily fwmarkFamily,
            List<ServiceKey> keys) {
        switch (member) {
            case VirtualServerGroupDef.Member.Address a -> keys.add(new ServiceKey.ByAddress(protocol, a.address(),
                    a.port()));
            case VirtualServerGroupDef.Member.Fwmark f -> keys.add(new ServiceKey.ByFwmark(f.mark(), fwmarkFamily));
            case VirtualServerGroupDef.Member.Range r -> {
                var bytes = r.first().getAddress();
                // IPv4: the last octet runs up to `last`; IPv6: the last 16-bit group does
                int n = bytes.length;
                int first = n == 4 ? bytes[3] & 0xff : ((bytes[14] & 0xff) << 8) | (bytes[15] & 0xff);
                for (int v = first; v <= r.last(); v++) {
                    if (n == 4) {
                        bytes[3] = (byte) v;
                    } else {
                        bytes[14] = (byte) (v >> 8);
                        bytes[15] = (byte) v;
                    }
                    keys.add(new ServiceKey.ByAddress(protocol, address(bytes), r.port()));
                }
            }
        }
    }

    private static InetAddress address(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes.clone());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("an address of " + bytes.length + " bytes", e);
        }
    }

    /// `255.255.255.0` → 24: the number of leading one bits of a netmask.
    static int prefixLength(InetAddress mask) {
        int bits = 0;
        for (byte b : mask.getAddress()) {
            int ones = Integer.numberOfLeadingZeros(~(b & 0xff) & 0xff) - 24;
            bits += ones;
            if (ones < 8) {
                break;
            }
        }
        return bits;
    }

    /// True when `mask` is ones then zeros (a prefix).
    static boolean contiguous(InetAddress mask) {
        int prefix = prefixLength(mask);
        var bytes = mask.getAddress();
        for (int i = 0; i < bytes.length * 8; i++) {
            boolean one = (bytes[i / 8] >> (7 - i % 8) & 1) == 1;
            if (one != i < prefix) {
                return false;
            }
        }
        return true;
    }
}
