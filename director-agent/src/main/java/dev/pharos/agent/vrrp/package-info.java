/// VRRP for Pharos, wire-compatible with keepalived 2.2.7: the packet codec ([VrrpPacket],
/// [Ipv4Header]), the RFC 5798 state machine ([VrrpRouter]), and the runtime that drives it
/// ([VrrpEngine] with its [VrrpInstance]s, sync groups, track scripts and notify scripts).
/// keepalived 2.4's signed adverts (`auth_hmac`, 2.4.2 and later) are [AuthTrailer] on the wire,
/// [AuthHmac] for the digest and [HmacAuthenticator] for sequences, replay and the rollout modes.
///
/// The operating system is reached only through two interfaces defined here, [VrrpTransport]
/// (adverts in and out) and [AddressPlumbing] (VIPs and gratuitous ARP); `agent.linux` implements
/// them for real interfaces and `agent.sim` for the in-memory lab.
///
/// Nullness: parameters, fields and results are non-null unless documented otherwise.
/// IPv6 (VRRPv3 over IPv6, RFC 5798 §5.1.2) is not implemented yet; addresses are typed as
/// [java.net.InetAddress] where a later IPv6 codec will need them.
package dev.pharos.agent.vrrp;
