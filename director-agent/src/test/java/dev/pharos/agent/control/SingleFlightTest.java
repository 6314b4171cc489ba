package dev.pharos.agent.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pharos.testing.Netns;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/// Calls share builds, and never a build that started before they arrived.
class SingleFlightTest {

    static final Duration DEADLINE = Duration.ofSeconds(20);

    /// Builds numbered from 1 that wait, while [#hold] is closed, until it opens.
    static final class Builds {
        final AtomicInteger started = new AtomicInteger();
        volatile CountDownLatch hold = new CountDownLatch(0);

        Integer build() {
            int n = started.incrementAndGet();
            try {
                hold.await(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return n;
        }
    }

    static CompletableFuture<Integer> call(SingleFlight<Integer> flight) {
        var f = new CompletableFuture<Integer>();
        Thread.ofVirtual().start(() -> {
            try {
                f.complete(flight.get());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    @Test
    void aCallThatArrivesDuringABuildGetsTheNextOneNeverTheRunningOne() throws Exception {
        var builds = new Builds();
        var flight = new SingleFlight<>(builds::build);
        builds.hold = new CountDownLatch(1);
        var first = call(flight);
        assertThat(Netns.await(DEADLINE, () -> builds.started.get() == 1)).isTrue();
        // Build 1 is running: what it reads may be older than this call, so this call waits for build 2.
        var second = call(flight);
        assertThat(Netns.await(DEADLINE, () -> flight.waiting() == 1)).isTrue();
        builds.hold.countDown();
        assertThat(first.get(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(second.get(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(flight.builds()).isEqualTo(2);
    }

    @Test
    void callsThatArriveTogetherShareOneBuild() throws Exception {
        var builds = new Builds();
        var flight = new SingleFlight<>(builds::build);
        builds.hold = new CountDownLatch(1);
        var first = call(flight);
        assertThat(Netns.await(DEADLINE, () -> builds.started.get() == 1)).isTrue();
        var together = new ArrayList<CompletableFuture<Integer>>();
        for (int i = 0; i < 8; i++) {
            together.add(call(flight));
        }
        assertThat(Netns.await(DEADLINE, () -> flight.waiting() == 8)).isTrue();
        builds.hold.countDown();
        assertThat(first.get(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1);
        var results = new ArrayList<Integer>();
        for (var f : together) {
            results.add(f.get(DEADLINE.toSeconds(), TimeUnit.SECONDS));
        }
        assertThat(results).containsOnly(2);
        assertThat(flight.builds()).isEqualTo(2);
    }

    /// A build learns how many calls share it: the caller that runs it and those that joined its
    /// round before it started (what lets a shared result be reused once each has used it).
    @Test
    void aBuildIsToldHowManyCallsShareIt() throws Exception {
        var builds = new Builds();
        var sharers = new ArrayList<Integer>();
        var flight = new SingleFlight<Integer>(n -> {
            synchronized (sharers) {
                sharers.add(n);
            }
            return builds.build();
        });
        builds.hold = new CountDownLatch(1);
        var first = call(flight);
        assertThat(Netns.await(DEADLINE, () -> builds.started.get() == 1)).isTrue();
        var together = new ArrayList<CompletableFuture<Integer>>();
        for (int i = 0; i < 5; i++) {
            together.add(call(flight));
        }
        assertThat(Netns.await(DEADLINE, () -> flight.waiting() == 5)).isTrue();
        builds.hold.countDown();
        first.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        for (var f : together) {
            f.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        }
        synchronized (sharers) {
            assertThat(sharers).containsExactly(1, 5);
        }
    }

    @Test
    void aCallWithNothingRunningBuildsAtOnce() throws Exception {
        var builds = new Builds();
        var flight = new SingleFlight<>(builds::build);
        assertThat(flight.get()).isEqualTo(1);
        assertThat(flight.get()).isEqualTo(2);
        assertThat(flight.builds()).isEqualTo(2);
    }

    @Test
    void aFailedBuildFailsItsRoundAndTheNextCallBuildsAgain() throws Exception {
        var calls = new AtomicInteger();
        var flight = new SingleFlight<Integer>(() -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("table busy");
            }
            return calls.get();
        });
        assertThatThrownBy(flight::get).isInstanceOf(IllegalStateException.class).hasMessage("table busy");
        assertThat(flight.get()).isEqualTo(2);
    }

    @Test
    void manyCallersUnderLoadEachGetABuildThatStartedAfterThem() throws Exception {
        // Each build records when it started; each caller when it called: no caller may get a
        // build that started before its call.
        var starts = new ArrayList<Long>();
        var flight = new SingleFlight<Integer>(() -> {
            synchronized (starts) {
                starts.add(System.nanoTime());
                return starts.size() - 1;
            }
        });
        var failures = new AtomicInteger();
        var threads = new ArrayList<Thread>();
        for (int t = 0; t < 8; t++) {
            threads.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 200; i++) {
                    long called = System.nanoTime();
                    try {
                        int build = flight.get();
                        synchronized (starts) {
                            if (starts.get(build) < called) {
                                failures.incrementAndGet();
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }));
        }
        for (var t : threads) {
            assertThat(t.join(DEADLINE)).isTrue();
        }
        assertThat(failures).hasValue(0);
        assertThat(flight.builds()).isLessThanOrEqualTo(1600).isEqualTo((long) List.copyOf(starts).size());
    }
}
