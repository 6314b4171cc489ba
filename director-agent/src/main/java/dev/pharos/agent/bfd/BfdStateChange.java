package dev.pharos.agent.bfd;

/// A session changed state; what [BfdEngine]'s listeners receive.
///
/// @param failure false when the session went Down because the neighbor said AdminDown, which
///                RFC 5882 §3.2 does not count as a failure (keepalived tells VRRP nothing then)
public record BfdStateChange(String name, BfdState from, BfdState to, BfdDiagnostic diagnostic, boolean failure) {
}
