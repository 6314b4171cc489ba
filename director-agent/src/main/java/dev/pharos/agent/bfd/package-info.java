/// BFD for Pharos (RFC 5880, single hop over IPv4 per RFC 5881), wire-compatible with
/// keepalived 2.2.7's `bfd_instance`: the control packet codec ([BfdPacket]), the session state
/// machine with its timers ([BfdSession]) and the runtime that drives the sessions ([BfdEngine]).
///
/// As in keepalived: asynchronous mode only (no demand mode, no echo function), no
/// authentication, UDP port 3784, TTL 255 sent and required on receipt (RFC 5881 §5, the
/// Generalized TTL Security Mechanism), source ports 49152–65535. The operating system is reached
/// through [BfdTransport]; `agent.linux` sends with a fixed TTL and reads each datagram's TTL.
///
/// Nullness: parameters, fields and results are non-null unless documented otherwise.
package dev.pharos.agent.bfd;
