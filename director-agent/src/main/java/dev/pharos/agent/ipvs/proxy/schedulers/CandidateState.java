package dev.pharos.agent.ipvs.proxy.schedulers;

/// An immutable [Candidate]: a snapshot of one destination.
public record CandidateState(int weight, int lastWeight, int activeConnections, int inactiveConnections,
        boolean overloaded) implements Candidate {

    public CandidateState {
        if (weight < 0 || lastWeight < 0 || activeConnections < 0 || inactiveConnections < 0) {
            throw new IllegalArgumentException("weight and connection counts must be >= 0, got weight " + weight
                    + ", last weight " + lastWeight + ", active " + activeConnections + ", inactive " + inactiveConnections);
        }
    }

    /// A destination with this weight, no connections and not overloaded.
    public static CandidateState of(int weight) {
        return new CandidateState(weight, weight, 0, 0, false);
    }

    /// A destination with this weight and these connection counts.
    public static CandidateState of(int weight, int active, int inactive) {
        return new CandidateState(weight, weight, active, inactive, false);
    }
}
