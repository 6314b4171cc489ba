package dev.pharos.console.connect;

import dev.pharos.agent.api.Hello;
import java.time.Duration;
import java.time.Instant;

/// Where a director's connection stands; the UI shows each as it is.
public sealed interface LinkState {

    Instant since();

    /// Opening SSH and the agent channel.
    record Connecting(Instant since, int attempt) implements LinkState {
    }

    /// Open; heartbeats answer.
    record Connected(Instant since, Hello hello) implements LinkState {
    }

    /// Lost or not reachable; trying again after `retryIn`. What the view shows for the director
    /// is *unknown* from now on.
    record Retrying(Instant since, String reason, Duration retryIn, int attempt) implements LinkState {
    }

    /// Stopped for a reason a retry cannot fix (a changed host key); the operator must act.
    record Failed(Instant since, String reason) implements LinkState {
    }

    /// Closed by the operator.
    record Closed(Instant since) implements LinkState {
    }
}
