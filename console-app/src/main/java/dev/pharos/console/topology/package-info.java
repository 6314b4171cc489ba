/// The topology view: directors with each VRRP instance's role, virtual servers by VIP, real
/// servers and their health, drawn from the cluster model; drag a real server onto another
/// virtual server to move it, from the palette to add one, onto the bin to remove it.
///
/// Built for thousands of real servers: [dev.pharos.console.topology.TopologyView] maps the
/// model to a [dev.pharos.console.topology.Drawing] (every node kept across updates unless what
/// it was drawn from changed, only what is near the visible area in the scene graph);
/// [dev.pharos.console.topology.RealServerCard] is the lightweight card of one real server.
package dev.pharos.console.topology;
