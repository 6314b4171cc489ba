/// The IPVS schedulers, as the Linux kernel implements them in `net/netfilter/ipvs/ip_vs_*.c`, for
/// Pharos's user-space balancer: [RoundRobin] (rr), [WeightedRoundRobin] (wrr),
/// [LeastConnection] (lc), [WeightedLeastConnection] (wlc), [ShortestExpectedDelay] (sed),
/// [NeverQueue] (nq), [SourceHash] (sh), [DestinationHash] (dh) and [MaglevHash] (mh).
///
/// A scheduler sees the service's destinations as a list of [Candidate]s in the order they were
/// added (the kernel's `svc->destinations` list), reads their weight and connection counts, and
/// returns an index into that list. Tie-breaking, weight 0 ("quiescent": no new connections) and
/// the overload flag of `u_threshold`/`l_threshold` behave as in the kernel; each class's Javadoc
/// names where Pharos differs.
///
/// Schedulers are not thread-safe: like the kernel's `svc->sched_lock`, the caller serialises
/// [Scheduler#schedule] and [Scheduler#destinationsChanged] per service. No I/O, no clock.
///
/// Nullness: parameters, fields and results are non-null unless documented otherwise.
package dev.pharos.agent.ipvs.proxy.schedulers;
