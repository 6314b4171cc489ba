package dev.pharos.agent.ipvs.proxy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/// The log of one connection cap (a virtual service's or the whole balancer's) while it refuses
/// connections: one line at the first refusal, then at most one per [#WINDOW_NANOS] while refusals
/// go on, each with the count since the line before. A flood of refused clients must not become a
/// flood of log lines — that would be the next exhausted resource.
///
/// Refusals come from every relay thread; the line is written by whichever thread finds the
/// window over first (a compare-and-set), or by the housekeeping tick ([#flush]) when the
/// refusals stopped before the window ended, so the last ones are counted too.
final class CapLog {

    private static final System.Logger LOG = System.getLogger(UserspaceBalancer.class.getName());
    static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final String subject;
    private final LongSupplier nanoClock;
    private final LongAdder pending = new LongAdder();
    /// When the last line was written; far enough back at the start that the first refusal logs.
    private final AtomicLong lastLine;

    /// @param subject what the line names: "virtual server TCP 192.0.2.10:80", "the user-space balancer"
    CapLog(String subject, LongSupplier nanoClock) {
        this.subject = subject;
        this.nanoClock = nanoClock;
        this.lastLine = new AtomicLong(nanoClock.getAsLong() - WINDOW_NANOS);
    }

    /// One connection refused by the subject's cap of `cap`.
    void refused(int cap) {
        pending.increment();
        flush(cap);
    }

    /// Writes the line if refusals are pending and the window since the last line is over.
    void flush(int cap) {
        if (pending.sum() == 0) {
            return;
        }
        long now = nanoClock.getAsLong();
        long last = lastLine.get();
        if (now - last < WINDOW_NANOS || !lastLine.compareAndSet(last, now)) {
            return;
        }
        long count = pending.sumThenReset();
        if (count > 0) {
            LOG.log(System.Logger.Level.WARNING, () -> subject + " reached its cap of " + cap
                    + " connections; refusing new ones (" + count + " refused in the last 10 s)");
        }
    }
}
