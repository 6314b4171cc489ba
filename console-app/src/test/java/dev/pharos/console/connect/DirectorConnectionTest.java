package dev.pharos.console.connect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.api.AgentEvent;
import dev.pharos.agent.api.AgentState;
import dev.pharos.console.FakeAgent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/// Reconnecting: at once first, then backing off; a session that worked starts the backoff again,
/// so a second outage is not met with the first one's long wait; "Reconnect now" cuts a wait short.
class DirectorConnectionTest {

    private final List<LinkState> states = new CopyOnWriteArrayList<>();
    private final DirectorConnection.Listener listener = new DirectorConnection.Listener() {
        @Override
        public void linkState(LinkState state) {
            states.add(state);
        }

        @Override
        public void agentState(AgentState state) {
        }

        @Override
        public void event(AgentEvent event) {
        }
    };

    @Test
    void theBackoffStartsAgainAfterASessionThatWorked() throws Exception {
        var agent = new FakeAgent("lvs-master", "MASTER", FakeAgent.DUAL_MASTER);
        var endpoint = new DirectorEndpoint("lvs-master", "in-memory", 0, null, null, null, null);
        try (var connection = new DirectorConnection(endpoint, agent::connect, listener, Duration.ofMillis(100),
                Duration.ofSeconds(5)).start()) {
            awaitCount(LinkState.Connected.class::isInstance, 1, "first session");

            // The first outage: the agent stops answering, then refuses connections for a while.
            agent.goDown();
            agent.failHeartbeats(true);
            awaitCount(r -> r instanceof LinkState.Retrying t && t.retryIn().equals(Duration.ofSeconds(2)), 1,
                    "backed off to 2 s");
            agent.failHeartbeats(false);
            agent.comeUp();
            awaitCount(LinkState.Connected.class::isInstance, 2, "second session");
            assertThat(retries()).as("the first outage: at once, then 1 s, then 2 s")
                    .startsWith(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(2));

            // The second outage is met at once again, not with the first one's 4 s.
            int before = retries().size();
            agent.failHeartbeats(true);
            awaitCount(LinkState.Retrying.class::isInstance, before + 1, "the second outage");
            assertThat(retries().get(before)).as("first retry after a session that worked").isEqualTo(Duration.ZERO);
            agent.failHeartbeats(false);
            awaitCount(LinkState.Connected.class::isInstance, 3, "third session, at once");
        }
    }

    @Test
    void reconnectNowCutsTheWaitShort() throws Exception {
        var agent = new FakeAgent("lvs-master", "MASTER", FakeAgent.DUAL_MASTER);
        agent.goDown();
        var endpoint = new DirectorEndpoint("lvs-master", "in-memory", 0, null, null, null, null);
        try (var connection = new DirectorConnection(endpoint, agent::connect, listener, Duration.ofMillis(100),
                Duration.ofSeconds(5)).start()) {
            // 8 s, not less: waiting it out is what fails, and a loaded machine took 3.9 s to connect
            var backoff = Duration.ofSeconds(8);
            awaitCount(r -> r instanceof LinkState.Retrying t && t.retryIn().equals(backoff), 1, "backed off to 8 s");
            agent.comeUp();
            long start = System.nanoTime();
            connection.reconnectNow();
            awaitCount(LinkState.Connected.class::isInstance, 1, "connected");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("connected without waiting out the backoff")
                    .isLessThan(backoff);
        }
    }

    private List<Duration> retries() {
        return states.stream().filter(LinkState.Retrying.class::isInstance)
                .map(s -> ((LinkState.Retrying) s).retryIn()).toList();
    }

    private void awaitCount(Predicate<LinkState> which, int count, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (states.stream().filter(which).count() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not seen in 30 s; link states: " + states);
            }
            Thread.sleep(20);
        }
    }
}
