package dev.pharos.console.model;

import java.util.Locale;

/// A real server's health as its director's checkers see it (`state.get`, `health.changed`).
public enum Health {
    /// Its checkers pass.
    UP,
    /// A checker fails (the reason is in the model's `healthReason`).
    DOWN,
    /// No checker is configured: the director serves it as if up.
    UNCHECKED,
    /// Not reported yet, or a value this console does not know.
    UNKNOWN;

    /// The health named `wire` (`up`, `down`, `unchecked`); [#UNKNOWN] for null or anything else.
    public static Health fromWire(String wire) {
        if (wire == null) {
            return UNKNOWN;
        }
        return switch (wire.toLowerCase(Locale.ROOT)) {
            case "up" -> UP;
            case "down" -> DOWN;
            case "unchecked" -> UNCHECKED;
            default -> UNKNOWN;
        };
    }

    /// As the agent and the operator write it: `up`, `down`, `unchecked`, `unknown`.
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }

    /// Whether the director sends traffic to it (up, or served without a checker).
    public boolean serves() {
        return this == UP || this == UNCHECKED;
    }
}
