package dev.pharos.agent.config;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;

/// The operator's edits as pure functions on the model: each returns the new configuration, one
/// line per change and the [Step]s that make it, or throws [EditException] saying what is missing
/// or wrong. The caller validates the result and applies it as a whole, so a rejected edit changes
/// nothing. The steps let the agent write the edit into the file as the operator wrote it, changing
/// only the lines the edit changes (see `config.syntax.LosslessEditor`).
public final class ConfigEdits {

    /// The schedulers IPVS (and so keepalived's `lb_algo`) knows, sorted; what `check-config`
    /// accepts too (keepalived 2.2.7's `-t` fails on another name).
    public static final List<String> SCHEDULERS = Keywords.SCHEDULERS.stream().sorted().toList();

    /// keepalived's upper bound for `persistence_timeout` (31 days): above it keepalived ignores
    /// the value, so neither `check-config` nor an edit accepts it.
    public static final long MAX_PERSISTENCE_SECONDS = Validator.MAX_PERSISTENCE_SECONDS;

    /// An edited configuration, what changed (for people) and how (for the file).
    public record Edit(KeepalivedConfig config, List<String> changes, List<Step> steps) {
        public Edit {
            changes = List.copyOf(changes);
            steps = List.copyOf(steps);
        }
    }

    /// One change of an edit, naming blocks by their ids in the configuration before the edit.
    public sealed interface Step {
        /// `rs` joins the virtual server `vsId`, after its last real server.
        record AddRealServer(String vsId, RealServerDef rs) implements Step {
        }

        record RemoveRealServer(String vsId, String rsId) implements Step {
        }

        /// The settings of a real server that differ between `before` and `after` change.
        record UpdateRealServer(String vsId, RealServerDef before, RealServerDef after) implements Step {
        }

        /// The block moves as it is written; its port becomes `moved`'s.
        record MoveRealServer(String fromId, String rsId, String toId, RealServerDef moved) implements Step {
        }

        record AddVirtualServer(VirtualServerDef vs) implements Step {
        }

        record RemoveVirtualServer(String vsId) implements Step {
        }

        /// The settings of a virtual server that differ between `before` and `after` change.
        record UpdateVirtualServer(VirtualServerDef before, VirtualServerDef after) implements Step {
        }
    }

    /// Why an edit cannot be made.
    public static final class EditException extends Exception {
        private final boolean notFound;

        EditException(boolean notFound, String message) {
            super(message);
            this.notFound = notFound;
        }

        /// true when something named does not exist; false when the request is invalid.
        public boolean notFound() {
            return notFound;
        }
    }

    public static Edit addRealServer(KeepalivedConfig c, String vsId, InetAddress address, Integer port,
            Integer weight, boolean copyChecks) throws EditException {
        var vs = virtualServer(c, vsId);
        if (weight != null && (weight < 0 || weight > 65535)) {
            throw invalid("weight " + weight + " is outside 0–65535");
        }
        if (port != null && (port < 1 || port > 65535)) {
            throw invalid("port " + port + " is outside 1–65535");
        }
        if (port == null && vs.key() instanceof VirtualServerDef.Key.Address a) {
            port = a.port();
        }
        keepsThePort(vs, address, port);
        var rs = RealServerDef.of(address, port, weight);
        if (copyChecks && !vs.realServers().isEmpty()) {
            rs = rs.withCheckers(vs.realServers().getFirst().checkers());
        }
        final var added = rs;
        if (vs.realServers().stream().anyMatch(r -> r.id().equals(added.id()))) {
            throw invalid("real server " + added.id() + " is already in " + vsId);
        }
        var servers = new ArrayList<>(vs.realServers());
        servers.add(rs);
        return new Edit(replace(c, vs, vs.withRealServers(servers)),
                List.of("added real server " + rs.id() + " to " + vsId + " (weight " + (weight == null ? 1 : weight)
                        + (rs.checkers().isEmpty() ? ", no checks" : ", " + rs.checkers().size() + " check(s)") + ")"),
                List.of(new Step.AddRealServer(vsId, rs)));
    }

    public static Edit removeRealServer(KeepalivedConfig c, String vsId, String rsId) throws EditException {
        var vs = virtualServer(c, vsId);
        var rs = realServer(vs, rsId);
        var servers = new ArrayList<>(vs.realServers());
        servers.remove(rs);
        return new Edit(replace(c, vs, vs.withRealServers(servers)),
                List.of("removed real server " + rsId + " from " + vsId), List.of(new Step.RemoveRealServer(vsId, rsId)));
    }

    public static Edit updateRealServer(KeepalivedConfig c, String vsId, String rsId, Integer weight,
            Boolean inhibitOnFailure) throws EditException {
        var vs = virtualServer(c, vsId);
        var rs = realServer(vs, rsId);
        var changes = new ArrayList<String>();
        var updated = rs;
        if (weight != null) {
            if (weight < 0 || weight > 65535) {
                throw invalid("weight " + weight + " is outside 0–65535");
            }
            int old = rs.weight() == null ? 1 : rs.weight();
            if (old != weight) {
                updated = updated.withWeight(weight);
                changes.add("weight of " + rsId + " in " + vsId + ": " + old + " → " + weight
                        + (weight == 0 ? " (draining)" : ""));
            }
        }
        if (inhibitOnFailure != null && !inhibitOnFailure.equals(Boolean.TRUE.equals(rs.inhibitOnFailure()))) {
            updated = updated.withInhibitOnFailure(inhibitOnFailure ? Boolean.TRUE : null);
            changes.add("inhibit_on_failure of " + rsId + " in " + vsId + ": " + (inhibitOnFailure ? "on" : "off"));
        }
        final var u = updated;
        var servers = vs.realServers().stream().map(r -> r == rs ? u : r).toList();
        return new Edit(replace(c, vs, vs.withRealServers(servers)), changes,
                List.of(new Step.UpdateRealServer(vsId, rs, u)));
    }

    public static Edit moveRealServer(KeepalivedConfig c, String fromId, String rsId, String toId, Integer port)
            throws EditException {
        var from = virtualServer(c, fromId);
        var to = virtualServer(c, toId);
        if (from == to) {
            throw invalid("real server " + rsId + " is already in " + toId);
        }
        var rs = realServer(from, rsId);
        if (port != null && (port < 1 || port > 65535)) {
            throw invalid("port " + port + " is outside 1–65535");
        }
        var moved = port != null ? rs.withPort(port) : rs;
        keepsThePort(to, moved.address(), moved.port());
        if (to.realServers().stream().anyMatch(r -> r.id().equals(moved.id()))) {
            throw invalid("real server " + moved.id() + " is already in " + toId);
        }
        var fromServers = new ArrayList<>(from.realServers());
        fromServers.remove(rs);
        var toServers = new ArrayList<>(to.realServers());
        toServers.add(moved);
        var edited = replace(c, from, from.withRealServers(fromServers));
        var toNow = virtualServer(edited, toId);
        edited = replace(edited, toNow, toNow.withRealServers(toServers));
        return new Edit(edited, List.of("moved real server " + rsId + " from " + fromId + " to " + toId
                + (moved.id().equals(rsId) ? "" : " as " + moved.id())),
                List.of(new Step.MoveRealServer(fromId, rsId, toId, moved)));
    }

    public static Edit addVirtualServer(KeepalivedConfig c, VirtualServerDef.Key key, VirtualServerDef.Protocol protocol,
            String scheduler, VirtualServerDef.LbKind kind, Duration persistence, Duration delayLoop)
            throws EditException {
        checkScheduler(scheduler);
        var vs = new VirtualServerDef(key, delayLoop, scheduler == null ? "wlc" : scheduler,
                kind == null ? VirtualServerDef.LbKind.NAT : kind,
                persistence == null || persistence.isZero() ? null : persistence, null,
                key instanceof VirtualServerDef.Key.Fwmark ? null : (protocol == null ? VirtualServerDef.Protocol.TCP : protocol),
                null, null, null, null, null, false, false, false, false, null, false, false, Set.of(), null, null, null,
                null, List.of(), List.of());
        if (c.virtualServers().stream().anyMatch(v -> v.id().equals(vs.id()))) {
            throw invalid("virtual server " + vs.id() + " exists already");
        }
        var list = new ArrayList<>(c.virtualServers());
        list.add(vs);
        return new Edit(withVirtualServers(c, list), List.of("added virtual server " + vs.id()),
                List.of(new Step.AddVirtualServer(vs)));
    }

    public static Edit removeVirtualServer(KeepalivedConfig c, String vsId) throws EditException {
        var vs = virtualServer(c, vsId);
        var list = new ArrayList<>(c.virtualServers());
        list.remove(vs);
        return new Edit(withVirtualServers(c, list), List.of("removed virtual server " + vsId + " and its "
                + vs.realServers().size() + " real server(s)"), List.of(new Step.RemoveVirtualServer(vsId)));
    }

    public static Edit updateVirtualServer(KeepalivedConfig c, String vsId, String scheduler,
            VirtualServerDef.LbKind kind, Duration persistence, Duration delayLoop, Integer quorum)
            throws EditException {
        var vs = virtualServer(c, vsId);
        if (quorum != null && quorum < 0) {
            throw invalid("quorum " + quorum + " is negative");
        }
        checkScheduler(scheduler == null ? null : scheduler.toLowerCase(Locale.ROOT));
        var updated = vs.withSettings(scheduler == null ? null : scheduler.toLowerCase(Locale.ROOT), kind,
                persistence, delayLoop, quorum);
        if (updated.lbKind() != vs.lbKind()) {
            for (var rs : updated.realServers()) {
                keepsThePort(updated, rs.address(), rs.port());
            }
        }
        var changes = new ArrayList<String>();
        if (!Objects.equals(vs.lbAlgo(), updated.lbAlgo())) {
            changes.add("scheduler of " + vsId + ": " + vs.lbAlgo() + " → " + updated.lbAlgo());
        }
        if (vs.lbKind() != updated.lbKind()) {
            changes.add("lb_kind of " + vsId + ": " + vs.lbKind() + " → " + updated.lbKind());
        }
        if (!Objects.equals(vs.persistenceTimeout(), updated.persistenceTimeout())) {
            changes.add("persistence_timeout of " + vsId + ": " + seconds(vs.persistenceTimeout()) + " → "
                    + seconds(updated.persistenceTimeout()));
        }
        if (!Objects.equals(vs.delayLoop(), updated.delayLoop())) {
            changes.add("delay_loop of " + vsId + ": " + seconds(vs.delayLoop()) + " → " + seconds(updated.delayLoop()));
        }
        if (!Objects.equals(vs.quorum(), updated.quorum())) {
            changes.add("quorum of " + vsId + ": " + (vs.quorum() == null ? 1 : vs.quorum()) + " → " + updated.quorum());
        }
        return new Edit(replace(c, vs, updated), changes, List.of(new Step.UpdateVirtualServer(vs, updated)));
    }

    /// Direct routing and tunnelling deliver the packet as it came, to the service's port:
    /// keepalived resets another port of a real server (and `keepalived -t` fails), so an edit does
    /// not make such a pair. (A file may hold one: Pharos's user-space balancer proxies it.)
    private static void keepsThePort(VirtualServerDef vs, InetAddress address, Integer port) throws EditException {
        var kind = vs.lbKind() == null ? VirtualServerDef.LbKind.NAT : vs.lbKind();
        if (kind != VirtualServerDef.LbKind.NAT && vs.key() instanceof VirtualServerDef.Key.Address a
                && port != null && port != a.port()) {
            throw invalid("real server " + Values.format(address) + " port " + port + ": lb_kind " + kind
                    + " cannot change the port, so it must be " + vs.id() + "'s " + a.port()
                    + " (keepalived resets another)");
        }
    }

    /// An unknown name would be written as `lb_algo` and refused when the file is read again.
    private static void checkScheduler(String scheduler) throws EditException {
        if (scheduler != null && !Keywords.SCHEDULERS.contains(scheduler)) {
            throw invalid("scheduler \"" + scheduler + "\" is not a scheduler name (one of "
                    + String.join(", ", SCHEDULERS) + ")");
        }
    }

    private static String seconds(Duration d) {
        return d == null ? "none" : d.toSeconds() + "s";
    }

    public static VirtualServerDef virtualServer(KeepalivedConfig c, String id) throws EditException {
        if (id == null) {
            throw invalid("no virtual server named");
        }
        for (var vs : c.virtualServers()) {
            if (vs.id().equals(id)) {
                return vs;
            }
        }
        var ids = c.virtualServers().stream().map(VirtualServerDef::id).toList();
        throw new EditException(true, "no virtual server " + id + (ids.isEmpty() ? " (there are none)"
                : "; there are: " + String.join(", ", ids)));
    }

    public static RealServerDef realServer(VirtualServerDef vs, String id) throws EditException {
        if (id == null) {
            throw invalid("no real server named");
        }
        for (var rs : vs.realServers()) {
            if (rs.id().equals(id)) {
                return rs;
            }
        }
        throw new EditException(true, "no real server " + id + " in " + vs.id());
    }

    private static KeepalivedConfig replace(KeepalivedConfig c, VirtualServerDef old, VirtualServerDef updated) {
        UnaryOperator<VirtualServerDef> swap = v -> v == old ? updated : v;
        return withVirtualServers(c, c.virtualServers().stream().map(swap).toList());
    }

    private static KeepalivedConfig withVirtualServers(KeepalivedConfig c, List<VirtualServerDef> list) {
        return new KeepalivedConfig(c.globalDefs(), c.vrrpScripts(), c.syncGroups(), c.vrrpInstances(),
                c.virtualServerGroups(), list, c.extras());
    }

    private static EditException invalid(String message) {
        return new EditException(false, message);
    }

    private ConfigEdits() {
    }
}
