package dev.pharos.agent.vrrp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/// The engine's timers: never early, and a chain of timers armed from timer tasks does not drift
/// by the wake-up latency of each (the master's advert rhythm), unless the loop stalled.
class EngineLoopTest {

    private static final Duration STEP = Duration.ofMillis(10);
    private final EngineLoop loop = new EngineLoop("engine-loop-test");

    @AfterEach
    void tearDown() throws InterruptedException {
        loop.post(loop::finish);
        assertThat(loop.join(Duration.ofSeconds(5))).isTrue();
    }

    /// Arms `count` timers one from the other, each `STEP` after the previous; returns the nanoTime of each firing.
    private List<Long> chain(int count, Duration busyInTask) throws Exception {
        var fired = new CopyOnWriteArrayList<Long>();
        var done = new CompletableFuture<Void>();
        Runnable[] step = new Runnable[1];
        step[0] = () -> {
            fired.add(System.nanoTime());
            long until = System.nanoTime() + busyInTask.toNanos();
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            if (fired.size() == count) {
                done.complete(null);
            } else {
                loop.schedule(STEP, step[0]);
            }
        };
        loop.start();
        var start = new CompletableFuture<Long>();
        loop.post(() -> {
            start.complete(System.nanoTime());
            loop.schedule(STEP, step[0]);
        });
        done.get(10, TimeUnit.SECONDS);
        fired.addFirst(start.get());
        return fired;
    }

    @Test
    void timersFireNeverEarlyAndDoNotDrift() throws Exception {
        var fired = chain(50, Duration.ofMillis(4));
        for (int k = 1; k < fired.size(); k++) {
            assertThat(fired.get(k) - fired.getFirst()).as("timer %d is not early", k)
                    .isGreaterThanOrEqualTo(k * STEP.toNanos());
        }
        // Each task spends 4 ms before re-arming: counted from "now" the chain would end 200 ms
        // late; counted from the deadlines it ends as late as the last wake-up only. The bound
        // leaves a loaded machine 150 ms for that wake-up (40 ms failed under load).
        long late = fired.getLast() - fired.getFirst() - 50 * STEP.toNanos();
        assertThat(Duration.ofNanos(late)).isLessThan(Duration.ofMillis(150));
    }

    @Test
    void aStalledTimerCountsItsSuccessorFromNowSoNoBurstFollows() throws Exception {
        var fired = chain(5, STEP.multipliedBy(2));
        for (int k = 2; k < fired.size(); k++) {
            assertThat(fired.get(k) - fired.get(k - 1)).as("interval %d", k)
                    .isGreaterThanOrEqualTo(STEP.plus(STEP.multipliedBy(2)).toNanos());
        }
    }

    @Test
    void aTimerArmedForAReceivedDatagramCountsFromItsArrival() throws Exception {
        loop.start();
        var posted = System.nanoTime();
        var fired = new CompletableFuture<Long>();
        // The datagram arrived 500 ms before the loop got it; the timer it arms is 1 s.
        loop.postReceived(posted - Duration.ofMillis(500).toNanos(),
                () -> loop.schedule(Duration.ofSeconds(1), () -> fired.complete(System.nanoTime())));
        long after = fired.get(10, TimeUnit.SECONDS) - posted;
        assertThat(Duration.ofNanos(after)).isGreaterThanOrEqualTo(Duration.ofMillis(499))
                .isLessThan(Duration.ofMillis(900));
    }

    @Test
    void aTimersPrepareRunsShortlyBeforeItAndNotWhenCancelled() throws Exception {
        loop.start();
        int n = 5;
        var prepared = new java.util.concurrent.ConcurrentHashMap<Integer, Long>();
        var fired = new java.util.concurrent.ConcurrentHashMap<Integer, Long>();
        var cancelledPrepared = new CompletableFuture<Long>();
        var armed = new CompletableFuture<Long>();
        loop.post(() -> {
            armed.complete(System.nanoTime());
            for (int i = 0; i < n; i++) {
                int k = i;
                loop.schedule(Duration.ofMillis(200 + 50L * i), () -> fired.put(k, System.nanoTime()),
                        () -> prepared.put(k, System.nanoTime()));
            }
            var cancelled = loop.schedule(Duration.ofMillis(100), () -> { },
                    () -> cancelledPrepared.complete(System.nanoTime()));
            loop.schedule(Duration.ofMillis(50), cancelled::cancel);
        });
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (fired.size() < n && System.nanoTime() < end) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        assertThat(fired).hasSize(n);
        // A loop that wakes too late for a timer skips its preparation; not for all five.
        assertThat(prepared).as("prepared timers").isNotEmpty();
        prepared.forEach((k, at) -> {
            assertThat(at).as("timer %d prepared before it fired", k).isLessThan(fired.get(k));
            // Never far ahead: the caches it warms would be cold again (generous for a shared machine).
            assertThat(Duration.ofNanos(at - armed.join())).as("timer %d", k)
                    .isGreaterThan(Duration.ofMillis(150 + 50L * k));
        });
        assertThat(cancelledPrepared).as("a cancelled timer is not prepared").isNotDone();
    }
}
