package dev.pharos.agent.ipvs.proxy.schedulers;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/// One IPVS scheduling algorithm over a virtual service's destinations.
///
/// `destinations` is always the service's current list, in the order destinations were added; the
/// caller calls [#destinationsChanged] after any add, remove or weight change (the kernel's
/// `add_dest`/`del_dest`/`upd_dest` hooks), before the next [#schedule].
public sealed interface Scheduler
        permits RoundRobin, WeightedRoundRobin, LeastConnection, WeightedLeastConnection, ShortestExpectedDelay,
        NeverQueue, SourceHash, DestinationHash, MaglevHash {

    /// The names [#create] accepts, as `ipvsadm -s` and keepalived's `lvs_sched` spell them.
    List<String> NAMES = List.of("rr", "wrr", "lc", "wlc", "sed", "nq", "sh", "dh", "mh");

    /// The scheduler's IPVS name (`rr`, `wrr`, …).
    String name();

    /// The destination list changed (added, removed, reordered or re-weighted).
    void destinationsChanged(List<? extends Candidate> destinations);

    /// The index in `destinations` of the destination for a new connection, or -1 when none is
    /// available (all quiescent, overloaded, or the hashed one is and there is no fallback).
    int schedule(List<? extends Candidate> destinations, Flow flow);

    /// A new scheduler by IPVS name, initialised for `destinations`.
    ///
    /// @throws IllegalArgumentException naming the known schedulers when `name` is not one of them
    static Scheduler create(String name, Set<SchedulerFlag> flags, List<? extends Candidate> destinations) {
        Scheduler s = switch (name.toLowerCase(Locale.ROOT)) {
            case "rr" -> new RoundRobin();
            case "wrr" -> new WeightedRoundRobin();
            case "lc" -> new LeastConnection();
            case "wlc" -> new WeightedLeastConnection();
            case "sed" -> new ShortestExpectedDelay();
            case "nq" -> new NeverQueue();
            case "sh" -> new SourceHash(flags);
            case "dh" -> new DestinationHash();
            case "mh" -> new MaglevHash(flags);
            default -> throw new IllegalArgumentException(
                    "unknown scheduler '" + name + "': use one of " + String.join(", ", NAMES));
        };
        s.destinationsChanged(destinations);
        return s;
    }

    /// The kernel's `is_unavailable()` of the hashing schedulers: quiescent or overloaded.
    static boolean unavailable(Candidate c) {
        return c.weight() <= 0 || c.overloaded();
    }
}
