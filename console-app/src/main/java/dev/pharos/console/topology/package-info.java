/// The topology view: directors with each VRRP instance's role, virtual servers by VIP, real
/// servers and their health, drawn from the cluster model; drag a real server onto another
/// virtual server to move it, from the palette to add one, onto the bin to remove it.
package dev.pharos.console.topology;
