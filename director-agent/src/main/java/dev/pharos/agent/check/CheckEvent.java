package dev.pharos.agent.check;

import java.time.Instant;

/// A change of a real server's health or weight, as the checker reports it.
public sealed interface CheckEvent permits CheckEvent.RealServerUp, CheckEvent.RealServerDown, CheckEvent.WeightChanged {

    RealServerId server();

    Instant at();

    /// Every check of the real server passes.
    record RealServerUp(RealServerId server, Instant at) implements CheckEvent {
    }

    /// A check of the real server failed.
    ///
    /// @param reason which check and why, e.g. `HTTP_GET 192.0.2.2:80: status 503`
    record RealServerDown(RealServerId server, String reason, Instant at) implements CheckEvent {
    }

    /// The real server's effective weight changed (`misc_dynamic`, or a reload).
    record WeightChanged(RealServerId server, int weight, Instant at) implements CheckEvent {
    }
}
