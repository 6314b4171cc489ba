package dev.pharos.agent.lab;

import static dev.pharos.agent.lab.LabTest.VIP1;
import static dev.pharos.agent.lab.LabTest.VIP2;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.vrrp.StepGate;
import dev.pharos.testing.Netns;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/// The lab's one clock in slow motion and standing still: the directors' timers, and the clients,
/// run on it, so a failover takes twice as long on the wall clock at 0.5x while its figures on
/// the lab's clock stay the protocol's; at speed 0 nothing happens at all.
class LabClockTest {

    /// The seed's VI_1 on lvs-backup: Master_Down_Interval = 3 × 1 s + (256 − 98) / 256 s.
    static final Duration MASTER_DOWN = Duration.ofMillis(3617);

    private static void settled(Lab lab) {
        assertThat(Netns.await(Duration.ofSeconds(20), () -> lab.holders(VIP1).equals(Set.of("lvs-master"))
                && lab.holders(VIP2).equals(Set.of("lvs-backup")))).as("dual master").isTrue();
    }

    @Test
    void atHalfSpeedAFailoverTakesTwiceAsLongOnTheWallClockAndTheProtocolsTimeOnTheLabs() throws Exception {
        try (var lab = Lab.seed()) {
            settled(lab);
            var gate = lab.stepGate();
            // The takeover is caught on the engine's thread, the moment it happens, by a pause on VI_1.
            var takeovers = new LinkedBlockingQueue<long[]>();
            var changes = new LinkedBlockingQueue<StepGate.Pause>();
            gate.onPause(p -> {
                takeovers.add(new long[] {System.nanoTime(), gate.nanoTime()});
                changes.add(p);
            });
            gate.watch(Set.of("VI_1"));
            gate.speed(0.5);
            gate.stepping(true);

            long wallAtKill = System.nanoTime();
            long labAtKill = gate.nanoTime();
            Instant labInstantAtKill = lab.now();
            lab.killDirector("lvs-master");
            var at = takeovers.poll(30, TimeUnit.SECONDS);
            assertThat(at).as("lvs-backup takes VI_1 over").isNotNull();
            var change = changes.take();
            assertThat(change.director()).isEqualTo("lvs-backup");
            assertThat(change.change().reason()).isEqualTo("master down timer expired");

            var wall = Duration.ofNanos(at[0] - wallAtKill);
            var labTime = Duration.ofNanos(at[1] - labAtKill);
            // The last advert came up to one Advertisement_Interval before the kill: on the lab's
            // clock the takeover comes between Master_Down_Interval less that and Master_Down_Interval.
            assertThat(labTime).as("kill to takeover on the lab's clock")
                    .isBetween(MASTER_DOWN.minusMillis(1100), MASTER_DOWN.plusMillis(300));
            assertThat(Duration.between(labInstantAtKill, change.change().at())).as("the transition's own stamp")
                    .isBetween(MASTER_DOWN.minusMillis(1100), MASTER_DOWN.plusMillis(300));
            assertThat(wall.toNanos() / (double) labTime.toNanos()).as("wall clock over lab clock at 0.5x")
                    .isBetween(1.9, 2.1);
            assertThat(wall).as("kill to takeover on the wall clock").isGreaterThan(Duration.ofMillis(4800));
            gate.stepping(false);
        }
    }

    @Test
    void atSpeedZeroNothingMovesAndTheClientsWait() throws Exception {
        try (var lab = Lab.seed();
                var traffic = new LabTraffic(lab, List.of(new LabTraffic.Target(VIP1, 80)), 20)) {
            settled(lab);
            var results = new AtomicInteger();
            traffic.addListener(r -> results.incrementAndGet());
            assertThat(Netns.await(Duration.ofSeconds(20), () -> results.get() > 5)).as("clients answered").isTrue();
            var gate = lab.stepGate();
            gate.speed(0);
            var frozenAt = lab.now();
            lab.killDirector("lvs-master");
            int seen = results.get();
            // Well past Master_Down_Interval on the wall clock: the lab's clock has not moved.
            assertThat(Netns.await(Duration.ofSeconds(6), () -> !lab.holders(VIP1).isEmpty()))
                    .as("nobody takes VIP1 while the lab stands still").isFalse();
            assertThat(lab.now()).isEqualTo(frozenAt);
            assertThat(results.get()).as("no request while the lab stands still (one may have been in flight)")
                    .isLessThanOrEqualTo(seen + 1);

            gate.speed(1);
            assertThat(Netns.await(Duration.ofSeconds(10), () -> lab.holders(VIP1).equals(Set.of("lvs-backup"))))
                    .as("the takeover comes once the clock runs").isTrue();
            assertThat(Netns.await(Duration.ofSeconds(10), () -> results.get() > seen + 5)).as("clients again")
                    .isTrue();
        }
    }
}
