/// The kernel's IPVS as an `ipvs.table.IpvsBackend`: [KernelIpvs] encodes each operation as a
/// generic-netlink request of the `IPVS` family (`IpvsCodec`, over `Nla` attributes), sends it
/// through a [GenlTransport] (the socket lives in `agent.linux`, so this package does no system
/// calls of its own and its tests run on golden bytes) and decodes the kernel's dumps back into a
/// table, with [IpvsStats] per service and destination.
///
/// Nullness: parameters, fields and results are non-null unless documented.
package dev.pharos.agent.ipvs.kernel;
