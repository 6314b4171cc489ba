package dev.pharos.agent.control;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/// Logs refusals (too many clients, over-long lines, bad JSON, a role's denial) at most once per
/// interval per kind, and says how many it left out, so a client that sends 5,000 bad lines a
/// second costs one log line a second, not a full disk.
public final class RefusalLog {

    private static final System.Logger LOG = System.getLogger(RefusalLog.class.getName());

    /// What was refused; each kind has its own budget.
    public enum Kind {
        TOO_MANY_CLIENTS("connections"), LINE_TOO_LONG("over-long lines"), BAD_JSON("malformed requests"),
        NOT_PERMITTED("requests beyond the caller's role");

        private final String plural;

        Kind(String plural) {
            this.plural = plural;
        }
    }

    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final Consumer<String> sink;
    private final Map<Kind, long[]> state = new EnumMap<>(Kind.class); // {last logged at, left out since}

    /// One line per second per kind to the agent's log.
    public RefusalLog() {
        this(Duration.ofSeconds(1), System::nanoTime, line -> LOG.log(Level.WARNING, line));
    }

    /// For tests: any interval, clock and sink.
    public RefusalLog(Duration interval, LongSupplier nanoTime, Consumer<String> sink) {
        this.intervalNanos = interval.toNanos();
        this.nanoTime = nanoTime;
        this.sink = sink;
    }

    /// Logs `line` unless a refusal of this kind was logged within the interval; then only counts it.
    public void refused(Kind kind, String line) {
        long now = nanoTime.getAsLong();
        long leftOut;
        long since;
        synchronized (state) {
            var s = state.computeIfAbsent(kind, k -> new long[] {now - intervalNanos, 0});
            if (now - s[0] < intervalNanos) {
                s[1]++;
                return;
            }
            since = now - s[0];
            leftOut = s[1];
            s[0] = now;
            s[1] = 0;
        }
        sink.accept(leftOut == 0 ? line : line + " (and " + leftOut + " more " + kind.plural + " refused in the last "
                + Math.max(1, Math.round(since / 1e9)) + " s)");
    }
}
