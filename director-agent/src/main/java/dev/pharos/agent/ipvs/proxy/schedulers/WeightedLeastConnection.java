package dev.pharos.agent.ipvs.proxy.schedulers;

import java.util.List;

/// `wlc` (`ip_vs_wlc.c`): the destination with the least overhead per weight,
/// `(activeconns × 256 + inactconns) / weight`, compared without division as
/// `loh × weight(d) > doh × weight(least)`. The first available destination in the list is the
/// starting candidate and ties keep the earlier one. Quiescent destinations are never the
/// starting candidate; later ones with weight 0 can never win the comparison.
public final class WeightedLeastConnection implements Scheduler {

    WeightedLeastConnection() {
    }

    @Override
    public String name() {
        return "wlc";
    }

    @Override
    public void destinationsChanged(List<? extends Candidate> destinations) {
        // Stateless.
    }

    @Override
    public int schedule(List<? extends Candidate> destinations, Flow flow) {
        return leastWeighted(destinations, false);
    }

    /// The comparison wlc and sed share; `sed` uses `activeconns + 1` as overhead.
    static int leastWeighted(List<? extends Candidate> destinations, boolean sed) {
        var least = -1;
        var loh = 0L;
        for (int i = 0; i < destinations.size(); i++) {
            var d = destinations.get(i);
            if (d.overloaded()) {
                continue;
            }
            if (least < 0) {
                if (d.weight() > 0) {
                    least = i;
                    loh = sed ? d.activeConnections() + 1L : LeastConnection.overhead(d);
                }
                continue;
            }
            var doh = sed ? d.activeConnections() + 1L : LeastConnection.overhead(d);
            if (loh * d.weight() > doh * destinations.get(least).weight()) {
                least = i;
                loh = doh;
            }
        }
        return least;
    }
}
