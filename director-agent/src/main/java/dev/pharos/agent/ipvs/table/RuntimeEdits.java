package dev.pharos.agent.ipvs.table;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/// The operator's run-time edits in the order they were made.
public record RuntimeEdits(List<RuntimeEdit> edits) {

    public static final RuntimeEdits NONE = new RuntimeEdits(List.of());

    public RuntimeEdits {
        edits = List.copyOf(edits);
    }

    public RuntimeEdits plus(RuntimeEdit edit) {
        var list = new ArrayList<>(edits);
        list.add(edit);
        return new RuntimeEdits(list);
    }

    /// The spec with the edits applied, and why any edit could not be (e.g. its virtual server
    /// left the config in a reload). An edit that cannot apply is skipped, the others still apply.
    public record Applied(TableSpec spec, List<String> problems) {
        public Applied {
            problems = List.copyOf(problems);
        }
    }

    public Applied applyTo(TableSpec spec) {
        var problems = new ArrayList<String>();
        var current = spec;
        for (var edit : edits) {
            var problem = check(current, edit);
            if (problem.isPresent()) {
                problems.add(problem.get());
            } else {
                current = apply(current, edit);
            }
        }
        return new Applied(current, problems);
    }

    /// Why `edit` cannot apply to `spec`, or empty when it can (for validating a request).
    public static Optional<String> check(TableSpec spec, RuntimeEdit edit) {
        return switch (edit) {
            case RuntimeEdit.AddRealServer a -> absentFrom(spec, a.virtualServer(), a.realServer().endpoint());
            case RuntimeEdit.RemoveRealServer r -> missing(spec, r.realServer());
            case RuntimeEdit.SetWeight w -> missing(spec, w.realServer());
            case RuntimeEdit.Drain d -> missing(spec, d.realServer());
            case RuntimeEdit.MoveRealServer m -> missing(spec, m.realServer())
                    .or(() -> absentFrom(spec, m.toVirtualServer(), m.realServer().endpoint()));
        };
    }

    /// A problem unless `virtualServer` exists and does not list `endpoint` yet.
    private static Optional<String> absentFrom(TableSpec spec, String virtualServer, Endpoint endpoint) {
        var vs = spec.virtualServer(virtualServer);
        if (vs.isEmpty()) {
            return Optional.of(noVirtualServer(virtualServer));
        }
        return vs.get().realServer(endpoint).isPresent()
                ? Optional.of("real server " + endpoint + " is already in " + virtualServer) : Optional.empty();
    }

    private static Optional<String> missing(TableSpec spec, RealServerRef ref) {
        var vs = spec.virtualServer(ref.virtualServer());
        if (vs.isEmpty()) {
            return Optional.of(noVirtualServer(ref.virtualServer()));
        }
        return vs.get().realServer(ref.endpoint()).isPresent() ? Optional.empty()
                : Optional.of("virtual server " + ref.virtualServer() + " has no real server " + ref.endpoint());
    }

    private static String noVirtualServer(String name) {
        return "there is no virtual server '" + name + "' (the configuration may have been reloaded without it)";
    }

    private static TableSpec apply(TableSpec spec, RuntimeEdit edit) {
        return switch (edit) {
            case RuntimeEdit.AddRealServer a -> replace(spec, a.virtualServer(), list -> list.add(a.realServer()));
            case RuntimeEdit.RemoveRealServer r -> replace(spec, r.realServer().virtualServer(),
                    list -> list.removeIf(rs -> rs.endpoint().equals(r.realServer().endpoint())));
            case RuntimeEdit.SetWeight w -> update(spec, w.realServer(), rs -> rs.withWeight(w.weight()));
            case RuntimeEdit.Drain d -> update(spec, d.realServer(), TableSpec.RealServerSpec::drain);
            case RuntimeEdit.MoveRealServer m -> {
                var moved = spec.virtualServer(m.realServer().virtualServer()).orElseThrow()
                        .realServer(m.realServer().endpoint()).orElseThrow();
                var without = replace(spec, m.realServer().virtualServer(),
                        list -> list.removeIf(rs -> rs.endpoint().equals(moved.endpoint())));
                yield replace(without, m.toVirtualServer(), list -> list.add(moved));
            }
        };
    }

    private static TableSpec update(TableSpec spec, RealServerRef ref,
            UnaryOperator<TableSpec.RealServerSpec> change) {
        return replace(spec, ref.virtualServer(), list -> list.replaceAll(
                rs -> rs.endpoint().equals(ref.endpoint()) ? change.apply(rs) : rs));
    }

    private static TableSpec replace(TableSpec spec, String virtualServer,
            Consumer<List<TableSpec.RealServerSpec>> change) {
        var out = new ArrayList<TableSpec.VirtualServerSpec>();
        for (var vs : spec.virtualServers()) {
            if (vs.name().equals(virtualServer)) {
                var list = new ArrayList<>(vs.realServers());
                change.accept(list);
                out.add(vs.withRealServers(list));
            } else {
                out.add(vs);
            }
        }
        return new TableSpec(out);
    }
}
