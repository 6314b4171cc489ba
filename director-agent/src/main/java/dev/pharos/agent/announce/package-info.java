/// Announcing VIPs through a routing daemon, for several active directors behind ECMP: the agent
/// never speaks BGP itself; it tells BIRD ([BirdDaemon], through its control socket) to announce a
/// VIP when the VIP's virtual services are healthy and warmed up, and to withdraw it when they are
/// not, on drain and on a graceful stop ([Announcer]). The routing daemon's own configuration
/// holds the VIPs withdrawn, so a restarted daemon starts withdrawn and the announcer's reconcile
/// loop, which re-reads the daemon, announces again only what is healthy.
///
/// What to announce lives in a Pharos-only file ([AnnounceConfig], `/etc/pharos/announce.conf`):
/// keepalived rejects blocks it does not know (`keepalived -t` exits 5 on "Unknown keyword"), so
/// keepalived.conf stays as keepalived reads it.
package dev.pharos.agent.announce;
