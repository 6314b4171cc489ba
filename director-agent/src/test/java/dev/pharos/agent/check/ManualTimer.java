package dev.pharos.agent.check;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.PriorityQueue;

/// A [CheckTimer] on virtual time: tasks run when a test advances the time past them, in order.
final class ManualTimer implements CheckTimer {

    private record Entry(long due, long seq, Runnable task, boolean[] cancelled) {
    }

    private final PriorityQueue<Entry> queue = new PriorityQueue<>((a, b) ->
            a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));
    private long now;
    private long seq;

    /// Milliseconds of virtual time since the start.
    long nowMillis() {
        return now / 1_000_000;
    }

    Clock clock() {
        return new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.EPOCH.plusNanos(now);
            }
        };
    }

    @Override
    public Scheduled schedule(Duration delay, Runnable task) {
        var cancelled = new boolean[1];
        queue.add(new Entry(now + Math.max(0, delay.toNanos()), seq++, task, cancelled));
        return () -> cancelled[0] = true;
    }

    /// Runs every task due within `d`, then sets the time to the end of `d`.
    void advance(Duration d) {
        long target = now + d.toNanos();
        for (int i = 0; i < 1_000_000 && !queue.isEmpty() && queue.peek().due <= target; i++) {
            var e = queue.poll();
            now = e.due;
            if (!e.cancelled[0]) {
                e.task.run();
            }
        }
        now = target;
    }

    int pending() {
        return (int) queue.stream().filter(e -> !e.cancelled[0]).count();
    }

    @Override
    public void close() {
        queue.clear();
    }
}
