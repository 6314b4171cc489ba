package dev.pharos.agent.check;

/// The outcome of one attempt of one checker.
public sealed interface ProbeResult permits ProbeResult.Up, ProbeResult.Down, ProbeResult.DynamicWeight {

    /// The attempt succeeded.
    record Up() implements ProbeResult {
    }

    /// The attempt failed.
    ///
    /// @param reason what went wrong, precise and short: `timeout after 3s`, `status 503`
    record Down(String reason) implements ProbeResult {
    }

    /// The attempt succeeded and asks for this weight (`MISC_CHECK` with `misc_dynamic`).
    record DynamicWeight(int weight) implements ProbeResult {
        public DynamicWeight {
            if (weight < 0) {
                throw new IllegalArgumentException("weight must not be negative, not " + weight);
            }
        }
    }

    /// The one success value.
    static ProbeResult up() {
        return new Up();
    }

    /// A failure for `reason`.
    static ProbeResult down(String reason) {
        return new Down(reason);
    }
}
