package dev.pharos.agent.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/// The slack is set on the calling thread and inherited by the threads it then creates.
class TimerSlackTest {

    @Test
    void setOnAThreadAndInheritedByItsChildren() throws Exception {
        var inChild = new AtomicLong(-1);
        var outer = Thread.ofPlatform().start(() -> {
            try {
                long before = TimerSlack.get();
                assertThat(before).isPositive();
                TimerSlack.set(1);
                assertThat(TimerSlack.get()).isEqualTo(1);
                var child = Thread.ofPlatform().start(() -> {
                    try {
                        inChild.set(TimerSlack.get());
                    } catch (NativeException e) {
                        throw new IllegalStateException(e);
                    }
                });
                child.join();
            } catch (NativeException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        outer.join(10_000);
        assertThat(inChild.get()).isEqualTo(1);
    }
}
