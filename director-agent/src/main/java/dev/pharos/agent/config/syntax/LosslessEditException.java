package dev.pharos.agent.config.syntax;

/// An edit that cannot be written into the file as the operator wrote it; nothing was written.
public final class LosslessEditException extends Exception {

    /// Why.
    public enum Reason {
        /// The files on disk no longer hold the configuration the agent runs.
        CHANGED_ON_DISK,
        /// The file writes the statement in a form an edit must not rewrite (a `$NAME` parameter,
        /// an `@ID` line) or not as a block of its own; the message says where and what to do.
        NOT_WRITABLE
    }

    private final Reason reason;

    LosslessEditException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
