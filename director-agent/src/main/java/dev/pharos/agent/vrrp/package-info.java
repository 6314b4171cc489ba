/// VRRP for Pharos, wire-compatible with keepalived 2.2.7, over IPv4 and (VRRPv3, RFC 5798
/// §5.1.2) IPv6: the packet codec ([VrrpPacket], [IpHeader]: [Ipv4Header], [Ipv6Header]), the
/// RFC 5798 state machine ([VrrpRouter]), and the runtime that drives it
/// ([VrrpEngine] with its [VrrpInstance]s, sync groups, track scripts and notify scripts).
/// keepalived 2.4's signed adverts (`auth_hmac`, 2.4.2 and later) are [AuthTrailer] on the wire,
/// [AuthHmac] for the digest and [HmacAuthenticator] for sequences, replay and the rollout modes.
///
/// The operating system is reached only through two interfaces defined here, [VrrpTransport]
/// (adverts in and out) and [AddressPlumbing] (VIPs, gratuitous ARP and neighbour
/// advertisements); `agent.linux` implements them for real interfaces and `agent.sim` for the
/// in-memory lab.
///
/// Nullness: parameters, fields and results are non-null unless documented otherwise.
package dev.pharos.agent.vrrp;
