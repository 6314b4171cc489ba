package dev.pharos.console.topology;

import dev.pharos.console.model.DirectorModel;
import dev.pharos.console.model.Drift;
import dev.pharos.console.model.Liveness;
import dev.pharos.console.model.RealServerModel;
import java.util.Optional;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.MenuItem;
import javafx.scene.control.TextInputDialog;

/// The topology's context menus and dialogs; each action is a command of the view model.
final class TopologyMenus {

    private final TopologyView view;
    private final TopologyViewModel model;

    TopologyMenus(TopologyView view, TopologyViewModel model) {
        this.view = view;
        this.model = model;
    }

    /// "Reconnect now", for a director that is not live; for one that announces its VIPs through
    /// a routing daemon, "Take out of service" or "Put back in service".
    ContextMenu director(DirectorModel d) {
        var reconnect = new MenuItem("Reconnect now");
        reconnect.setDisable(d.livenessProperty().get() == Liveness.LIVE);
        reconnect.setOnAction(e -> model.reconnectNow(d));
        var menu = new ContextMenu(reconnect);
        if (model.announces(d)) {
            var service = model.outOfService(d) ? new MenuItem("Put back in service (announce its VIPs)")
                    : new MenuItem("Take out of service (withdraw its VIPs)");
            service.setOnAction(e -> {
                if (model.outOfService(d)) {
                    model.putBackInService(d);
                } else {
                    model.takeOutOfService(d);
                }
            });
            menu.getItems().add(service);
        }
        return menu;
    }

    /// "Make lvs-backup match lvs-master": the edits that repair the drift, sent to that director only.
    ContextMenu drift(String vsId, Drift drift) {
        var menu = new ContextMenu();
        for (var fix : model.driftFixes(vsId, drift)) {
            int n = fix.edits().size();
            var item = new MenuItem("Make " + fix.director() + " match " + fix.reference() + " (" + n
                    + (n == 1 ? " edit)" : " edits)"));
            item.setOnAction(e -> model.repair(fix));
            menu.getItems().add(item);
        }
        if (menu.getItems().isEmpty()) {
            var none = new MenuItem("Only the VRRP settings differ: change them in the configuration editor");
            none.setDisable(true);
            menu.getItems().add(none);
        }
        return menu;
    }

    /// Drain (or undrain), set the weight of, or remove the real server `r` (`rsId` in `vsId`),
    /// or the whole selection when it is part of it.
    ContextMenu realServer(String vsId, String rsId, RealServerModel r) {
        var key = vsId + "|" + rsId;
        var drain = new MenuItem(r.weightProperty().get() == 0 ? "Undrain (weight 1)" : "Drain");
        drain.setOnAction(e -> model.toggleDrain(r, view.targets(key)));
        var setWeight = new MenuItem("Set weight…");
        setWeight.setOnAction(e -> {
            int current = r.weightProperty().get();
            var dialog = new TextInputDialog(Integer.toString(current));
            dialog.setHeaderText("Weight of " + rsId + " in " + vsId + " (0 drains it)");
            dialog.showAndWait().ifPresent(text -> model.setWeight(vsId, rsId, text, current));
        });
        var remove = new MenuItem("Remove");
        remove.setOnAction(e -> model.remove(view.targets(key)));
        var menu = new ContextMenu();
        menu.getItems().addAll(drain, setWeight, remove);
        return menu;
    }

    /// A real server of an adopted keepalived director: nothing to do but say why.
    ContextMenu readOnly(String vsId) {
        var none = new MenuItem(vsId + " is on an adopted keepalived director: read-only");
        none.setDisable(true);
        return new ContextMenu(none);
    }

    /// Asks for the address (and optionally port and weight) of a new real server in `vsId`.
    Optional<TopologyViewModel.NewServer> askNewServer(String vsId) {
        var dialog = new TextInputDialog();
        dialog.setTitle("Add a real server");
        dialog.setHeaderText("New real server in " + vsId
                + "\nAddress, or address:port, and optionally a weight: 198.51.100.20:80 2");
        return dialog.showAndWait().flatMap(model::parseNewServer);
    }
}
