package dev.pharos.console.topology;

import dev.pharos.console.model.DirectorModel;
import dev.pharos.console.model.Drift;
import dev.pharos.console.model.InstanceModel;
import dev.pharos.console.model.Liveness;
import dev.pharos.console.model.RealServerModel;
import dev.pharos.console.model.ServedAs;
import dev.pharos.console.model.VirtualServerModel;
import dev.pharos.icons.Icon;
import dev.pharos.icons.Icons;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.beans.InvalidationListener;
import javafx.beans.Observable;
import javafx.css.PseudoClass;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.VBox;
import javafx.scene.shape.Line;
import javafx.util.Duration;

/// Makes the topology's nodes: the cards of directors, virtual servers and real servers, and the
/// links between them. Each card is drawn from the models it is given; the view decides when a
/// card is drawn anew (a director's or a virtual server's) or refreshed in place (a real server's).
final class TopologyNodes {

    static final PseudoClass STALE = PseudoClass.getPseudoClass("stale");

    private final TopologyView view;
    private final TopologyViewModel model;
    private final TopologyGestures gestures;
    private final TopologyMenus menus;
    private final Drawing drawing;

    TopologyNodes(TopologyView view, TopologyViewModel model, TopologyGestures gestures, TopologyMenus menus,
            Drawing drawing) {
        this.view = view;
        this.model = model;
        this.gestures = gestures;
        this.menus = menus;
        this.drawing = drawing;
    }

    /// The hint shown while the cluster has no director.
    Drawing.Item emptyHint(String text) {
        var empty = new Label(text);
        empty.getStyleClass().add("empty-hint");
        return new Drawing.Item(empty, drawing.boxes, text);
    }

    /// The link from a director to a virtual server whose VIP one of its instances holds.
    Drawing.Item directorLink(ShownRole role, boolean stale, Object signature) {
        var line = new Line();
        line.getStyleClass().addAll("link", "link-" + role.styleSuffix());
        line.pseudoClassStateChanged(STALE, stale);
        return new Drawing.Item(line, drawing.links, signature);
    }

    /// The link from one of several active directors to a virtual server whose VIP its routing
    /// daemon announces: thin and green while announced, dotted while drained or withdrawn.
    Drawing.Item announceLink(ShownAnnouncement shown, boolean stale, Object signature) {
        var line = new Line();
        line.getStyleClass().addAll("link", "link-announce", "link-announce-" + shown.styleSuffix());
        line.pseudoClassStateChanged(STALE, stale);
        return new Drawing.Item(line, drawing.links, signature);
    }

    /// The link from a virtual server to one of its real servers (its health class is set by the
    /// real server's refresh).
    Drawing.Item realServerLink(Object signature) {
        var line = new Line();
        line.getStyleClass().addAll("link", "link-real-server", ShownHealth.UNKNOWN.styleClass());
        return new Drawing.Item(line, drawing.links, signature);
    }

    Drawing.Item director(DirectorModel d, Object signature) {
        var live = d.livenessProperty().get();
        var box = new VBox(2);
        box.getStyleClass().addAll("director", "liveness-" + live.name().toLowerCase(Locale.ROOT));
        box.setId("director-" + d.name());
        var title = new Label(d.name(), Icons.node(live == Liveness.LIVE ? Icon.DIRECTOR : Icon.LINK_LOST, 18));
        title.getStyleClass().add("title");
        var sub = new Label(switch (live) {
            case LIVE -> "live";
            case CONNECTING -> "connecting…";
            case UNREACHABLE -> "unreachable — retrying";
            case RECONNECTING -> "reconnecting… — last known state";
            case STOPPED -> "stopped on purpose — last known state";
            case STALE -> "stale: " + staleReason(d) + " — last known state";
            case FAILED -> "connection refused — see timeline";
        });
        sub.getStyleClass().add("subtitle");
        sub.setId("director-status-" + d.name());
        // "stopped on purpose — next try in 3 s — last known state": two lines, not an ellipsis
        sub.setWrapText(true);
        model.nextRetry(d).ifPresent(next -> countDown(sub, next, switch (live) {
            case UNREACHABLE -> "unreachable — retrying";
            case STOPPED -> "stopped on purpose — next try";
            case LIVE, CONNECTING, RECONNECTING, STALE, FAILED -> "reconnecting";
        }, live == Liveness.UNREACHABLE ? "" : " — last known state"));
        var menu = menus.director(d);
        box.setOnContextMenuRequested(e -> menu.show(box, e.getScreenX(), e.getScreenY()));
        box.getChildren().addAll(title, sub);
        var undo = new ArrayList<Runnable>();
        if (d.adopted()) {
            adoptedLines(d, box, undo);
        }
        for (var i : d.instances()) {
            var role = model.role(i);
            var icon = switch (role) {
                case MASTER -> Icon.MASTER;
                case FAULT -> Icon.FAULT;
                case BACKUP, INIT, STOPPED -> Icon.BACKUP;
            };
            var l = new Label(instanceLine(i, role), Icons.node(live == Liveness.LIVE ? icon : Icon.HEALTH_UNKNOWN, 14));
            l.getStyleClass().addAll("instance", "role-" + role.styleSuffix());
            if (i.splitBrainProperty().get()) {
                l.getStyleClass().add("split-brain");
            }
            l.pseudoClassStateChanged(STALE, live != Liveness.LIVE);
            var vips = new Label(vipLine(i));
            vips.getStyleClass().addAll("instance-vips", "role-" + role.styleSuffix());
            vips.setId("director-vips-" + d.name() + "-" + i.name());
            vips.setTooltip(new Tooltip(vipMeaning(d.name(), i, role)));
            vips.pseudoClassStateChanged(STALE, live != Liveness.LIVE);
            box.getChildren().addAll(l, vips);
        }
        model.announceLine(d).ifPresent(text -> {
            var announce = new Label(text, Icons.node(model.outOfService(d) ? Icon.DRAINING : Icon.VIP, 14));
            announce.getStyleClass().addAll("announce", model.outOfService(d) ? "announce-draining" : "announce-in-service");
            announce.setId("director-announce-" + d.name());
            announce.setWrapText(true);
            announce.setTooltip(new Tooltip(model.announceMeaning(d)));
            announce.pseudoClassStateChanged(STALE, live != Liveness.LIVE);
            var sessions = new Label(model.sessionLine(d).orElseThrow());
            sessions.getStyleClass().add("announce-sessions");
            sessions.setId("director-bgp-" + d.name());
            sessions.setWrapText(true);
            box.getChildren().addAll(announce, sessions);
        });
        box.pseudoClassStateChanged(STALE, live != Liveness.LIVE);
        box.setOnMouseClicked(e -> view.select(new TopologyView.Selection.Director(d), box));
        gestures.installDirectorDrag(box, d);
        var item = new Drawing.Item(box, drawing.boxes, signature);
        item.dispose = () -> undo.forEach(Runnable::run);
        return item;
    }

    /// An adopted keepalived director's card says so ("keepalived · read-only") and how old each
    /// piece read from the host is, counted once a second while the card is shown.
    private static void adoptedLines(DirectorModel d, VBox box, List<Runnable> undo) {
        box.getStyleClass().add("adopted");
        var readings = d.readingsProperty().get();
        var badge = new Label((readings == null ? "keepalived" : readings.software()) + " · read-only");
        badge.getStyleClass().add("adopted-badge");
        badge.setId("director-adopted-" + d.name());
        box.getChildren().add(badge);
        if (readings == null) {
            return;
        }
        var ages = new Label();
        ages.getStyleClass().add("readings-age");
        ages.setId("director-ages-" + d.name());
        ages.setWrapText(true);
        ages.setTooltip(new Tooltip(TopologyViewModel.readingsDetail(readings)));
        Runnable show = () -> ages.setText(TopologyViewModel.ages(readings, Instant.now()));
        show.run();
        var ticks = new Timeline(new KeyFrame(Duration.seconds(1), e -> show.run()));
        ticks.setCycleCount(Timeline.INDEFINITE);
        ticks.play();
        undo.add(ticks::stop);
        box.getChildren().add(ages);
    }

    private static String staleReason(DirectorModel d) {
        var r = d.readingsProperty().get();
        return r == null || r.stale() == null ? "state unknown" : r.stale();
    }

    /// "VI_1 MASTER prio 100", "VI_1 MASTER checking" (another director says MASTER too, not yet
    /// for long enough to be a split brain) or "VI_1 SPLIT BRAIN": short enough for the card, so
    /// the warning is never the part cut off.
    static String instanceLine(InstanceModel i, ShownRole role) {
        return switch (i.splitBrainStateProperty().get()) {
            case SPLIT -> i.name() + " SPLIT BRAIN";
            case CHECKING -> i.name() + " MASTER checking";
            case NONE -> i.name() + " " + role + " prio " + i.priorityProperty().get();
        };
    }

    /// "VRID 90 · 192.0.2.100", or "VRID 93 · 192.0.2.101 +2": the VRRP group and its first VIP
    /// (without its prefix) under the instance's role on the card, short enough for it; the
    /// tooltip lists them all.
    static String vipLine(InstanceModel i) {
        var addresses = i.virtualAddressesProperty().get();
        var shown = addresses.stream().limit(1).map(a -> a.replaceFirst("/\\d+$", "")).toList();
        return "VRID " + i.vridProperty().get() + " · " + (addresses.isEmpty() ? "no VIP" : String.join(", ", shown))
                + (addresses.size() > shown.size() ? " +" + (addresses.size() - shown.size()) : "");
    }

    /// What the director's role in a VRRP group means for its VIPs.
    static String vipMeaning(String director, InstanceModel i, ShownRole role) {
        var vips = String.join(", ", i.virtualAddressesProperty().get());
        return director + " is " + role + " of VRID " + i.vridProperty().get() + " (" + i.name() + "): " + switch (role) {
            case MASTER -> "it holds " + vips + " and answers for them";
            case BACKUP -> "it stands by for " + vips + ", held by the MASTER, and takes them over if the MASTER's "
                    + "adverts stop";
            case FAULT -> "it neither advertises nor holds " + vips + " until the fault clears";
            case INIT -> "it is starting and does not hold " + vips + " yet";
            case STOPPED -> "its VRRP is stopped: it does not hold " + vips;
        };
    }

    /// "wrr · NAT · persist 300s · proxied": what a virtual server's card says under its id.
    static String subtitleOf(VirtualServerModel v) {
        var persistence = v.persistenceSecondsProperty().get();
        return v.schedulerProperty().get() + " · " + v.kindProperty().get()
                + (persistence > 0 ? " · persist " + persistence + "s" : "")
                + ("proxied".equals(v.servedAsProperty().get()) ? " · proxied" : "");
    }

    /// "reconnecting in 7 s — last known state", counting down to `next` once a second; the card is
    /// drawn anew when the retry time changes, so the count stops at 0 ("reconnecting…").
    private static void countDown(Label label, Instant next, String what, String after) {
        Runnable show = () -> {
            long left = (long) Math.ceil(ChronoUnit.MILLIS.between(Instant.now(), next) / 1000.0);
            label.setText(what + (left > 0 ? " in " + left + " s" : "…") + after);
        };
        show.run();
        long seconds = Math.max(0, Math.floorDiv(ChronoUnit.MILLIS.between(Instant.now(), next), 1000) + 1);
        if (seconds > 0) {
            var ticks = new Timeline(new KeyFrame(Duration.seconds(1), e -> show.run()));
            ticks.setCycleCount((int) Math.min(seconds, 60));
            ticks.play();
        }
    }

    /// @param ecmp what the card says when several active directors announce its VIP, if they do
    Drawing.Item virtualServer(String id, List<VirtualServerModel> models, Drift drift, Optional<String> ecmp,
            Object signature) {
        var v = models.getFirst();
        var box = new VBox(2);
        box.getStyleClass().add("virtual-server");
        box.setId("vs-" + id);
        box.setUserData(id);
        var title = new Label(id, Icons.node(Icon.VIRTUAL_SERVER, 16));
        title.getStyleClass().add("title");
        var sub = new Label(subtitleOf(v));
        sub.getStyleClass().add("subtitle");
        if (ServedAs.fromWire(v.servedAsProperty().get()) == ServedAs.PROXIED) {
            sub.setTooltip(new Tooltip("proxied: " + ServedAs.PROXIED.meaning()));
        }
        box.getChildren().addAll(title, sub);
        ecmp.ifPresent(text -> {
            var line = new Label(text);
            line.getStyleClass().add("ecmp");
            line.setId("vs-ecmp-" + id);
            line.setTooltip(new Tooltip("Several active directors announce " + v.addressProperty().get() + " by BGP; "
                    + "the router spreads flows over those that announce it (ECMP)."));
            box.getChildren().add(line);
        });
        if (drift != null) {
            // The directors disagree: a failover would change how this service is balanced.
            var n = drift.differences().size();
            var warning = new Label("drift: " + n + (n == 1 ? " difference" : " differences") + " between directors",
                    Icons.node(Icon.FAULT, 14));
            warning.getStyleClass().add("drift");
            warning.setTooltip(new Tooltip(String.join("\n", drift.differences())));
            box.getChildren().add(warning);
            // an adopted keepalived director takes no repair either: say so instead
            box.setOnContextMenuRequested(e -> (model.readOnly(id) ? menus.readOnly(id) : menus.drift(id, drift))
                    .show(box, e.getScreenX(), e.getScreenY()));
        }
        if (model.readOnly(id)) {
            box.getStyleClass().add("read-only");
        }
        box.setOnMouseClicked(e -> view.select(new TopologyView.Selection.VirtualServer(id, models), box));
        gestures.installMovable(box, "vs " + id);
        return new Drawing.Item(box, drawing.boxes, signature);
    }

    /// A real server's card, refreshed in place (at the next pulse) when its health, weight or
    /// pending mark changes on any director: no structural update (200 events/s must stay cheap).
    Drawing.Item realServer(String vsId, String rsId, List<RealServerModel> perDirector) {
        var r = perDirector.getFirst();
        var key = vsId + "|" + rsId;
        var box = new RealServerCard(rsId);
        box.setId("rs-" + key);
        var item = new Drawing.Item(box, drawing.boxes, perDirector);
        item.refresh = () -> {
            var health = model.health(perDirector);
            box.show(health, r.weightProperty().get());
            box.pseudoClassStateChanged(TopologyView.PENDING, perDirector.stream().anyMatch(x -> x.pendingProperty().get()));
            var link = drawing.get("rl:" + key);
            if (link != null) {
                var classes = link.node.getStyleClass();
                var healthClass = health.styleClass();
                if (!healthClass.equals(classes.getLast())) {
                    classes.set(classes.size() - 1, healthClass);
                }
            }
        };
        var undo = new ArrayList<Runnable>();
        for (var m : perDirector) {
            for (var o : List.<Observable>of(m.healthProperty(), m.weightProperty(), m.pendingProperty())) {
                InvalidationListener l = x -> view.refreshLater(key);
                o.addListener(l);
                undo.add(() -> o.removeListener(l));
            }
        }
        item.dispose = () -> undo.forEach(Runnable::run);
        var selection = new TopologyView.Selection.RealServer(vsId, rsId, perDirector);
        if (model.readOnly(vsId)) {
            // adopted keepalived: shown, selectable, never dragged or edited
            box.getStyleClass().add("read-only");
            box.setOnContextMenuRequested(e -> menus.readOnly(vsId).show(box, e.getScreenX(), e.getScreenY()));
            box.setOnMouseClicked(e -> view.selectionProperty().set(selection));
            return item;
        }
        // The context menu is built when first asked for: a popup per server would cost thousands.
        box.setOnContextMenuRequested(e -> menus.realServer(vsId, rsId, r).show(box, e.getScreenX(), e.getScreenY()));
        gestures.installRealServerDrag(box, vsId, rsId, selection);
        return item;
    }
}
