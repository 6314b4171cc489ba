package dev.pharos.console.model;

import java.util.Locale;

/// How a director's backend serves a virtual server (the agent's `servedAs`), with what each way
/// means for the packets, so no screen says "proxied" without saying what it means. A word this
/// console does not know (a newer agent) is kept as [#UNKNOWN].
public enum ServedAs {
    /// The kernel's IPVS forwards the packets as the configuration's `lb_kind` says.
    KERNEL("the kernel's IPVS forwards the packets as lb_kind says"),
    /// The user-space balancer relays a DR or TUN service's connections.
    PROXIED("the director's user-space balancer accepts each connection and opens its own to the "
            + "real server, so replies pass back through the director and the real server sees the director as "
            + "the client. Real LVS-DR (kernel IPVS) only forwards the client's packets; the real server answers "
            + "the client directly."),
    /// The user-space balancer serves a NAT service.
    USERSPACE("the director's user-space balancer relays each connection, as NAT would"),
    /// Nothing serves it (the agent says why).
    NONE("not served: this director's backend cannot serve it"),
    UNKNOWN("not known to this console");

    private final String meaning;

    ServedAs(String meaning) {
        this.meaning = meaning;
    }

    /// The way named `wire` (`kernel`, `proxied`, `userspace`, `none`); [#UNKNOWN] for null or another word.
    public static ServedAs fromWire(String wire) {
        if (wire == null) {
            return UNKNOWN;
        }
        try {
            return valueOf(wire.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException unknown) {
            return UNKNOWN;
        }
    }

    /// What it means for the packets, in a sentence or two (a tooltip, the inspector).
    public String meaning() {
        return meaning;
    }
}
