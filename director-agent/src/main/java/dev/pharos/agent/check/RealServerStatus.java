package dev.pharos.agent.check;

import java.time.Instant;
import java.util.List;

/// What the checker knows of one real server now (for `state.get` and the console).
///
/// @param reason why it is down; empty while it is up (each checker's `lastReason` keeps its last failure)
/// @param since  when it entered its present state (the start, for its initial state)
/// @param weight the effective weight: the configured one, changed by `misc_dynamic` checks
public record RealServerStatus(RealServerId id, boolean up, String reason, Instant since, int weight,
        List<CheckerStatus> checkers) {

    public RealServerStatus {
        checkers = List.copyOf(checkers);
    }

    /// One checker of the real server.
    ///
    /// @param lastReason the last failure's reason, or empty
    /// @param lastRun    when the last attempt completed, or `null` before the first
    /// @param attempts   attempts completed since the checker started
    public record CheckerStatus(String label, boolean up, String lastReason, Instant lastRun, long attempts) {
    }
}
