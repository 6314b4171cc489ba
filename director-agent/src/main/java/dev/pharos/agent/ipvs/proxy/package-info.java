/// Pharos's user-space L4 proxy (TCP and UDP) for hosts without IPVS, and the lab's data path:
/// [UserspaceBackend] applies the table's operations to the [UserspaceBalancer], which serves each
/// virtual service with the kernel's schedulers (`ipvs.proxy.schedulers`), persistence, connection
/// limits and counters (`LiveService`, `RelayContext`).
///
/// TCP is relayed on one selector thread per core: on Linux by `NativeRelayLoop` over raw system
/// calls (`agent.linux`), elsewhere by the NIO `RelayLoop`; UDP by `UdpRelay`. Only the backend,
/// the balancer's construction and its statistics are public; services and real servers reach the
/// balancer through the backend.
///
/// Nullness: parameters, fields and results are non-null unless documented.
package dev.pharos.agent.ipvs.proxy;
