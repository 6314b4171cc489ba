package dev.pharos.agent.vrrp;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/// Per-instance counters (keepalived's `vrrp->stats`), written by the engine thread and read by
/// anyone through [#snapshot].
public final class VrrpCounters {
    final AtomicLong advertsSent = new AtomicLong();
    final AtomicLong advertsReceived = new AtomicLong();
    final AtomicLong priorityZeroSent = new AtomicLong();
    final AtomicLong priorityZeroReceived = new AtomicLong();
    final AtomicLong becameMaster = new AtomicLong();
    final AtomicLong releasedMaster = new AtomicLong();
    final AtomicLong sendErrors = new AtomicLong();
    private final EnumMap<ReceiveCheck, AtomicLong> checks = new EnumMap<>(ReceiveCheck.class);

    VrrpCounters() {
        for (var c : ReceiveCheck.values()) {
            checks.put(c, new AtomicLong());
        }
    }

    long failed(ReceiveCheck check) {
        return checks.get(check).incrementAndGet();
    }

    /// The counters at one moment.
    ///
    /// @param advertsReceived adverts that passed every dropping check
    /// @param checkFailures   per receive check, how often it failed (all checks present)
    public record Snapshot(long advertsSent, long advertsReceived, long priorityZeroSent,
            long priorityZeroReceived, long becameMaster, long releasedMaster, long sendErrors,
            Map<ReceiveCheck, Long> checkFailures) {
        public Snapshot {
            checkFailures = Map.copyOf(checkFailures);
        }
    }

    public Snapshot snapshot() {
        var failures = new EnumMap<ReceiveCheck, Long>(ReceiveCheck.class);
        checks.forEach((k, v) -> failures.put(k, v.get()));
        return new Snapshot(advertsSent.get(), advertsReceived.get(), priorityZeroSent.get(),
                priorityZeroReceived.get(), becameMaster.get(), releasedMaster.get(), sendErrors.get(), failures);
    }
}
