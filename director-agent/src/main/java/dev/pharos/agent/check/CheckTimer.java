package dev.pharos.agent.check;

import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.LongUnaryOperator;

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

    /// A timer whose delays are counted on another clock (the training lab's, which runs slower
    /// than the wall clock or stands still): a task waits on `inner` for the real time its delay
    /// takes at the clock's present speed, at most [#PACE_LOOK] at a time, and again for what is
    /// left, so a change of speed is followed.
    ///
    /// @param nanoTime  the clock, in nanoseconds
    /// @param realNanos how many real nanoseconds that many of the clock's take now
    ///                  ([Long#MAX_VALUE] while it stands still)
    static CheckTimer paced(CheckTimer inner, LongSupplier nanoTime, LongUnaryOperator realNanos) {
        return new CheckTimer() {
            @Override
            public Scheduled schedule(Duration delay, Runnable task) {
                var paced = new Scheduled() {
                    private final long deadline = nanoTime.getAsLong() + Math.max(0, delay.toNanos());
                    private volatile Scheduled current;
                    private volatile boolean cancelled;

                    void arm() {
                        if (cancelled) {
                            return;
                        }
                        long left = deadline - nanoTime.getAsLong();
                        // Due: the task runs from `inner` as it would unpaced, never on the caller's thread.
                        current = left <= 0 ? inner.schedule(Duration.ZERO, task)
                                : inner.schedule(Duration.ofNanos(Math.min(realNanos.applyAsLong(left),
                                        PACE_LOOK.toNanos())), this::arm);
                    }

                    @Override
                    public void cancel() {
                        cancelled = true;
                        var c = current;
                        if (c != null) {
                            c.cancel();
                        }
                    }
                };
                paced.arm();
                return paced;
            }

            @Override
            public void close() {
                inner.close();
            }
        };
    }

    /// How long a [#paced] timer waits at most before it looks at its clock again.
    Duration PACE_LOOK = Duration.ofMillis(250);

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
