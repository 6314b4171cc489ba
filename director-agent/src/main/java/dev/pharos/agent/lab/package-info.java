/// The training lab's composition: [Lab] runs real [dev.pharos.agent.daemon.Daemon]s on
/// [SimPlatform] (the in-memory network of `agent.sim` plus the user-space balancer), with
/// [LabRealServer]s on loopback, [LabTraffic] as its clients and the seed's pair of configurations
/// in `seed/`. It lives apart from `agent.sim` because it needs the daemon while the daemon's
/// warm-up needs the in-memory network: in one package the two would depend on each other.
///
/// Nullness: parameters, fields and results are non-null unless documented otherwise.
package dev.pharos.agent.lab;
