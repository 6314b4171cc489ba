package dev.pharos.agent.vrrp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pharos.testing.Netns;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/// The lab's step-by-step clock: a pause stops the engine's timers (their remaining time is
/// kept) and holds received adverts in order, while operator actions still run.
class StepGateTest {

    private final StepGate gate = new StepGate();
    private final EngineLoop loop = new EngineLoop("step-gate-test", gate, () -> { });

    @AfterEach
    void tearDown() throws InterruptedException {
        gate.stepping(false);
        gate.speed(1);
        loop.post(loop::finish);
        assertThat(loop.join(Duration.ofSeconds(5))).isTrue();
    }

    private void pause() {
        gate.transitioned("lvs-backup", new VrrpStateChange("VI_1", 90, VrrpState.BACKUP, VrrpState.MASTER,
                "master down timer expired", Instant.now(), 98));
    }

    @Test
    void aPausedTimerKeepsItsRemainingTime() throws Exception {
        gate.stepping(true);
        loop.start();
        var armedAt = new AtomicLong();
        var firedAt = new CompletableFuture<Long>();
        var realFiredAt = new CompletableFuture<Long>();
        loop.post(() -> {
            armedAt.set(gate.nanoTime());
            loop.schedule(Duration.ofMillis(300), () -> {
                firedAt.complete(gate.nanoTime());
                realFiredAt.complete(System.nanoTime());
            });
        });
        assertThat(Netns.await(Duration.ofSeconds(5), () -> armedAt.get() != 0)).isTrue();
        pause();
        assertThat(gate.paused().director()).isEqualTo("lvs-backup");
        // Well past the timer's 300 ms: it must not fire while paused.
        assertThat(Netns.await(Duration.ofMillis(800), firedAt::isDone)).as("fired during the pause").isFalse();
        long resumedAt = System.nanoTime();
        gate.resume();
        long at = firedAt.get(10, TimeUnit.SECONDS);
        assertThat(realFiredAt.get()).isGreaterThan(resumedAt);
        assertThat(at - armedAt.get()).as("gate time from arming to firing")
                .isGreaterThanOrEqualTo(Duration.ofMillis(300).toNanos());
        assertThat(gate.paused()).isNull();
    }

    @Test
    void advertsWaitInOrderWhileOperatorActionsRun() throws Exception {
        gate.stepping(true);
        loop.start();
        var ran = new CopyOnWriteArrayList<String>();
        pause();
        loop.postReceived(System.nanoTime(), () -> ran.add("advert 1"));
        loop.post(() -> ran.add("stop"));
        loop.postReceived(System.nanoTime(), () -> ran.add("advert 2"));
        var barrier = new CompletableFuture<Void>();
        loop.post(() -> barrier.complete(null));
        barrier.get(5, TimeUnit.SECONDS);
        assertThat(ran).containsExactly("stop");

        gate.resume();
        assertThat(Netns.await(Duration.ofSeconds(5), () -> ran.size() == 3)).isTrue();
        assertThat(ran).containsExactly("stop", "advert 1", "advert 2");
    }

    @Test
    void pausesOnlyWhileStepping() throws Exception {
        loop.start();
        var seen = new CopyOnWriteArrayList<StepGate.Pause>();
        gate.onPause(seen::add);
        pause();
        assertThat(gate.paused()).isNull();
        gate.stepping(true);
        pause();
        assertThat(gate.paused()).isNotNull();
        gate.stepping(false);
        assertThat(gate.paused()).as("turning stepping off resumes").isNull();
        assertThat(seen).hasSize(1);
        assertThat(seen.getFirst().change().reason()).isEqualTo("master down timer expired");
        assertThatThrownBy(() -> StepGate.NEVER.stepping(true)).isInstanceOf(IllegalStateException.class);
        assertThat(StepGate.NEVER.paused()).isNull();
    }

    /// A transition made during a pause (the operator stopped a director) is not lost behind the
    /// one shown: Continue shows it next, and only then does time run.
    @Test
    void noTransitionPassesUnpaused() throws Exception {
        loop.start();
        var seen = new CopyOnWriteArrayList<StepGate.Pause>();
        gate.onPause(seen::add);
        gate.stepping(true);
        pause();
        gate.transitioned("lvs-master", new VrrpStateChange("VI_1", 90, VrrpState.MASTER, VrrpState.INITIALIZE,
                "shutdown", Instant.now(), 100));
        assertThat(gate.paused().director()).as("still the first").isEqualTo("lvs-backup");
        gate.resume();
        assertThat(gate.paused()).as("the second is shown before time runs").isNotNull();
        assertThat(gate.paused().director()).isEqualTo("lvs-master");
        gate.resume();
        assertThat(gate.paused()).isNull();
        assertThat(seen).extracting(StepGate.Pause::director).containsExactly("lvs-backup", "lvs-master");
    }

    /// The trainer picks the instances to pause on: another instance's transitions pass.
    @Test
    void pausesOnlyOnTheInstancesWatched() throws Exception {
        loop.start();
        gate.stepping(true);
        gate.watch(Set.of("VI_2"));
        pause(); // VI_1
        assertThat(gate.paused()).isNull();
        gate.transitioned("lvs-backup", new VrrpStateChange("VI_2", 93, VrrpState.MASTER, VrrpState.BACKUP,
                "higher priority 100 from 192.0.2.2, ours 98", Instant.now(), 98));
        assertThat(gate.paused()).isNotNull();
        assertThat(gate.paused().change().instance()).isEqualTo("VI_2");
        gate.watch(Set.of());
        gate.resume();
        pause();
        assertThat(gate.paused()).as("none named: every instance").isNotNull();
    }

    /// Slow motion: a timer counts on the gate's clock, so a faster speed set while it waits
    /// brings it nearer (the parked engine is woken to count again), and speed 0 holds it.
    @Test
    void aNewSpeedMovesAWaitingTimer() throws Exception {
        loop.start();
        gate.speed(0.25);
        var armed = new CompletableFuture<Long>();
        var fired = new CompletableFuture<Long>();
        loop.post(() -> {
            armed.complete(gate.nanoTime());
            loop.schedule(Duration.ofMillis(1500), () -> fired.complete(gate.nanoTime()));
        });
        long armedAt = armed.get(5, TimeUnit.SECONDS);
        // At 0.25 the timer is 6 s away in real time; stood still, it stays where it is.
        assertThat(Netns.await(Duration.ofMillis(300), fired::isDone)).isFalse();
        gate.speed(0);
        long heldAt = gate.nanoTime();
        assertThat(Netns.await(Duration.ofMillis(500), fired::isDone)).as("fired while the clock stood still")
                .isFalse();
        assertThat(gate.nanoTime()).isEqualTo(heldAt);
        long sped = System.nanoTime();
        gate.speed(1);
        long at = fired.get(10, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - sped)).as("real wait after the speed-up")
                .isLessThan(Duration.ofMillis(1500));
        assertThat(Duration.ofNanos(at - armedAt)).as("the timer's own time, on the gate's clock")
                .isBetween(Duration.ofMillis(1500), Duration.ofMillis(1700));
        assertThatThrownBy(() -> gate.speed(2)).isInstanceOf(IllegalArgumentException.class);

        // A thread waiting on the clock is woken by a new speed: its deadline in real time moved.
        var woken = new CompletableFuture<Long>();
        var sleeper = Thread.ofPlatform().name("step-gate-sleeper").start(() -> {
            gate.attach(Thread.currentThread());
            long start = System.nanoTime();
            LockSupport.parkNanos(Duration.ofSeconds(30).toNanos());
            woken.complete(System.nanoTime() - start);
            gate.detach(Thread.currentThread());
        });
        assertThat(Netns.await(Duration.ofSeconds(5), () -> sleeper.getState() == Thread.State.TIMED_WAITING))
                .isTrue();
        gate.speed(0.5);
        assertThat(Duration.ofNanos(woken.get(10, TimeUnit.SECONDS))).isLessThan(Duration.ofSeconds(10));
        sleeper.join(Duration.ofSeconds(5));
        assertThatThrownBy(() -> StepGate.NEVER.speed(0.5)).isInstanceOf(IllegalStateException.class);
    }
}
