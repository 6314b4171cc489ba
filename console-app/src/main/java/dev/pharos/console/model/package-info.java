/// The console's one observable model of the cluster: directors with their link and liveness,
/// VRRP instances, virtual and real servers, and the event timeline. Fed by each director's
/// `state.get` and event stream (always on the FX thread); views bind to it, never to the wire.
package dev.pharos.console.model;
