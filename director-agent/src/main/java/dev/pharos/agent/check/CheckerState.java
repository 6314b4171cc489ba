package dev.pharos.agent.check;

import java.time.Duration;

/// keepalived's rule for one checker, as a pure function: given what the checker knew and the
/// result of an attempt, what it knows now and when it runs next. It is the one place where
/// retry, delay_before_retry, delay_loop and alpha are applied (keepalived repeats it in each
/// checker's epilog; `check_tcp.c`'s `tcp_epilog` is the reference).
///
/// - A checker that is up and fails is retried `retry` times, `delay_before_retry` apart, and goes
///   down on the next failure: `retry + 1` failed attempts in a row.
/// - At start the retries are spent already (`check_data.c`: "one failure is enough initially"),
///   so a first attempt that fails takes the checker down at once.
/// - With `alpha` the checker starts down; without, up.
/// - One success brings a down checker up and clears the retries.
/// - A down checker is attempted every delay_loop (HTTP_GET and SSL_GET: every
///   `max(delay_before_retry, delay_loop)`).
///
/// Deviation from keepalived: after a failed URL, keepalived's HTTP_GET comes back only after the
/// failed URL and then a full round of every URL succeed (two successes for a single URL); here,
/// as for the other checkers, one successful attempt, which checks every URL, brings it up.
///
/// @param hasRun        an attempt has completed
/// @param retryIt       failed attempts retried so far (keepalived's `retry_it`)
/// @param dynamicWeight the weight the last success asked for (`misc_dynamic`), or `null`
/// @param lastReason    the reason of the last failed attempt, or `null` before any
record CheckerState(boolean up, boolean hasRun, int retryIt, Integer dynamicWeight, String lastReason) {

    /// The state before the first attempt.
    static CheckerState initial(CheckSpec.Timing timing) {
        return new CheckerState(!timing.alpha(), false, timing.retry(), null, null);
    }

    /// The state after an attempt and the delay until the next.
    record Step(CheckerState state, Duration delay) {
    }

    Step next(ProbeResult result, CheckSpec spec) {
        var timing = spec.timing();
        return switch (result) {
            case ProbeResult.Up u -> new Step(new CheckerState(true, true, 0, null, lastReason), timing.delayLoop());
            case ProbeResult.DynamicWeight w ->
                    new Step(new CheckerState(true, true, 0, w.weight(), lastReason), timing.delayLoop());
            case ProbeResult.Down d -> {
                if (!up && hasRun) {
                    yield new Step(new CheckerState(false, true, retryIt, null, d.reason()), downDelay(spec));
                }
                if (retryIt < timing.retry()) {
                    yield new Step(new CheckerState(up, true, retryIt + 1, dynamicWeight, d.reason()),
                            timing.delayBeforeRetry());
                }
                yield new Step(new CheckerState(false, true, 0, null, d.reason()), downDelay(spec));
            }
        };
    }

    /// keepalived's HTTP epilog waits `max(delay_before_retry, delay_loop)` after a failed URL;
    /// the other checkers wait delay_loop.
    static Duration downDelay(CheckSpec spec) {
        var timing = spec.timing();
        return switch (spec) {
            case CheckSpec.HttpGet h -> timing.delayBeforeRetry().compareTo(timing.delayLoop()) > 0
                    ? timing.delayBeforeRetry() : timing.delayLoop();
            case CheckSpec.TcpCheck t -> timing.delayLoop();
            case CheckSpec.MiscCheck m -> timing.delayLoop();
            case CheckSpec.DnsCheck d -> timing.delayLoop();
        };
    }
}
