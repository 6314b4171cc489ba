package dev.pharos.agent.config;

/// One finding about a configuration: an error makes it unusable, a warning does not.
///
/// @param position where it is, or `null` for a finding about the whole model (e.g. from JSON)
public record Diagnostic(Position position, Severity severity, String message) {

    public enum Severity {
        ERROR, WARNING;

        String label() {
            return this == ERROR ? "error" : "warning";
        }
    }

    public static Diagnostic error(Position position, String message) {
        return new Diagnostic(position, Severity.ERROR, message);
    }

    public static Diagnostic warning(Position position, String message) {
        return new Diagnostic(position, Severity.WARNING, message);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    /// `FILE:LINE:COL: error: message`, the form compilers use, so editors can jump to it.
    @Override
    public String toString() {
        return (position == null ? "config" : position.toString()) + ": " + severity.label() + ": " + message;
    }
}
