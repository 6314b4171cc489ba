package dev.pharos.agent.vrrp;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/// What an instance looks like now: published by the engine after every event, read by anyone.
///
/// @param faults       active fault sources (empty unless FAULT or about to be)
/// @param lastChange   when the state last changed, or the engine's start
public record VrrpInstanceStatus(String name, int vrid, VrrpState state, int basePriority,
        int effectivePriority, Duration masterAdverInterval, InetAddress masterOrNull,
        Set<String> faults, Instant lastChange, long transitions, VrrpCounters.Snapshot counters) {

    public VrrpInstanceStatus {
        faults = Set.copyOf(faults);
    }

    /// The source of the last accepted advert, if any.
    public Optional<InetAddress> master() {
        return Optional.ofNullable(masterOrNull);
    }
}
