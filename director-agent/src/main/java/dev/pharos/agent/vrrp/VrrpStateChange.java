package dev.pharos.agent.vrrp;

import java.time.Instant;

/// An instance changed state; delivered to [VrrpEngine#addListener] listeners in order.
///
/// @param instance the instance name (`VI_1`)
/// @param vrid     its VRID
/// @param priority effective priority after the change
public record VrrpStateChange(String instance, int vrid, VrrpState from, VrrpState to,
        String reason, Instant at, int priority) {
}
