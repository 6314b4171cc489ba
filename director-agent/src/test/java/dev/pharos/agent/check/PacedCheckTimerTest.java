package dev.pharos.agent.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.vrrp.StepGate;
import dev.pharos.testing.Netns;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/// The training lab's checks on its clock: a check's delay takes twice as long at half speed,
/// waits while the clock stands still, and can still be called off.
class PacedCheckTimerTest {

    @Test
    void delaysCountOnTheLabsClock() throws Exception {
        var gate = new StepGate();
        try (var timer = CheckTimer.paced(CheckTimer.system(), gate::nanoTime, gate::realNanos)) {
            gate.speed(0.5);
            long start = System.nanoTime();
            long labStart = gate.nanoTime();
            var fired = new CompletableFuture<long[]>();
            timer.schedule(Duration.ofMillis(400), () -> fired.complete(new long[] {System.nanoTime(), gate.nanoTime()}));
            var at = fired.get(10, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(at[0] - start)).as("real time at 0.5x").isGreaterThan(Duration.ofMillis(750));
            assertThat(Duration.ofNanos(at[1] - labStart)).as("the lab's time").isBetween(Duration.ofMillis(400),
                    Duration.ofMillis(700));

            gate.speed(0);
            var held = new CompletableFuture<Void>();
            timer.schedule(Duration.ofMillis(100), () -> held.complete(null));
            assertThat(Netns.await(Duration.ofSeconds(1), held::isDone)).as("fired while the clock stood still")
                    .isFalse();
            var cancelled = new CompletableFuture<Void>();
            timer.schedule(Duration.ofMillis(100), () -> cancelled.complete(null)).cancel();
            gate.speed(1);
            held.get(10, TimeUnit.SECONDS);
            assertThat(Netns.await(Duration.ofMillis(600), cancelled::isDone)).as("a cancelled one ran").isFalse();
        }
    }
}
