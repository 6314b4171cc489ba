package dev.pharos.agent.vrrp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/// Address work keeps its order whichever thread runs it: inline only when nothing is pending,
/// queued behind what is; shutdown runs what is queued, shutdownNow drops it.
class PlumbingWorkerTest {

    private static final java.util.function.Supplier<String> WHAT = () -> "test work";

    private final PlumbingWorker worker = new PlumbingWorker("plumbing-test", null, () -> { });

    @AfterEach
    void tearDown() throws InterruptedException {
        worker.shutdownNow();
        assertThat(worker.awaitTermination(Duration.ofSeconds(5))).isTrue();
    }

    @Test
    void idleWorkRunsOnTheCallersThread() {
        worker.start();
        var ranOn = new CopyOnWriteArrayList<Thread>();
        assertThat(worker.runNowIfIdle(WHAT, p -> ranOn.add(Thread.currentThread()))).isTrue();
        assertThat(ranOn).containsExactly(Thread.currentThread());
    }

    @Test
    void workNeverOvertakesWhatIsPendingOrRunning() throws Exception {
        worker.start();
        var order = new CopyOnWriteArrayList<String>();
        var release = new CountDownLatch(1);
        var started = new CountDownLatch(1);
        worker.execute(WHAT, p -> {
            started.countDown();
            await(release);
            order.add("running");
        });
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        worker.execute(WHAT, p -> order.add("queued"));
        assertThat(worker.runNowIfIdle(WHAT, p -> order.add("urgent while busy"))).as("queued instead").isFalse();
        release.countDown();
        awaitCondition(() -> order.size() == 3);
        assertThat(order).containsExactly("running", "queued", "urgent while busy");
        // Idle again: the next urgent task runs at once, here.
        assertThat(worker.runNowIfIdle(WHAT, p -> order.add("urgent when idle"))).isTrue();
        assertThat(order).endsWith("urgent when idle");
    }

    @Test
    void aFailingTaskDoesNotStopTheWorkerAndOnlyAFailureIsDescribed() {
        worker.start();
        var order = new CopyOnWriteArrayList<String>();
        var described = new CopyOnWriteArrayList<String>();
        worker.execute(() -> described.add("boom") ? "boom" : "", p -> {
            throw new IllegalStateException("boom");
        });
        worker.execute(() -> described.add("io") ? "io" : "", p -> {
            throw new java.io.IOException("EPERM");
        });
        worker.execute(() -> described.add("fine") ? "fine" : "", p -> order.add("after"));
        awaitCondition(() -> order.size() == 1);
        assertThat(worker.runNowIfIdle(() -> described.add("inline") ? "inline" : "", p -> {
            throw new IllegalStateException("boom inline");
        })).isTrue();
        assertThat(described).containsExactly("boom", "io", "inline");
    }

    @Test
    void tasksRunAgainstTheWorkersPlumbing() {
        var plumbing = new dev.pharos.agent.sim.SimAddressPlumbing().forNode("n");
        var withPlumbing = new PlumbingWorker("plumbing-test-target", plumbing, () -> { });
        var seen = new CopyOnWriteArrayList<AddressPlumbing>();
        assertThat(withPlumbing.runNowIfIdle(WHAT, seen::add)).isTrue();
        assertThat(seen).containsExactly(plumbing);
    }

    @Test
    void shutdownRunsWhatIsQueuedAndShutdownNowDropsIt() throws Exception {
        var order = new CopyOnWriteArrayList<String>();
        var drained = new PlumbingWorker("plumbing-test-drain", null, () -> { });
        for (var s : List.of("a", "b", "c")) {
            drained.execute(WHAT, p -> order.add(s));
        }
        drained.start();
        drained.shutdown();
        assertThat(drained.awaitTermination(Duration.ofSeconds(10))).isTrue();
        assertThat(order).containsExactly("a", "b", "c");
        drained.execute(WHAT, p -> order.add("late"));
        assertThat(order).containsExactly("a", "b", "c");

        var dropped = new PlumbingWorker("plumbing-test-drop", null, () -> { });
        var release = new CountDownLatch(1);
        var started = new CountDownLatch(1);
        dropped.execute(WHAT, p -> {
            started.countDown();
            await(release);
            order.add("running");
        });
        dropped.execute(WHAT, p -> order.add("dropped"));
        dropped.start();
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        dropped.shutdownNow();
        release.countDown();
        assertThat(dropped.awaitTermination(Duration.ofSeconds(10))).isTrue();
        assertThat(order).containsExactly("a", "b", "c", "running");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitCondition(java.util.function.BooleanSupplier condition) {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < end) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        assertThat(condition.getAsBoolean()).as("condition within 10 s").isTrue();
    }
}
