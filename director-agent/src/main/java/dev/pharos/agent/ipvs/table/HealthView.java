package dev.pharos.agent.ipvs.table;

import java.util.HashMap;
import java.util.Map;

/// What the checkers know about each real server: its state and, from `MISC_CHECK` with
/// `misc_dynamic`, a weight. A real server missing from the view has not been checked yet.
public record HealthView(Map<RealServerRef, CheckState> states, Map<RealServerRef, Integer> dynamicWeights) {

    public static final HealthView NONE = new HealthView(Map.of(), Map.of());

    /// The result of a real server's checkers taken together.
    public enum CheckState {
        /// No check has finished yet: alive unless the real server is in `alpha` mode.
        UNCHECKED,
        /// Every checker succeeded last time.
        UP,
        /// At least one checker failed.
        DOWN
    }

    public HealthView {
        states = Map.copyOf(states);
        dynamicWeights = Map.copyOf(dynamicWeights);
        for (var e : dynamicWeights.entrySet()) {
            if (e.getValue() < 0) {
                throw new IllegalArgumentException("dynamic weight " + e.getValue() + " of " + e.getKey() + " is negative");
            }
        }
    }

    public CheckState state(RealServerRef ref) {
        return states.getOrDefault(ref, CheckState.UNCHECKED);
    }

    /// This view with `ref` in `state`.
    public HealthView with(RealServerRef ref, CheckState state) {
        var m = new HashMap<>(states);
        m.put(ref, state);
        return new HealthView(m, dynamicWeights);
    }

    /// This view with `ref`'s dynamic weight (`MISC_CHECK` exit code − 2) set.
    public HealthView withDynamicWeight(RealServerRef ref, int weight) {
        var m = new HashMap<>(dynamicWeights);
        m.put(ref, weight);
        return new HealthView(states, m);
    }
}
