package dev.pharos.console.lab;

import dev.pharos.agent.api.Addresses;
import dev.pharos.agent.api.Methods;
import dev.pharos.agent.api.Params;
import dev.pharos.agent.lab.LabTraffic;
import dev.pharos.console.connect.DirectorConnection;
import dev.pharos.console.model.InstanceModel;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javafx.application.Platform;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.Separator;
import javafx.scene.control.Slider;
import javafx.scene.control.Spinner;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;

/// The lab's controls: one click per scenario, the clients' rate, and where each VIP's requests
/// go right now. Every scenario runs off the FX thread; its effects reach the topology through
/// the agents' events like any real director's.
public final class LabView extends VBox {

    private final LabSession session;
    private final Map<String, Label> perVip = new LinkedHashMap<>();
    private final Map<String, AtomicLong[]> counts = new LinkedHashMap<>();
    private final AtomicBoolean refreshQueued = new AtomicBoolean();
    private final Map<String, LabTraffic.Result> last = new java.util.concurrent.ConcurrentHashMap<>();
    /// Per VIP, how many answers came through each director from each real server.
    private final Map<String, Map<String, AtomicLong>> paths = new java.util.concurrent.ConcurrentHashMap<>();
    /// "director|virtual server|real server" → the weight it had before the lab drained it.
    private final Map<String, Integer> drainedWeights = new java.util.concurrent.ConcurrentHashMap<>();

    public LabView(LabSession session, Map<String, DirectorConnection> connections, Runnable loadPair) {
        this.session = session;
        getStyleClass().add("lab");
        setSpacing(6);
        setPadding(new Insets(8));
        var title = new Label("Training lab — the seed's dual-master director pair, running in this console");
        title.getStyleClass().add("lab-title");
        getChildren().add(title);
        var step = new javafx.scene.control.CheckBox("Step by step: pause at each VRRP transition");
        step.setId("lab-step");
        step.selectedProperty().addListener((o, a, on) -> session.stepping(on));
        var proceed = button("Continue", "lab-continue", session::resume);
        proceed.disableProperty().bind(session.pausedAtProperty().isNull());
        var pausedText = new Label();
        pausedText.setId("lab-paused");
        pausedText.setWrapText(true);
        pausedText.getStyleClass().add("lab-paused");
        pausedText.textProperty().bind(javafx.beans.binding.Bindings.when(session.pausedAtProperty().isNull())
                .then(javafx.beans.binding.Bindings.when(step.selectedProperty())
                        .then("Running: the lab will stop at the next transition.").otherwise(""))
                .otherwise(session.pausedAtProperty()));
        getChildren().addAll(new HBox(8, step, proceed), pausedText, new Separator());

        for (var name : session.directors()) {
            var stop = button("Stop " + name, "lab-stop-" + name, () -> session.scenario("stop " + name + " (graceful: "
                    + "priority 0)", lab -> lab.stopDirector(name)));
            var kill = button("Kill " + name, "lab-kill-" + name, () -> session.scenario("kill " + name
                    + " (crash: no priority 0)", lab -> lab.killDirector(name)));
            var start = button("Start " + name, "lab-start-" + name, () -> session.scenario("start " + name,
                    lab -> lab.startDirector(name)));
            var instance = new ComboBox<String>();
            instance.getItems().addAll("VI_1", "VI_2");
            instance.setValue("VI_1");
            var priority = new Spinner<Integer>(1, 254, 100);
            priority.setEditable(true);
            priority.setPrefWidth(80);
            priority.setId("lab-priority-value-" + name);
            // Starts at the instance's real priority, and follows the instance picked.
            Runnable showPriority = () -> session.cluster().director(name).flatMap(d -> d.instance(instance.getValue()))
                    .map(i -> i.basePriorityProperty().get()).filter(p -> p >= 1 && p <= 254)
                    .ifPresent(p -> priority.getValueFactory().setValue(p));
            instance.valueProperty().addListener((o, was, now) -> showPriority.run());
            session.cluster().director(name).ifPresent(d -> d.instances().addListener(
                    (javafx.collections.ListChangeListener<InstanceModel>) c -> showPriority.run()));
            showPriority.run();
            var set = button("Set priority", "lab-priority-" + name, () -> session.scenario("priority of "
                    + instance.getValue() + " on " + name + " → " + priority.getValue(), lab -> {
                        var conn = connections.get(name);
                        conn.call(Methods.VRRP_SET_PRIORITY, new Params.SetPriority(instance.getValue(), priority.getValue()));
                    }));
            var row = new FlowPane(6, 4, new Label(name), stop, kill, start, instance, priority, set);
            getChildren().add(row);
        }
        getChildren().add(new Separator());
        session.realServers().forEach((address, label) -> {
            var fail = button("Fail " + label, "lab-fail-" + address, () -> session.scenario("fail real server " + label,
                    lab -> lab.failRealServer(InetAddress.getByName(address))));
            var restore = button("Restore", "lab-restore-" + address, () -> session.scenario("restore real server "
                    + label, lab -> lab.restoreRealServer(InetAddress.getByName(address))));
            var drain = button("Drain", "lab-drain-" + address, () -> session.scenario("drain real server " + label
                    + " (weight 0 on every director: new connections go elsewhere, open ones finish)",
                    lab -> weigh(connections, address, true)));
            var undrain = button("Undrain", "lab-undrain-" + address, () -> session.scenario("undrain real server "
                    + label, lab -> weigh(connections, address, false)));
            getChildren().add(new FlowPane(6, 4, new Label(address), fail, restore, drain, undrain));
        });
        var cut = button("Cut the link between the directors", "lab-partition", () -> session.scenario(
                "partition: VRRP adverts no longer pass (split brain)", lab -> lab.partition()));
        var heal = button("Heal the link", "lab-heal", () -> session.scenario("heal the link", lab -> lab.heal()));
        var load = button("Load a pair of configurations…", "lab-load", loadPair);
        getChildren().addAll(new FlowPane(6, 4, cut, heal), new Separator());

        var rate = new Slider(0, 50, session.traffic().rate());
        rate.setShowTickLabels(true);
        rate.setMajorTickUnit(10);
        rate.valueProperty().addListener((o, a, b) -> session.traffic().rate(b.doubleValue()));
        getChildren().add(new HBox(6, new Label("Clients, requests/s per VIP"), rate));
        for (var t : session.traffic().targets()) {
            var l = new Label(t + ": waiting for the first answer");
            l.getStyleClass().add("lab-vip");
            l.setId("lab-vip-" + Addresses.text(t.vip()));
            perVip.put(t.toString(), l);
            counts.put(t.toString(), new AtomicLong[] {new AtomicLong(), new AtomicLong()});
            getChildren().add(l);
        }
        var explained = new javafx.scene.control.ListView<>(session.explanations());
        explained.setId("lab-explanations");
        explained.setPrefHeight(180);
        explained.setCellFactory(v -> new javafx.scene.control.ListCell<>() {
            @Override
            protected void updateItem(String item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty ? null : item);
                setWrapText(true);
                setPrefWidth(0);
            }
        });
        explained.setPlaceholder(new Label("Each VRRP transition will be explained here."));
        getChildren().addAll(new Separator(), new Label("Why it happened"), explained, new Separator(), load);
        session.traffic().addListener(this::observe);
    }

    /// Sets weight 0 on every real server at `address` on every running director (draining),
    /// remembering the weight; or gives back the remembered weight (1 if none). Each director's
    /// edits chain their revisions, as the topology's do.
    private void weigh(Map<String, DirectorConnection> connections, String address, boolean drain) throws Exception {
        for (var e : connections.entrySet()) {
            if (!session.lab().running(e.getKey())) {
                continue;
            }
            var conn = e.getValue();
            var state = conn.call(Methods.STATE_GET, Params.None.NONE);
            var revision = state.revision();
            for (var vs : state.virtualServers()) {
                for (var rs : vs.realServers()) {
                    if (!address.equals(rs.address())) {
                        continue;
                    }
                    var key = e.getKey() + "|" + vs.id() + "|" + rs.id();
                    Integer weight;
                    if (drain) {
                        if (rs.weight() == 0) {
                            continue;
                        }
                        drainedWeights.put(key, rs.weight());
                        weight = 0;
                    } else {
                        var before = drainedWeights.remove(key);
                        weight = before != null ? before : (rs.weight() == 0 ? 1 : null);
                        if (weight == null) {
                            continue;
                        }
                    }
                    var applied = conn.call(Methods.REAL_SERVER_UPDATE, new Params.RealServerUpdate(revision, vs.id(),
                            rs.id(), weight, null));
                    revision = applied.revision();
                }
            }
        }
    }

    private static Button button(String text, String id, Runnable action) {
        var b = new Button(text);
        b.setId(id.replace('.', '-'));
        b.setOnAction(e -> action.run());
        return b;
    }

    private void observe(LabTraffic.Result r) {
        var c = counts.get(r.vip());
        if (c != null) {
            (r.ok() ? c[0] : c[1]).incrementAndGet();
        }
        last.put(r.vip(), r);
        if (r.ok()) {
            paths.computeIfAbsent(r.vip(), k -> new java.util.concurrent.ConcurrentSkipListMap<>())
                    .computeIfAbsent(r.director() + " → " + r.answer(), k -> new AtomicLong()).incrementAndGet();
        }
        // At most one refresh queued: 50 requests/s must not flood the FX thread.
        if (refreshQueued.compareAndSet(false, true)) {
            Platform.runLater(this::refresh);
        }
    }

    private void refresh() {
        refreshQueued.set(false);
        last.forEach((vip, r) -> {
            var l = perVip.get(vip);
            var c = counts.get(vip);
            if (l == null) {
                return;
            }
            var where = new StringBuilder();
            paths.getOrDefault(vip, Map.of()).forEach((path, n) -> where.append("\n    ").append(path).append(": ")
                    .append(n.get()));
            l.setText(vip + ": " + (r.ok() ? "→ " + r.director() + " → " + r.answer() : "FAILING (" + r.error() + ")")
                    + "   ok " + c[0].get() + ", failed " + c[1].get() + where);
            l.getStyleClass().removeAll("ok", "failing");
            l.getStyleClass().add(r.ok() ? "ok" : "failing");
        });
    }

    /// The label showing a VIP's latest outcome, for tests.
    public Label vipLabel(String vip) {
        return perVip.entrySet().stream().filter(e -> e.getKey().startsWith(vip + ":")).map(Map.Entry::getValue)
                .findFirst().orElseThrow();
    }
}
