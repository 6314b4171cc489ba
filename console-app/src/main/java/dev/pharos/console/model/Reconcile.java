package dev.pharos.console.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;
import javafx.collections.ObservableList;

/// Brings an observable list of long-lived model objects in line with a fresh list of records,
/// keeping the objects whose id survives (so views bound to them stay), in the records' order.
final class Reconcile {

    static <R, M> void list(List<M> models, List<R> records, Function<R, String> recordId, Function<M, String> modelId,
            Function<String, M> create, BiConsumer<M, R> apply) {
        var byId = new HashMap<String, M>();
        for (var m : models) {
            byId.put(modelId.apply(m), m);
        }
        var next = new ArrayList<M>(records.size());
        for (var r : records) {
            var m = byId.remove(recordId.apply(r));
            if (m == null) {
                m = create.apply(recordId.apply(r));
            }
            apply.accept(m, r);
            next.add(m);
        }
        if (!next.equals(models)) {
            // setAll only when membership or order changed: one change event, not one per item.
            if (models instanceof ObservableList<M> o) {
                o.setAll(next);
            } else {
                models.clear();
                models.addAll(next);
            }
        }
    }

    private Reconcile() {
    }
}
