package dev.pharos.agent.ipvs.proxy.schedulers;

import java.util.List;

/// `wrr` (`ip_vs_wrr.c`): the kernel's gcd-stepped weighted round robin.
///
/// State is the current list position `cl`, the current weight `cw`, the step `di` (gcd of the
/// positive weights) and `mw` (the largest weight minus `di - 1`). Each pick walks on from `cl` to
/// the next destination whose weight is at least `cw` (and is not overloaded); at the end of the
/// list `cw` drops by `di`, and when it reaches 0 it restarts at `mw`. With weights 3:1 the
/// sequence is A A A B; with 4:2 (gcd 2) it is A A B. A weight-0 destination is never picked
/// because `cw` never falls below 1. When every destination that would qualify is overloaded
/// the pick returns -1 after one last pass over all of them for weight >= 1, as the kernel does.
///
/// A destination change resets `cl` to the list head and keeps `cw` where it was (rounded to the
/// new step) unless it exceeds the new `mw`, as `ip_vs_wrr_dest_changed` does.
public final class WeightedRoundRobin implements Scheduler {

    /// Current list position; -1 is the list head.
    private int cl = -1;
    private int cw;
    private int mw;
    private int di = 1;

    WeightedRoundRobin() {
    }

    @Override
    public String name() {
        return "wrr";
    }

    @Override
    public void destinationsChanged(List<? extends Candidate> destinations) {
        cl = -1;
        di = gcdOfWeights(destinations);
        mw = maxWeight(destinations) - (di - 1);
        if (cw > mw || cw == 0) {
            cw = mw;
        } else if (di > 1) {
            cw = (cw / di) * di + 1;
        }
    }

    @Override
    public int schedule(List<? extends Candidate> destinations, Flow flow) {
        var n = destinations.size();
        var dest = cl;
        if (mw == 0) {
            return -1;
        }
        var last = dest;
        var stop = Integer.MIN_VALUE;
        var lastPass = false;
        var restarted = false;
        // Each turn of the outer loop is one walk to the end of the list; it ends at the latest in
        // the pass for weight >= 1 that follows a restart, so it is bounded by mw / di + 2 walks.
        while (true) {
            for (dest = dest + 1; dest < n; dest++) {
                var d = destinations.get(dest);
                if (!d.overloaded() && d.weight() >= cw) {
                    cl = dest;
                    return dest;
                }
                if (dest == stop) {
                    cl = dest;
                    return -1;
                }
            }
            dest = -1;
            cw -= di;
            if (cw <= 0) {
                cw = mw;
                // Stop after a full pass for weight >= 1: either that pass started at the head,
                // or it was the last pass already.
                if (lastPass || last == -1) {
                    cl = dest;
                    return -1;
                }
                restarted = true;
            }
            lastPass = cw <= di;
            if (lastPass && restarted && last != -1) {
                // The first pass for weight >= 1 only covered the entries after 'last'; now cover
                // the ones up to it.
                stop = last;
            }
        }
    }

    /// Current weight of the round (for tests of the kernel's state).
    int currentWeight() {
        return cw;
    }

    static int gcdOfWeights(List<? extends Candidate> destinations) {
        var g = 0;
        for (var d : destinations) {
            var w = d.weight();
            if (w > 0) {
                g = g > 0 ? gcd(w, g) : w;
            }
        }
        return g > 0 ? g : 1;
    }

    static int gcd(int a, int b) {
        while (b != 0) {
            var t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    private static int maxWeight(List<? extends Candidate> destinations) {
        var m = 0;
        for (var d : destinations) {
            m = Math.max(m, d.weight());
        }
        return m;
    }
}
