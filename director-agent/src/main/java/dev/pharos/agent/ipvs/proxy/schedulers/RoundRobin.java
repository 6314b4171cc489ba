package dev.pharos.agent.ipvs.proxy.schedulers;

import java.util.List;

/// `rr` (`ip_vs_rr.c`): the destination after the last one chosen, skipping quiescent (weight 0)
/// and overloaded ones; -1 when a full turn finds none.
///
/// When the destination chosen last is removed, the kernel moves its mark to the previous entry
/// (`ip_vs_rr_del_dest`), so the next pick is the one that followed the removed destination; this
/// class does the same by remembering the chosen destination and its position.
public final class RoundRobin implements Scheduler {

    /// Index of the last destination chosen; -1 stands for the list head (nothing chosen yet).
    private int last = -1;
    private Candidate lastChosen;

    RoundRobin() {
    }

    @Override
    public String name() {
        return "rr";
    }

    @Override
    public void destinationsChanged(List<? extends Candidate> destinations) {
        if (lastChosen == null) {
            last = -1;
            return;
        }
        var at = destinations.indexOf(lastChosen);
        if (at >= 0) {
            last = at;
        } else {
            // Removed: step back to the entry before it, as ip_vs_rr_del_dest does.
            last = Math.min(last, destinations.size()) - 1;
            lastChosen = last >= 0 ? destinations.get(last) : null;
        }
    }

    @Override
    public int schedule(List<? extends Candidate> destinations, Flow flow) {
        var n = destinations.size();
        for (int step = 1; step <= n; step++) {
            var i = Math.floorMod(last + step, n);
            var d = destinations.get(i);
            if (!d.overloaded() && d.weight() > 0) {
                last = i;
                lastChosen = d;
                return i;
            }
        }
        return -1;
    }
}
