package dev.pharos.console.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.api.AgentEvent;
import dev.pharos.agent.api.Hello;
import dev.pharos.console.connect.LinkState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/// A director never reached and one whose link dropped are different states with different words
/// (both were "UNKNOWN — last known state"); so is one whose agent said it was stopping.
class LivenessTest {

    private static final Instant T = Instant.parse("2026-12-07T10:00:00Z");
    private static final Hello HELLO = new Hello(1, "test", "lvs-master",
            new Hello.Capabilities("none", List.of(2), List.of(), List.of()));

    @Test
    void neverReachedIsUnreachableAndALostLinkIsReconnecting() {
        var cluster = new ClusterModel("seed", Runnable::run);
        var link = cluster.listenerFor("lvs-master");
        var d = cluster.director("lvs-master").orElseThrow();
        assertThat(d.livenessProperty().get()).isEqualTo(Liveness.CONNECTING);

        link.linkState(new LinkState.Connecting(T, 1));
        link.linkState(new LinkState.Retrying(T, "connection refused", Duration.ZERO, 1));
        assertThat(d.livenessProperty().get()).isEqualTo(Liveness.UNREACHABLE);
        link.linkState(new LinkState.Connecting(T, 2));
        assertThat(d.livenessProperty().get()).as("a new attempt changes nothing known").isEqualTo(Liveness.UNREACHABLE);

        link.linkState(new LinkState.Connected(T, HELLO));
        assertThat(d.livenessProperty().get()).isEqualTo(Liveness.LIVE);
        link.linkState(new LinkState.Retrying(T, "the connection was lost", Duration.ZERO, 0));
        assertThat(d.livenessProperty().get()).isEqualTo(Liveness.RECONNECTING);
        link.linkState(new LinkState.Connecting(T, 1));
        assertThat(d.livenessProperty().get()).isEqualTo(Liveness.RECONNECTING);

        link.linkState(new LinkState.Failed(T, "the host key changed"));
        assertThat(d.livenessProperty().get()).isEqualTo(Liveness.FAILED);
    }

    /// An agent that announced a graceful stop is stopped, not a failed link (both were UNKNOWN).
    @Test
    void anAnnouncedStopIsStopped() {
        var cluster = new ClusterModel("seed", Runnable::run);
        var link = cluster.listenerFor("lvs-master");
        var d = cluster.director("lvs-master").orElseThrow();
        link.linkState(new LinkState.Connected(T, HELLO));
        link.event(new AgentEvent.Stopping(7, T, "stopping on purpose: masters hand over with priority 0"));
        link.linkState(new LinkState.Retrying(T, "the connection was lost", Duration.ZERO, 0));
        assertThat(d.livenessProperty().get()).isEqualTo(Liveness.STOPPED);
        assertThat(cluster.timeline()).anyMatch(e -> e.text().startsWith("agent stopping on purpose"));
        link.linkState(new LinkState.Connecting(T, 1));
        assertThat(d.livenessProperty().get()).isEqualTo(Liveness.STOPPED);

        link.linkState(new LinkState.Connected(T, HELLO));
        link.linkState(new LinkState.Retrying(T, "the connection was lost", Duration.ZERO, 0));
        assertThat(d.livenessProperty().get()).as("a later loss without notice").isEqualTo(Liveness.RECONNECTING);
    }
}
