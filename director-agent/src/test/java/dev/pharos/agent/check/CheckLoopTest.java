package dev.pharos.agent.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.testing.Netns;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/// The check loop's timers and tasks: they run on the loop thread, in due order (equal times in
/// the order they were set), and a called-off timer never runs.
class CheckLoopTest {

    private static final Duration DEADLINE = Duration.ofSeconds(10);

    @Test
    void timersRunInDueOrderOnTheLoopThread() {
        try (var loop = new CheckLoop("check-io-test")) {
            var ran = new CopyOnWriteArrayList<String>();
            var threads = new CopyOnWriteArrayList<String>();
            loop.after(40_000_000, () -> ran.add("late"));
            loop.after(0, () -> ran.add("first"));
            loop.after(0, () -> ran.add("second"));
            var calledOff = loop.after(20_000_000, () -> ran.add("called off"));
            calledOff.cancel();
            loop.after(60_000_000, () -> threads.add(Thread.currentThread().getName()));
            assertThat(Netns.await(DEADLINE, () -> threads.size() == 1)).isTrue();
            assertThat(ran).isEqualTo(List.of("first", "second", "late"));
            assertThat(threads).containsExactly("check-io-test");
        }
    }

    @Test
    void manyCalledOffTimersArePurgedAndTheRestStillRun() {
        try (var loop = new CheckLoop("check-io-test")) {
            var ran = new CopyOnWriteArrayList<Integer>();
            for (int i = 0; i < 5_000; i++) {
                var t = loop.after(Duration.ofMinutes(10).toNanos(), () -> ran.add(-1));
                t.cancel();
            }
            for (int i = 0; i < 3; i++) {
                int n = i;
                loop.after(1_000_000L * i, () -> ran.add(n));
            }
            assertThat(Netns.await(DEADLINE, () -> ran.size() == 3)).isTrue();
            assertThat(ran).containsExactly(0, 1, 2);
        }
    }

    @Test
    void aClosedLoopRefusesWork() {
        var loop = new CheckLoop("check-io-test");
        loop.close();
        Assertions.assertThrows(RejectedExecutionException.class, () -> loop.execute(() -> { }));
    }
}
