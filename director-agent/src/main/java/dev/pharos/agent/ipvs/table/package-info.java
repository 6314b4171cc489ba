/// The virtual-server table, in three layers (STYLE.md §7):
///
/// 1. **Desired state**: [TableSpec] (what the configuration says), a [HealthView] (what the
///    checkers found) and [RuntimeEdits] (what the operator changed) give, through
///    [DesiredState#compute], the [ServiceTable] the balancer should hold, with keepalived's rules
///    (inhibit_on_failure, alpha, quorum with hysteresis, sorry server).
/// 2. **Operations**: [TableDiff#between] turns two tables into [IpvsOp]s, ordered so that the
///    table is never flushed and never left without a service its destinations need.
/// 3. **Backends**: an [IpvsBackend] applies operations; [KernelIpvs] speaks the kernel's IPVS
///    generic-netlink family through a [GenlTransport]. The [Reconciler] applies a diff, retries,
///    and re-reads the backend so the agent never believes a state the backend lacks.
///    [UserspaceBackend] applies the same operations to the [UserspaceBalancer], Pharos's own L4
///    proxy (TCP and UDP) for hosts without IPVS, whose schedulers live in `ipvs.schedulers`.
///
/// Nullness: parameters, fields and results are non-null unless documented.
package dev.pharos.agent.ipvs.table;

import dev.pharos.agent.ipvs.kernel.GenlTransport;
import dev.pharos.agent.ipvs.kernel.KernelIpvs;
import dev.pharos.agent.ipvs.proxy.UserspaceBackend;
import dev.pharos.agent.ipvs.proxy.UserspaceBalancer;
