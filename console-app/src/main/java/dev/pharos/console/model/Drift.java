package dev.pharos.console.model;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/// Where two directors of a pair disagree about one virtual server: in dual-master LVS both carry
/// the same table, so any difference (a scheduler changed on one, a real server added to one, a
/// weight set on one, the VRRP group of its VIP configured differently) means that a failover
/// changes how the service is balanced. Compared field by field, as the agents report them.
///
/// @param reference the director the others are compared with: the MASTER of the VIP's group,
///                  else the first that reports the virtual server
/// @param differences one sentence each, e.g. `scheduler: wrr on lvs-master, rr on lvs-backup`
public record Drift(String virtualServer, String reference, List<String> differences) {

    public Drift {
        differences = List.copyOf(differences);
    }

    public boolean none() {
        return differences.isEmpty();
    }

    /// The drift of virtual server `id` among `directors` (those that are live and report it).
    public static Drift of(String id, List<DirectorModel> directors) {
        var carrying = directors.stream().filter(d -> d.livenessProperty().get() == Liveness.LIVE
                && d.virtualServer(id).isPresent()).toList();
        if (carrying.size() < 2) {
            return new Drift(id, carrying.isEmpty() ? null : carrying.getFirst().name(), List.of());
        }
        var reference = carrying.stream().filter(d -> roleOfVip(d, id).map(i -> i.stateProperty().get())
                .orElse(null) == VrrpState.MASTER).findFirst().orElse(carrying.getFirst());
        var differences = new ArrayList<String>();
        var ref = reference.virtualServer(id).orElseThrow();
        for (var other : carrying) {
            if (other == reference) {
                continue;
            }
            var v = other.virtualServer(id).orElseThrow();
            differ(differences, "scheduler", ref.schedulerProperty().get(), v.schedulerProperty().get(), reference, other);
            differ(differences, "forwarding", ref.kindProperty().get(), v.kindProperty().get(), reference, other);
            differ(differences, "persistence", seconds(ref.persistenceSecondsProperty().get()),
                    seconds(v.persistenceSecondsProperty().get()), reference, other);
            var ids = new LinkedHashSet<String>();
            ref.realServers().forEach(r -> ids.add(r.id()));
            v.realServers().forEach(r -> ids.add(r.id()));
            for (var rs : ids) {
                var a = ref.realServer(rs);
                var b = v.realServer(rs);
                if (a.isEmpty()) {
                    differences.add("real server " + rs + ": only on " + other.name());
                } else if (b.isEmpty()) {
                    differences.add("real server " + rs + ": only on " + reference.name());
                } else {
                    differ(differences, "weight of " + rs, a.get().weightProperty().get(), b.get().weightProperty().get(),
                            reference, other);
                }
            }
            var groupA = roleOfVip(reference, id);
            var groupB = roleOfVip(other, id);
            if (groupA.isPresent() != groupB.isPresent()) {
                differences.add("VRRP group of the VIP: only on " + (groupA.isPresent() ? reference : other).name());
            } else if (groupA.isPresent()) {
                var a = groupA.get();
                var b = groupB.get();
                differ(differences, "VRID of the VIP", a.vridProperty().get(), b.vridProperty().get(), reference, other);
                differ(differences, "advert_int of VRID " + a.vridProperty().get(),
                        a.advertIntervalMillisProperty().get() + " ms", b.advertIntervalMillisProperty().get() + " ms",
                        reference, other);
                differ(differences, "virtual addresses of VRID " + a.vridProperty().get(),
                        new LinkedHashSet<>(a.virtualAddressesProperty().get()),
                        new LinkedHashSet<>(b.virtualAddressesProperty().get()), reference, other);
            }
        }
        return new Drift(id, reference.name(), differences);
    }

    /// The VRRP instance of `d` whose virtual addresses hold the VIP of virtual server `id`.
    static Optional<InstanceModel> roleOfVip(DirectorModel d, String id) {
        return d.virtualServer(id).flatMap(v -> d.instanceHolding(v.addressProperty().get()));
    }

    private static void differ(List<String> out, String what, Object a, Object b, DirectorModel da, DirectorModel db) {
        if (!Objects.equals(a, b)) {
            out.add(what + ": " + a + " on " + da.name() + ", " + b + " on " + db.name());
        }
    }

    private static String seconds(long s) {
        return s == 0 ? "none" : s + " s";
    }
}
