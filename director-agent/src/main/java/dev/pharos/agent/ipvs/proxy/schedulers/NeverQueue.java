package dev.pharos.agent.ipvs.proxy.schedulers;

import java.util.List;

/// `nq` (`ip_vs_nq.c`): the first idle destination (no active connections) in list order if
/// there is one, whatever its weight; otherwise the shortest expected delay
/// `(activeconns + 1) / weight` as [ShortestExpectedDelay], ties to the earlier destination.
public final class NeverQueue implements Scheduler {

    NeverQueue() {
    }

    @Override
    public String name() {
        return "nq";
    }

    @Override
    public void destinationsChanged(List<? extends Candidate> destinations) {
        // Stateless.
    }

    @Override
    public int schedule(List<? extends Candidate> destinations, Flow flow) {
        var least = -1;
        var loh = 0L;
        for (int i = 0; i < destinations.size(); i++) {
            var d = destinations.get(i);
            if (d.overloaded() || d.weight() == 0) {
                continue;
            }
            var doh = d.activeConnections() + 1L;
            if (d.activeConnections() == 0) {
                return i;
            }
            if (least < 0 || loh * d.weight() > doh * destinations.get(least).weight()) {
                least = i;
                loh = doh;
            }
        }
        return least;
    }
}
