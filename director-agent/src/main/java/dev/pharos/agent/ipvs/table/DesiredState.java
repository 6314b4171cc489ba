package dev.pharos.agent.ipvs.table;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/// The table the balancer should hold, and per virtual server whether it holds quorum, computed
/// from the config, the checkers' view and the operator's edits with keepalived's rules
/// (`keepalived/check/ipwrapper.c`):
///
/// - a real server is alive when its checks are up; before its first check it is alive unless it
///   is in `alpha` mode; a real server without checkers is always alive;
/// - an alive real server is in the pool with its weight (dynamic weight from `MISC_CHECK` if
///   reported, 0 when drained); a dead one is removed, or kept with weight 0 under
///   `inhibit_on_failure`;
/// - quorum: the sum of the weights of alive real servers is compared with
///   `quorum − hysteresis` while quorum is held (lost below it, or at a sum of 0) and with
///   `quorum + hysteresis` while it is not (gained at or above it);
/// - while quorum is lost and there is a sorry server, the alive real servers leave the pool
///   (inhibited ones stay with weight 0) and the sorry server is the pool; otherwise the sorry
///   server is absent, or present with weight 0 under `sorry_server_inhibit`.
///
/// Quorum has memory (hysteresis), so the next state is computed from the previous one with
/// [#next]; [#compute] is the first computation, where quorum starts held when the sum reaches
/// `quorum + hysteresis` (keepalived's `set_quorum_states`).
///
/// @param quorum by [TableSpec.VirtualServerSpec#name()]
/// @param editProblems why some run-time edits could not apply (see [RuntimeEdits#applyTo])
public record DesiredState(ServiceTable table, Map<String, Quorum> quorum, List<String> editProblems) {

    public DesiredState {
        quorum = Collections.unmodifiableMap(new LinkedHashMap<>(quorum));
        editProblems = List.copyOf(editProblems);
    }

    /// Quorum of one virtual server at this computation.
    ///
    /// @param weightSum the sum of the weights of its alive real servers
    public record Quorum(boolean up, long weightSum, int quorum, int hysteresis) {
    }

    /// The first desired state (at start-up or for a virtual server seen for the first time).
    public static DesiredState compute(TableSpec spec, HealthView health, RuntimeEdits edits) {
        return compute(spec, health, edits, Map.of());
    }

    /// The desired state after this one: quorum moves from this state's (hysteresis).
    public DesiredState next(TableSpec spec, HealthView health, RuntimeEdits edits) {
        var previous = new LinkedHashMap<String, Boolean>();
        quorum.forEach((name, q) -> previous.put(name, q.up()));
        return compute(spec, health, edits, previous);
    }

    /// A virtual server whose quorum changed: run its `quorum_up` or `quorum_down` script.
    public record QuorumChange(String virtualServer, Quorum quorum) {
    }

    /// The virtual servers whose quorum flipped between `previous` and this state (one that is
    /// new in this state has no change to report).
    public List<QuorumChange> quorumChangesSince(DesiredState previous) {
        var out = new ArrayList<QuorumChange>();
        quorum.forEach((name, q) -> {
            var before = previous.quorum().get(name);
            if (before != null && before.up() != q.up()) {
                out.add(new QuorumChange(name, q));
            }
        });
        return List.copyOf(out);
    }

    private static DesiredState compute(TableSpec spec, HealthView health, RuntimeEdits edits,
            Map<String, Boolean> previousQuorum) {
        var applied = edits.applyTo(spec);
        var parts = new ArrayList<Part>();
        for (var vs : applied.spec().virtualServers()) {
            parts.add(part(vs, health, previousQuorum.get(vs.name())));
        }
        return assemble(parts, applied.problems());
    }

    /// One virtual server's share of a desired state, and the spec it was computed from.
    record Part(TableSpec.VirtualServerSpec spec, Quorum quorum,
            Map<ServiceKey, ServiceTable.VirtualService> services) {
    }

    /// `vs`'s part: its quorum (from `previouslyUp`, null the first time) and its services.
    static Part part(TableSpec.VirtualServerSpec vs, HealthView health, Boolean previouslyUp) {
        var alive = new LinkedHashMap<TableSpec.RealServerSpec, Integer>();
        long sum = 0;
        for (var rs : vs.realServers()) {
            var ref = new RealServerRef(vs.name(), rs.endpoint());
            if (isAlive(rs, health.state(ref))) {
                int weight = rs.drained() ? 0 : health.dynamicWeights().getOrDefault(ref, rs.weight());
                alive.put(rs, weight);
                sum += weight;
            }
        }
        var q = quorum(vs, sum, previouslyUp);
        boolean sorryInUse = !q.up() && vs.sorryServer() != null;
        var table = ServiceTable.builder();
        for (var key : vs.keys()) {
            table.service(key, vs.settings().forFamily(key.family()));
            for (var rs : vs.realServers()) {
                var weight = alive.get(rs);
                if (weight != null && !sorryInUse) {
                    table.destination(key, destination(rs, weight));
                } else if (rs.inhibitOnFailure()) {
                    // keepalived "removes" an inhibited server by setting its weight to 0
                    table.destination(key, destination(rs, 0));
                }
            }
            var sorry = vs.sorryServer();
            if (sorry != null && sorryInUse) {
                table.destination(key, new Destination(sorry.endpoint(), sorry.weight(), sorry.forwarding()));
            } else if (sorry != null && sorry.inhibit() && vs.realServer(sorry.endpoint()).isEmpty()) {
                table.destination(key, new Destination(sorry.endpoint(), 0, sorry.forwarding()));
            }
        }
        return new Part(vs, q, table.build().services());
    }

    /// The desired state the parts make, in their order. Two virtual servers with the same key
    /// (TableSpec allows it) share the service: the later one's settings, the destinations of both.
    static DesiredState assemble(List<Part> parts, List<String> problems) {
        var services = new LinkedHashMap<ServiceKey, ServiceTable.VirtualService>();
        var quorums = new LinkedHashMap<String, Quorum>();
        for (var p : parts) {
            quorums.put(p.spec().name(), p.quorum());
            p.services().forEach((key, service) -> services.merge(key, service, (earlier, later) -> {
                var destinations = new LinkedHashMap<>(earlier.destinations());
                destinations.putAll(later.destinations());
                return new ServiceTable.VirtualService(later.settings(), destinations);
            }));
        }
        return new DesiredState(new ServiceTable(services), quorums, problems);
    }

    private static boolean isAlive(TableSpec.RealServerSpec rs, HealthView.CheckState state) {
        if (!rs.checked()) {
            return true;
        }
        return switch (state) {
            case UP -> true;
            case DOWN -> false;
            case UNCHECKED -> !rs.alpha();
        };
    }

    /// keepalived's `update_quorum_state`: the threshold moves by the hysteresis away from the
    /// current state, and a sum of 0 always loses quorum.
    private static Quorum quorum(TableSpec.VirtualServerSpec vs, long sum, Boolean previouslyUp) {
        boolean up;
        if (previouslyUp == null) {
            up = sum >= (long) vs.quorum() + vs.hysteresis();
        } else if (previouslyUp) {
            up = sum != 0 && sum >= (long) vs.quorum() - vs.hysteresis();
        } else {
            up = sum >= (long) vs.quorum() + vs.hysteresis();
        }
        return new Quorum(up, sum, vs.quorum(), vs.hysteresis());
    }

    private static Destination destination(TableSpec.RealServerSpec rs, int weight) {
        return new Destination(rs.endpoint().address(), rs.endpoint().port(), weight, rs.forwarding(),
                rs.upperThreshold(), rs.lowerThreshold());
    }
}
