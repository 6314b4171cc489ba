package dev.pharos.console.topology;

import dev.pharos.console.model.DirectorModel;
import dev.pharos.console.model.InstanceModel;
import java.util.Locale;
import java.util.Optional;

/// The VRRP role a director's instance reports, as the topology draws it (the director card's
/// instance lines and the links from a director to the virtual servers whose VIP it holds). A state
/// the console does not know is drawn as INIT ([#of]).
public enum ShownRole {
    MASTER,
    BACKUP,
    FAULT,
    /// Starting up: not yet BACKUP or MASTER.
    INIT,
    /// Its VRRP is stopped (the agent runs on).
    STOPPED;

    /// The role `instance` reports.
    static ShownRole of(InstanceModel instance) {
        var state = instance.stateProperty().get();
        return state == null ? INIT : switch (state) {
            case MASTER -> MASTER;
            case BACKUP -> BACKUP;
            case FAULT -> FAULT;
            case STOPPED -> STOPPED;
            // or a state from the agent the console does not know yet
            case INIT, UNKNOWN -> INIT;
        };
    }

    /// The role of `director`'s instance that holds `vip` (as an address, or address/prefix), if one does.
    static Optional<ShownRole> ofVip(DirectorModel director, String vip) {
        return director.instanceHolding(vip).map(ShownRole::of);
    }

    /// The suffix of its style classes: `role-master`, `link-master`…
    String styleSuffix() {
        return name().toLowerCase(Locale.ROOT);
    }
}
