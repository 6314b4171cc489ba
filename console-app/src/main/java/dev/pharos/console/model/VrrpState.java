package dev.pharos.console.model;

import java.util.Locale;

/// The VRRP state a director reports for one of its instances (`state.get`, `vrrp.transition`).
/// A name this console does not know (a newer agent) is kept as [#UNKNOWN] rather than refused.
public enum VrrpState {
    INIT, BACKUP, MASTER, FAULT, STOPPED, UNKNOWN;

    /// The state named `wire` (as the agent writes it, e.g. `MASTER`); [#UNKNOWN] for null or a
    /// name not listed here. `state.get` says `INIT` where a `vrrp.transition` event says
    /// `INITIALIZE` (RFC 5798's name): both are [#INIT].
    public static VrrpState fromWire(String wire) {
        if (wire == null) {
            return UNKNOWN;
        }
        if (wire.equalsIgnoreCase("INITIALIZE")) {
            return INIT;
        }
        try {
            return valueOf(wire.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException unknown) {
            return UNKNOWN;
        }
    }

    /// The CSS pseudo-name of the state, e.g. `master` (for `role-master`).
    public String styleName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
