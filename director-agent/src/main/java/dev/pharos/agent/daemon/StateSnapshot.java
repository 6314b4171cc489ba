package dev.pharos.agent.daemon;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.pharos.agent.api.AgentState;
import dev.pharos.agent.api.JsonRpc;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/// `state.get`'s answer, built and serialised once and handed to every client that asks until the
/// state changes. Over 10,000 real servers a build and its JSON (3.6 MB) take tens of
/// milliseconds; sixteen clients building their own copies took the agent close to a second.
///
/// The snapshot is rebuilt when the configuration's revision or the event journal's last sequence
/// has moved (every health change, VRRP transition, weight or configuration change publishes an
/// event), and otherwise when it is older than [#MAX_AGE]: counters and traffic figures change
/// with no event, and are at most that old plus one build. A client that finds the snapshot
/// merely old gets it while a fresh one is built in the background.
final class StateSnapshot {

    /// How old counters and traffic figures may be: IPVS's own rate estimator updates every two
    /// seconds, so a console polling traffic loses nothing it could have shown.
    static final Duration MAX_AGE = Duration.ofSeconds(1);

    /// What, besides time, makes a snapshot out of date.
    record Version(String revision, long lastSequence) {
    }

    /// The serialised answer, and when it was built (on [System#nanoTime()]).
    record Built(Version version, long builtNanos, String json) {

        /// The JSON as a `result` that is written as it is, not serialised again.
        JsonNode result() {
            return JsonNodeFactory.instance.rawValueNode(new RawValue(json));
        }
    }

    private final Supplier<Version> version;
    private final Supplier<AgentState> build;
    private final LongSupplier nanoTime;
    private final long maxAgeNanos;
    private final ReentrantLock building = new ReentrantLock();
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private volatile Built current;

    /// @param version read before each build, so a change during a build makes the next call rebuild
    /// @param build a fresh [AgentState]
    /// @param maxAge [#MAX_AGE] on a host
    StateSnapshot(Supplier<Version> version, Supplier<AgentState> build, LongSupplier nanoTime, Duration maxAge) {
        this.version = version;
        this.build = build;
        this.nanoTime = nanoTime;
        this.maxAgeNanos = maxAge.toNanos();
    }

    /// The current snapshot: built now if the state changed since the last one; if it is merely
    /// older than [#MAX_AGE], the old one while a fresh one is built in the background, so no
    /// client waits for a rebuild only counters asked for.
    Built get() {
        var now = version.get();
        var last = current;
        if (last == null || !last.version().equals(now)) {
            return rebuild();
        }
        if (nanoTime.getAsLong() - last.builtNanos() >= maxAgeNanos && refreshing.compareAndSet(false, true)) {
            Thread.ofVirtual().name("state.get snapshot").start(() -> {
                try {
                    rebuild();
                } finally {
                    refreshing.set(false);
                }
            });
        }
        return last;
    }

    /// Builds a snapshot unless one that is up to date appeared while this waited for the lock.
    private Built rebuild() {
        building.lock();
        try {
            var last = current;
            var now = version.get();
            if (last != null && last.version().equals(now) && nanoTime.getAsLong() - last.builtNanos() < maxAgeNanos) {
                return last;
            }
            var at = nanoTime.getAsLong();
            var built = new Built(now, at, serialise(build.get()));
            current = built;
            return built;
        } finally {
            building.unlock();
        }
    }

    /// `state` serialised on its own, shared with no one: for the lab, whose clock stands still or
    /// runs slow (an answer a second old would show the wrong time) and whose tables are small.
    static Built fresh(AgentState state) {
        return new Built(null, System.nanoTime(), serialise(state));
    }

    private static String serialise(AgentState state) {
        try {
            return JsonRpc.mapper().writeValueAsString(state);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an AgentState always serialises", e);
        }
    }
}
