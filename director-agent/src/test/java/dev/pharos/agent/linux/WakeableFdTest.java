package dev.pharos.agent.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/// Calls from several threads at once; close wakes a waiting call and frees the descriptor only
/// once no call holds it.
class WakeableFdTest {

    @Test
    void closeWakesAWaiterAndWaitsForEveryCall() throws Exception {
        var wfd = WakeableFd.of(Libc.eventfd()); // never readable: only close can wake a wait on it
        var waiting = new CountDownLatch(1);
        // Own threads: the common pool may have a single one on a small machine.
        var threads = java.util.concurrent.Executors.newFixedThreadPool(2);
        var waiter = CompletableFuture.supplyAsync(() -> {
            if (!wfd.acquire()) {
                return "not acquired";
            }
            try {
                waiting.countDown();
                return wfd.awaitReadable(Duration.ofSeconds(30)) ? "readable" : "woken";
            } catch (NativeException e) {
                return e.getMessage();
            } finally {
                wfd.release();
            }
        }, threads);
        assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
        // A second caller beside the waiter, as the engine's sends are beside the receive loop.
        assertThat(wfd.acquire()).isTrue();
        var closer = CompletableFuture.runAsync(wfd::close, threads);
        assertThat(waiter.get(10, TimeUnit.SECONDS)).isEqualTo("woken");
        assertThat(closer).as("close waits for the call still held").isNotDone();
        assertThat(wfd.acquire()).as("no new call once closing").isFalse();
        wfd.release();
        closer.get(10, TimeUnit.SECONDS);
        assertThat(wfd.acquire()).isFalse();
        wfd.close(); // idempotent
        threads.shutdown();
        assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
}
