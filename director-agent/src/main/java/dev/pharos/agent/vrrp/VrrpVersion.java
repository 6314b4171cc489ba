package dev.pharos.agent.vrrp;

/// The VRRP version on the wire: 2 (RFC 3768) or 3 (RFC 5798).
public enum VrrpVersion {
    V2(2),
    V3(3);

    private final int wireValue;

    VrrpVersion(int wireValue) {
        this.wireValue = wireValue;
    }

    public int wireValue() {
        return wireValue;
    }

    /// The version for a wire nibble, or null when it is neither 2 nor 3.
    static VrrpVersion fromWireOrNull(int value) {
        return switch (value) {
            case 2 -> V2;
            case 3 -> V3;
            default -> null;
        };
    }
}
