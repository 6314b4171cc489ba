package dev.pharos.agent.vrrp;

/// VRRPv2 authentication types (RFC 3768 §5.3.6; removed in RFC 5798 but kept by keepalived).
public enum AuthType {
    /// No authentication; the 8 authentication bytes are zero.
    NONE(0),
    /// keepalived's `auth_type PASS`: up to 8 password bytes, zero-padded, inside the checksum.
    PASS(1),
    /// keepalived's `auth_type AH` (IPsec AH, HMAC-MD5-96); recognised, not verified by Pharos.
    AH(2);

    private final int wireValue;

    AuthType(int wireValue) {
        this.wireValue = wireValue;
    }

    public int wireValue() {
        return wireValue;
    }

    static AuthType fromWireOrNull(int value) {
        return switch (value) {
            case 0 -> NONE;
            case 1 -> PASS;
            case 2 -> AH;
            default -> null;
        };
    }
}
