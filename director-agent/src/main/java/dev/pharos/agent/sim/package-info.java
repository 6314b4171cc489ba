/// The in-memory network the lab runs on, no Linux needed: [SimVrrpBus] is a multicast
/// segment for VRRP adverts with switchable loss, delay and partitions, and
/// [SimAddressPlumbing] records which node holds which virtual address.
///
/// Nullness: parameters, fields and results are non-null unless documented otherwise.
package dev.pharos.agent.sim;
