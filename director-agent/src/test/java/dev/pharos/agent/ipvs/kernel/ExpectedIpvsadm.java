package dev.pharos.agent.ipvs.kernel;

import dev.pharos.agent.api.Addresses;
import dev.pharos.agent.config.RealServerDef;
import dev.pharos.agent.config.VirtualServerDef;
import dev.pharos.agent.ipvs.table.DesiredState;
import dev.pharos.agent.ipvs.table.TableSpec;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/// The lines `ipvsadm -Sn` prints for a kernel that holds keepalived's table for some virtual
/// servers, written from keepalived's rules (`ipwrapper.c`: weights, `inhibit_on_failure`, quorum
/// with hysteresis at start, the sorry server) and ipvsadm's save format (`print_service_entry`
/// with `FMT_RULE`, which leaves out the connection thresholds) — independently of the agent's own
/// [TableSpec] and [DesiredState], so that a test comparing the kernel with these lines checks
/// them too.
///
/// Deliberately narrow: every virtual server must name its `lb_algo`, `lb_kind` and `protocol`,
/// and the only real servers taken as down are those `down` says.
final class ExpectedIpvsadm {

    private ExpectedIpvsadm() {
    }

    /// The lines, sorted (ipvsadm's own order is the kernel's hash order).
    static List<String> lines(List<VirtualServerDef> virtualServers, Predicate<RealServerDef> down) {
        var out = new ArrayList<String>();
        for (var vs : virtualServers) {
            var service = service(vs);
            var head = new StringBuilder("-A " + service + " -s " + require(vs.lbAlgo(), "lb_algo", vs));
            if (vs.persistenceTimeout() != null && !vs.persistenceTimeout().isZero()) {
                head.append(" -p ").append(vs.persistenceTimeout().toSeconds());
                var mask = vs.persistenceGranularity();
                if (mask != null && mask instanceof Inet4Address && !mask.getHostAddress().equals("255.255.255.255")) {
                    head.append(" -M ").append(mask.getHostAddress());
                } else if (mask != null && mask instanceof Inet6Address && prefix(mask) != 128) {
                    head.append(" -M ").append(prefix(mask));
                }
            }
            if (vs.ops()) {
                head.append(" -o");
            }
            out.add(head.toString());
            long sum = 0;
            var alive = new ArrayList<RealServerDef>();
            for (var rs : vs.realServers()) {
                if (!down.test(rs)) {
                    alive.add(rs);
                    sum += weight(rs);
                }
            }
            int quorum = vs.quorum() == null ? 1 : vs.quorum();
            int hysteresis = vs.hysteresis() == null ? 0 : vs.hysteresis();
            // keepalived's set_quorum_states: at start, quorum is held from quorum + hysteresis
            boolean quorumUp = sum >= (long) quorum + hysteresis;
            var kind = require(vs.lbKind(), "lb_kind", vs);
            if (!quorumUp && vs.sorryServer() != null) {
                out.add("-a " + service + " -r " + hostPort(vs.sorryServer().address(), vs.sorryServer().port())
                        + " " + method(kind, 1));
            }
            boolean sorryInUse = !quorumUp && vs.sorryServer() != null;
            for (var rs : vs.realServers()) {
                int weight;
                if (alive.contains(rs) && !sorryInUse) {
                    weight = weight(rs);
                } else if (rs.inhibitOnFailure() != null ? rs.inhibitOnFailure() : vs.inhibitOnFailure()) {
                    // keepalived "removes" an inhibited server by setting its weight to 0
                    weight = 0;
                } else {
                    continue;
                }
                int port = rs.port() == null ? 0 : rs.port();
                out.add("-a " + service + " -r " + hostPort(rs.address(), port) + " "
                        + method(rs.lbKind() != null ? rs.lbKind() : kind, weight));
            }
        }
        return out.stream().sorted().toList();
    }

    private static String service(VirtualServerDef vs) {
        return switch (vs.key()) {
            case VirtualServerDef.Key.Address a -> switch (require(vs.protocol(), "protocol", vs)) {
                case TCP -> "-t ";
                case UDP -> "-u ";
                case SCTP -> "--sctp-service ";
            } + hostPort(a.address(), a.port());
            case VirtualServerDef.Key.Fwmark f -> "-f " + f.mark();
            case VirtualServerDef.Key.Group g -> throw new IllegalArgumentException("groups are not modelled: " + g);
        };
    }

    /// The forwarding switch and the weight, as ipvsadm orders them.
    private static String method(VirtualServerDef.LbKind kind, int weight) {
        var format = switch (kind) {
            case NAT -> "-m -w %d";
            case DR -> "-g -w %d";
            // ipvsadm 1.31 names the tunnel type (IPIP is the only one keepalived configures)
            case TUN -> "-i -w %d --tun-type ipip";
        };
        return format.formatted(weight);
    }

    private static int weight(RealServerDef rs) {
        return rs.weight() == null ? 1 : rs.weight();
    }

    private static String hostPort(InetAddress address, int port) {
        // RFC 5952 text, as inet_ntop prints it
        var text = Addresses.text(address);
        return (address instanceof Inet6Address ? "[" + text + "]" : text) + ":" + port;
    }

    private static int prefix(InetAddress mask) {
        int bits = 0;
        for (var b : mask.getAddress()) {
            bits += Integer.bitCount(b & 0xff);
        }
        return bits;
    }

    private static <T> T require(T value, String keyword, VirtualServerDef vs) {
        if (value == null) {
            throw new IllegalArgumentException(vs.id() + " must name its " + keyword + " for this expectation");
        }
        return value;
    }
}
