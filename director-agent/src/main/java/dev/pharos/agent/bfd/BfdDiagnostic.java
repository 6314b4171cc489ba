package dev.pharos.agent.bfd;

/// RFC 5880 §4.1 "Diag": why the session last left Up, with its wire value (the ordinal).
public enum BfdDiagnostic {
    NO_DIAGNOSTIC("No Diagnostic"),
    CONTROL_DETECTION_TIME_EXPIRED("Control Detection Time Expired"),
    ECHO_FUNCTION_FAILED("Echo Function Failed"),
    NEIGHBOR_SIGNALED_SESSION_DOWN("Neighbor Signaled Session Down"),
    FORWARDING_PLANE_RESET("Forwarding Plane Reset"),
    PATH_DOWN("Path Down"),
    CONCATENATED_PATH_DOWN("Concatenated Path Down"),
    ADMINISTRATIVELY_DOWN("Administratively Down"),
    REVERSE_CONCATENATED_PATH_DOWN("Reverse Concatenated Path Down");

    private final String text;

    BfdDiagnostic(String text) {
        this.text = text;
    }

    /// RFC 5880's wording, as keepalived logs it.
    public String text() {
        return text;
    }
}
