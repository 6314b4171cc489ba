package dev.pharos.agent.ipvs.proxy.schedulers;

import java.util.List;

/// `sed` (`ip_vs_sed.c`): the destination with the shortest expected delay
/// `(activeconns + 1) / weight`; inactive connections do not count. Same comparison and
/// tie-breaking as [WeightedLeastConnection].
public final class ShortestExpectedDelay implements Scheduler {

    ShortestExpectedDelay() {
    }

    @Override
    public String name() {
        return "sed";
    }

    @Override
    public void destinationsChanged(List<? extends Candidate> destinations) {
        // Stateless.
    }

    @Override
    public int schedule(List<? extends Candidate> destinations, Flow flow) {
        return WeightedLeastConnection.leastWeighted(destinations, true);
    }
}
