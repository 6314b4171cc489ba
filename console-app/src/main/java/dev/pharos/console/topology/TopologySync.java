package dev.pharos.console.topology;

import dev.pharos.console.model.DirectorModel;
import dev.pharos.console.model.Liveness;
import dev.pharos.console.model.RealServerModel;
import dev.pharos.console.model.VirtualServerModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javafx.beans.InvalidationListener;
import javafx.beans.Observable;
import javafx.beans.value.ChangeListener;
import javafx.beans.value.ObservableValue;
import javafx.scene.Node;

/// One structural update of the topology: brings the [Drawing] in line with the cluster model.
/// It computes the layout, keeps every node whose models are unchanged (moving it if the layout
/// moved), has [TopologyNodes] create the new ones and drops the gone ones. Structure listeners
/// (lists, liveness, instance roles) are few and re-attached at each update; a real server's own
/// listeners live as long as its node.
final class TopologySync {

    private static final System.Logger LOG = System.getLogger(TopologySync.class.getName());

    private final TopologyViewModel model;
    private final Drawing drawing;
    private final TopologyNodes nodes;
    private final Map<String, Node> vsNodes;
    private final Map<String, Node> rsNodes;
    private final Map<String, RealServerModel> rsModels;
    private final Set<String> selected;
    private final Runnable markDirty;
    private final List<Runnable> detach = new ArrayList<>();
    private int syncs;

    /// Fills `vsNodes`, `rsNodes` and `rsModels` (the view's) anew at each update; marks the
    /// selected real servers; calls `markDirty` when the model changes in a way that needs another.
    TopologySync(TopologyViewModel model, Drawing drawing, TopologyNodes nodes, Map<String, Node> vsNodes,
            Map<String, Node> rsNodes, Map<String, RealServerModel> rsModels, Set<String> selected, Runnable markDirty) {
        this.model = model;
        this.drawing = drawing;
        this.nodes = nodes;
        this.vsNodes = vsNodes;
        this.rsNodes = rsNodes;
        this.rsModels = rsModels;
        this.selected = selected;
        this.markDirty = markDirty;
    }

    /// How many updates ran.
    int count() {
        return syncs;
    }

    /// Redraws when `o` changes: a list on any change; a value only when it differs by `equals`
    /// (an agent's state, re-read, sets equal values again: that must not redraw 2,000 servers).
    private void watch(Observable o) {
        if (o instanceof ObservableValue<?> v) {
            ChangeListener<Object> l = (x, was, now) -> markDirty.run();
            v.addListener(l);
            detach.add(() -> v.removeListener(l));
        } else {
            InvalidationListener l = x -> markDirty.run();
            o.addListener(l);
            detach.add(() -> o.removeListener(l));
        }
    }

    /// Runs one structural update and returns the layout it drew.
    TopologyLayout.Result run() {
        long began = System.nanoTime();
        syncs++;
        detach.forEach(Runnable::run);
        detach.clear();
        drawing.beginUpdate();
        vsNodes.clear();
        rsNodes.clear();
        rsModels.clear();

        // Virtual servers as the union over directors (in dual-master LVS both carry the same table).
        var cluster = model.cluster();
        var vsById = new LinkedHashMap<String, List<VirtualServerModel>>();
        watch(cluster.driftProperty());
        watch(model.emptyHintProperty());
        for (var d : cluster.directors()) {
            watch(d.livenessProperty());
            watch(d.readingsProperty());
            watch(d.announcementsProperty());
            watch(d.instances());
            watch(d.virtualServers());
            for (var i : d.instances()) {
                watch(i.stateProperty());
                watch(i.priorityProperty());
                watch(i.virtualAddressesProperty());
                watch(i.vridProperty());
                watch(i.splitBrainStateProperty());
            }
            watch(model.retryChanges(d)); // a new retry time for the card's countdown
            for (var v : d.virtualServers()) {
                vsById.computeIfAbsent(v.id(), k -> new ArrayList<>()).add(v);
                watch(v.realServers());
                // Every field the card draws (it kept "wrr" after an Apply changed it to "rr").
                watch(v.schedulerProperty());
                watch(v.kindProperty());
                watch(v.persistenceSecondsProperty());
                watch(v.servedAsProperty());
            }
        }
        var layoutInput = new LinkedHashMap<String, List<String>>();
        vsById.forEach((id, models) -> {
            var ids = new LinkedHashSet<String>();
            for (var v : models) {
                for (var r : v.realServers()) {
                    ids.add(r.id());
                }
            }
            layoutInput.put(id, List.copyOf(ids));
        });
        var instances = cluster.directors().stream().mapToInt(d -> d.instances().size()).max().orElse(0);
        var layout = model.arrange(cluster.directors().stream().map(DirectorModel::name).toList(), instances,
                layoutInput);

        if (cluster.directors().isEmpty()) {
            var text = model.emptyHintProperty().get();
            var e = drawing.reuse("empty", text, () -> nodes.emptyHint(text));
            e.node.relocate(TopologyLayout.MARGIN, TopologyLayout.MARGIN);
            e.cover(TopologyLayout.MARGIN, TopologyLayout.MARGIN, TopologyLayout.MARGIN + 300, TopologyLayout.MARGIN + 20);
        }
        for (var d : cluster.directors()) {
            var db = layout.directors().get(d.name());
            boolean stale = d.livenessProperty().get() != Liveness.LIVE;
            for (var e : vsById.entrySet()) {
                var vb = layout.virtualServers().get(e.getKey());
                var vip = e.getValue().getFirst().addressProperty().get();
                var role = model.roleOf(d, vip);
                if (role.isEmpty()) {
                    // one of several active directors: its routing daemon announces the VIP (or not)
                    var announced = model.announcementOf(d, vip);
                    if (announced.isPresent()) {
                        var signature = List.of(announced.get(), stale);
                        drawing.reuse("dl:" + d.name() + "|" + e.getKey(), signature,
                                () -> nodes.announceLink(announced.get(), stale, signature))
                                .line(db.centerX(), db.bottom(), vb.centerX(), vb.y());
                    }
                    continue;
                }
                var signature = List.of(role.get(), stale);
                var l = drawing.reuse("dl:" + d.name() + "|" + e.getKey(), signature,
                        () -> nodes.directorLink(role.get(), stale, signature));
                l.line(db.centerX(), db.bottom(), vb.centerX(), vb.y());
            }
        }
        for (var d : cluster.directors()) {
            var signature = new ArrayList<Object>();
            signature.add(d);
            signature.add(d.livenessProperty().get());
            signature.add(model.nextRetry(d));
            signature.add(d.readingsProperty().get());
            signature.add(model.announceLine(d));
            signature.add(model.sessionLine(d));
            d.instances().forEach(i -> {
                signature.add(TopologyNodes.instanceLine(i, model.role(i)));
                signature.add(TopologyNodes.vipLine(i));
            });
            drawing.reuse("d:" + d.name(), signature, () -> nodes.director(d, signature))
                    .box(layout.directors().get(d.name()));
        }
        for (var e : vsById.entrySet()) {
            var vsId = e.getKey();
            var vb = layout.virtualServers().get(vsId);
            var models = e.getValue();
            var drift = cluster.driftProperty().get().get(vsId);
            var ecmp = model.ecmpLine(models.getFirst().addressProperty().get());
            var vsSignature = List.of(models, models.stream().map(TopologyNodes::subtitleOf).toList(),
                    drift == null ? List.of() : drift.differences(), ecmp);
            var vsEntry = drawing.reuse("v:" + vsId, vsSignature, () -> nodes.virtualServer(vsId, models, drift, ecmp, vsSignature));
            vsEntry.box(vb);
            vsNodes.put(vsId, vsEntry.node);
            for (var rsId : layoutInput.get(vsId)) {
                var key = vsId + "|" + rsId;
                var rb = layout.realServers().get(key);
                if (rsNodes.containsKey(key)) {
                    continue; // the same id listed twice by one director: drawn once
                }
                var perDirector = new ArrayList<RealServerModel>();
                models.forEach(v -> v.realServer(rsId).ifPresent(perDirector::add));
                drawing.reuse("rl:" + key, perDirector, () -> nodes.realServerLink(perDirector))
                        .line(vb.centerX(), vb.bottom(), rb.centerX(), rb.y());
                var rs = drawing.reuse("r:" + key, perDirector, () -> nodes.realServer(vsId, rsId, perDirector));
                rs.box(rb);
                rs.refresh.run(); // the model is the truth: clears a pending mark a refused drop left
                rsNodes.put(key, rs.node);
                rsModels.put(key, perDirector.getFirst());
                rs.node.pseudoClassStateChanged(TopologyView.SELECTED, selected.contains(key));
            }
        }
        drawing.endUpdate();
        LOG.log(System.Logger.Level.DEBUG, () -> "topology update %d: %d drawn, %d created so far, %.1f ms"
                .formatted(syncs, drawing.items().size(), drawing.created(), (System.nanoTime() - began) / 1e6));
        return layout;
    }
}
