package dev.pharos.console.edit;

import dev.pharos.console.model.DirectorModel;
import java.util.ArrayList;
import java.util.List;

/// The edits that make one director's virtual server match another's (the drift the console
/// shows): its scheduling, its real servers and their weights. Each edit goes to `other` only.
/// The VIP's VRRP settings are not in reach of an edit; they need the configuration editor.
public final class DriftRepair {

    private DriftRepair() {
    }

    /// Edits for `other` so that its virtual server `id` is as `reference` reports it; empty when
    /// they already agree (or either does not carry it).
    public static List<Edit> edits(String id, DirectorModel reference, DirectorModel other) {
        var ref = reference.virtualServer(id).orElse(null);
        var v = other.virtualServer(id).orElse(null);
        if (ref == null || v == null) {
            return List.of();
        }
        var edits = new ArrayList<Edit>();
        var scheduler = ref.schedulerProperty().get();
        var kind = ref.kindProperty().get();
        var persistence = ref.persistenceSecondsProperty().get();
        if (!scheduler.equals(v.schedulerProperty().get()) || !kind.equals(v.kindProperty().get())
                || persistence != v.persistenceSecondsProperty().get()) {
            edits.add(new Edit.SetScheduling(id, scheduler, kind, persistence, v.schedulerProperty().get(),
                    v.kindProperty().get(), v.persistenceSecondsProperty().get()));
        }
        for (var r : ref.realServers()) {
            var mine = v.realServer(r.id());
            if (mine.isEmpty()) {
                edits.add(new Edit.Add(id, r.addressProperty().get(), r.portProperty().get(), r.weightProperty().get()));
            } else if (mine.get().weightProperty().get() != r.weightProperty().get()) {
                edits.add(new Edit.SetWeight(id, r.id(), r.weightProperty().get(), mine.get().weightProperty().get()));
            }
        }
        for (var r : v.realServers()) {
            if (ref.realServer(r.id()).isEmpty()) {
                edits.add(new Edit.Remove(id, r.id(), r.addressProperty().get(), r.portProperty().get(),
                        r.weightProperty().get()));
            }
        }
        return edits.stream().<Edit>map(e -> new Edit.OnDirector(other.name(), e)).toList();
    }
}
