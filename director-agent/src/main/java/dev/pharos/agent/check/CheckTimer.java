package dev.pharos.agent.check;

import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/// When the scheduler's next attempts start. The real one is one named platform thread that only
/// hands attempts to the probe executor; tests drive a manual one to check the timing rules.
interface CheckTimer extends AutoCloseable {

    /// A scheduled task that can still be called off.
    interface Scheduled {
        void cancel();
    }

    Scheduled schedule(Duration delay, Runnable task);

    @Override
    void close();

    /// A timer on `loop`'s thread, where network checks run too: a due check starts its
    /// connection without a thread hand-off. Closing the timer closes the loop.
    static CheckTimer on(CheckLoop loop) {
        return new CheckTimer() {
            @Override
            public Scheduled schedule(Duration delay, Runnable task) {
                return loop.after(delay.toNanos(), task)::cancel;
            }

            @Override
            public void close() {
                loop.close();
            }
        };
    }

    /// A timer of its own thread.
    static CheckTimer system() {
        var executor = new ScheduledThreadPoolExecutor(1, r -> {
            var t = new Thread(r, "check-timer");
            t.setDaemon(true);
            return t;
        });
        // Thousands of checks are cancelled on a reload: do not keep them queued until due.
        executor.setRemoveOnCancelPolicy(true);
        return new CheckTimer() {
            @Override
            public Scheduled schedule(Duration delay, Runnable task) {
                var future = executor.schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
                return () -> future.cancel(false);
            }

            @Override
            public void close() {
                executor.shutdownNow();
            }
        };
    }
}
