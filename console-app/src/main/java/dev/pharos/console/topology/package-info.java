/// The topology view: directors with each VRRP instance's role, virtual servers by VIP, real
/// servers and their health, drawn from the cluster model; drag a real server onto another
/// virtual server to move it, from the palette to add one, onto the bin to remove it. A VIP that
/// several active directors announce by BGP is drawn with one link per director, announced or
/// not ([ShownAnnouncement]); drag such a director onto Out of service to withdraw it, and back
/// onto the VIP to announce it again.
///
/// [TopologyViewModel] holds what the view calls and shows besides the model: the edits it sends,
/// the status line, the operator's arrangement ([LayoutStore]'s file) and the PNG export, and how
/// health and roles are drawn ([ShownHealth], [ShownRole]). The view side, built for thousands of
/// real servers: [TopologyView] maps the model to a [Drawing] (every node kept across updates
/// unless what it was drawn from changed, only what is near the visible area in the scene graph);
/// [TopologyNodes] makes the cards ([RealServerCard] the lightweight one of a real server),
/// [TopologyMenus] the context menus and dialogs, [TopologyGestures] handles the mouse;
/// [TopologyLayout] places everything.
package dev.pharos.console.topology;
