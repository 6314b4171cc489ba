/// The virtual-server table, whatever serves it (STYLE.md §7):
///
/// 1. **Desired state**: [TableSpec] (what the configuration says), a [HealthView] (what the
///    checkers found) and [RuntimeEdits] (what the operator changed) give, through
///    [DesiredState#compute], the [ServiceTable] the balancer should hold, with keepalived's rules
///    (inhibit_on_failure, alpha, quorum with hysteresis, sorry server).
/// 2. **Operations**: a diff of two tables gives [IpvsOp]s, ordered so that the table is never
///    flushed and never left without a service its destinations need.
/// 3. **Applying them**: an [IpvsBackend] applies operations. The [Reconciler] applies a diff,
///    retries, and re-reads the backend so the agent never believes a state the backend lacks;
///    [OwnedServices] keeps it to the services the agent created.
///
/// The backends live beside this package and depend on it, never the reverse (`ArchitectureTest`):
/// `ipvs.kernel` speaks the kernel's IPVS, `ipvs.proxy` is Pharos's own L4 proxy.
///
/// Nullness: parameters, fields and results are non-null unless documented.
package dev.pharos.agent.ipvs.table;
