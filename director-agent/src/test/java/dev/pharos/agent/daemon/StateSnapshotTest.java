package dev.pharos.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.pharos.agent.api.AgentState;
import dev.pharos.agent.api.JsonRpc;
import dev.pharos.agent.api.RpcMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/// `state.get`'s shared snapshot: built once per change (or once per [StateSnapshot#MAX_AGE]),
/// and written exactly as the state built afresh would be.
class StateSnapshotTest {

    final AtomicReference<StateSnapshot.Version> version = new AtomicReference<>(new StateSnapshot.Version("r1", 5));
    final AtomicLong nanos = new AtomicLong(1_000);
    final AtomicInteger builds = new AtomicInteger();
    final StateSnapshot snapshot = new StateSnapshot(version::get, () -> state(builds.incrementAndGet()), nanos::get,
            StateSnapshot.MAX_AGE);

    @Test
    void callersShareOneSnapshotUntilTheStateChanges() {
        var first = snapshot.get();
        nanos.addAndGet(StateSnapshot.MAX_AGE.toNanos() - 1);
        assertThat(snapshot.get()).isSameAs(first);
        assertThat(builds).hasValue(1);

        version.set(new StateSnapshot.Version("r1", 6));
        var afterEvent = snapshot.get();
        assertThat(afterEvent).isNotSameAs(first);
        assertThat(afterEvent.json()).isNotEqualTo(first.json());
        assertThat(builds).hasValue(2);

        version.set(new StateSnapshot.Version("r2", 6));
        var afterEdit = snapshot.get();
        assertThat(afterEdit).isNotSameAs(afterEvent);
        assertThat(builds).hasValue(3);
    }

    @Test
    void anOldSnapshotIsServedWhileAFreshOneIsBuilt() {
        var first = snapshot.get();
        nanos.addAndGet(StateSnapshot.MAX_AGE.toNanos());
        assertThat(snapshot.get()).isSameAs(first);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (snapshot.get() == first && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        var later = snapshot.get();
        assertThat(later).isNotSameAs(first);
        assertThat(later.builtNanos()).isEqualTo(nanos.get());
        assertThat(builds).hasValue(2);
    }

    @Test
    void sixteenClientsAskingAtOnceCauseOneBuild() throws Exception {
        var start = new CountDownLatch(1);
        var threads = new ArrayList<Thread>();
        var answers = new ArrayList<StateSnapshot.Built>();
        for (int i = 0; i < 16; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    start.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                var built = snapshot.get();
                synchronized (answers) {
                    answers.add(built);
                }
            }));
        }
        start.countDown();
        for (var t : threads) {
            assertThat(t.join(Duration.ofSeconds(10))).isTrue();
        }
        assertThat(builds).hasValue(1);
        assertThat(answers).hasSize(16).allMatch(b -> b == answers.getFirst());
    }

    @Test
    void theSharedAnswerIsByteForByteTheFreshOne() {
        var state = state(7);
        var shared = StateSnapshot.fresh(state);
        var id = IntNode.valueOf(3);
        assertThat(JsonRpc.encode(new RpcMessage.Success(id, shared.result())))
                .isEqualTo(JsonRpc.encode(new RpcMessage.Success(id, JsonNodeFactory.instance.pojoNode(state))));
        // and what the cache hands out is built the same way
        assertThat(snapshot.get().json()).isEqualTo(StateSnapshot.fresh(state(1)).json());
    }

    /// A state with every kind of field, and text that needs escaping; `n` tells builds apart.
    static AgentState state(int n) {
        var counters = new LinkedHashMap<String, Long>();
        counters.put("advertsSent", 10L * n);
        counters.put("advertsReceived", 0L);
        var vi = new AgentState.VrrpInstance("VI_1", 61, "eth0", 3, "MASTER", 150, 150, "192.0.2.1",
                List.of("192.0.2.100/32"), 1000, Instant.parse("2026-12-07T15:00:00.123456789Z"), n, List.of(), counters);
        var rs = new AgentState.RealServer("198.51.100.11:80", "198.51.100.11", 80, 1, 1, "down",
                "HTTP_GET: \"503\" from /santé\n", Instant.parse("2026-12-07T15:01:00Z"), List.of("HTTP_GET"),
                new AgentState.Traffic(n, 0, 3, 4, 5, 6, 7, 8));
        var vs = new AgentState.VirtualServer("tcp/192.0.2.100:80", "TCP", "192.0.2.100", 80, null, null, "wrr", "DR",
                "kernel", "IPVS", 120, 1, true, null, List.of(rs), null, null);
        return new AgentState("r" + n, "director-a", Instant.parse("2026-12-07T15:02:00Z").plusNanos(n), n,
                new AgentState.Balancer("kernel", "the kernel has IPVS"), List.of(vi), List.of(vs));
    }
}
