package dev.pharos.agent.bfd;

/// RFC 5880 §4.1 "Sta": the session states, with their wire values.
public enum BfdState {
    ADMIN_DOWN("AdminDown"), DOWN("Down"), INIT("Init"), UP("Up");

    private final String rfcName;

    BfdState(String rfcName) {
        this.rfcName = rfcName;
    }

    /// The name RFC 5880 and keepalived's log use: `AdminDown`, `Down`, `Init`, `Up`.
    public String rfcName() {
        return rfcName;
    }

    int wire() {
        return ordinal();
    }

    static BfdState ofWire(int value) {
        return values()[value & 3];
    }
}
