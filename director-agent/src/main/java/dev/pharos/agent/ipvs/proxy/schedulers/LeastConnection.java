package dev.pharos.agent.ipvs.proxy.schedulers;

import java.util.List;

/// `lc` (`ip_vs_lc.c`): the destination with the least overhead, where overhead is
/// `activeconns × 256 + inactconns` (`ip_vs_dest_conn_overhead`: an idle TIME_WAIT entry costs
/// far less than an established connection). Weights matter only as 0 = quiescent. Ties go to the
/// destination earlier in the list (the comparison is strict).
public final class LeastConnection implements Scheduler {

    LeastConnection() {
    }

    @Override
    public String name() {
        return "lc";
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
            var doh = overhead(d);
            if (least < 0 || doh < loh) {
                least = i;
                loh = doh;
            }
        }
        return least;
    }

    /// The kernel's `ip_vs_dest_conn_overhead`.
    static long overhead(Candidate d) {
        return ((long) d.activeConnections() << 8) + d.inactiveConnections();
    }
}
