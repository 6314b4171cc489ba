package dev.pharos.agent.vrrp;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/// The engine's one platform thread: an inbox any thread may post to, and timers only that thread
/// arms and cancels. Timers fire within microseconds of their deadline: the thread parks until
/// [#SPIN_NANOS] before it and spins the rest, because a timed park wakes 50–100 µs late on an idle
/// machine and milliseconds late on a busy one (bench/failover: adverts +0.84 ms median, takeovers
/// +3–4 ms with `LinkedBlockingQueue.poll(timeout)`).
///
/// Time is the [StepGate]'s: while the gate is paused (or its speed is 0) no timer fires and
/// received adverts ([#postReceived]) are held in order; other tasks (operator actions, a stop)
/// still run. At a lower speed, deadlines on the gate's clock are further away in real time.
final class EngineLoop {

    private static final System.Logger LOG = System.getLogger(EngineLoop.class.getName());
    private static final long IDLE_WAKE_NANOS = Duration.ofSeconds(1).toNanos();
    /// Parked until this long before a deadline, then spinning: a park wakes up to ~100 µs late
    /// on a busy VM. Every µs of spin is CPU at rest (two timers a second on the seed).
    private static final long SPIN_NANOS = 200_000;
    /// A timer with a [Timer#prepare] task runs it this long before its deadline.
    private static final long PREPARE_NANOS = 600_000;

    /// A pending timer; cancelling is only allowed on the loop's thread.
    static final class Timer implements Comparable<Timer> {
        private final long deadline;
        private final long seq;
        private final Runnable task;
        private final Runnable prepare;
        private boolean cancelled;
        private boolean prepared;

        private Timer(long deadline, long seq, Runnable task, Runnable prepare) {
            this.deadline = deadline;
            this.seq = seq;
            this.task = task;
            this.prepare = prepare;
        }

        void cancel() {
            cancelled = true;
        }

        /// A timer outside any loop, for a harness that fires timers by hand ([HotPathWarmup]).
        static Timer manual(Runnable task, Runnable prepare) {
            return new Timer(0, 0, task, prepare);
        }

        boolean cancelled() {
            return cancelled;
        }

        Runnable task() {
            return task;
        }

        /// Pure work run shortly before the task, or null ([EngineLoop#schedule(Duration, Runnable, Runnable)]).
        Runnable prepare() {
            return prepare;
        }

        @Override
        public int compareTo(Timer o) {
            int c = Long.compare(deadline - o.deadline, 0);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    /// A received datagram's task: waits while the gate is paused; `receivedNanos` is
    /// [System#nanoTime()] at its arrival.
    private record Gated(Runnable task, long receivedNanos) implements Runnable {
        @Override
        public void run() {
            task.run();
        }
    }

    private final Queue<Runnable> inbox = new ConcurrentLinkedQueue<>();
    /// Gated tasks taken from the inbox during a pause, in arrival order; loop thread only.
    private final ArrayDeque<Runnable> held = new ArrayDeque<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private final StepGate gate;
    private final long realAnchorNanos = System.nanoTime();
    private final Instant anchor = Instant.now();
    private final Thread thread;
    private long timerSeq;
    private boolean firing;
    /// The deadline of the timer whose task is running, while `firing`.
    private long firingDeadline;
    private boolean finishing;
    private volatile long heartbeatNanos = realAnchorNanos;

    EngineLoop(String threadName) {
        this(threadName, StepGate.NEVER, () -> { });
    }

    /// @param threadStart run first on the loop's own thread: what only a thread can do to
    ///                    itself (real-time scheduling, `vrrp_rt_priority`)
    EngineLoop(String threadName, StepGate gate, Runnable threadStart) {
        this.gate = gate;
        thread = Thread.ofPlatform().name(threadName).daemon().unstarted(() -> {
            threadStart.run();
            run();
        });
    }

    void start() {
        thread.start();
    }

    boolean isAlive() {
        return thread.isAlive();
    }

    /// Waits for the thread to end; false if it did not within `deadline`.
    boolean join(Duration deadline) throws InterruptedException {
        return thread.join(deadline);
    }

    /// Any thread: runs `task` on the loop's thread, in posting order.
    void post(Runnable task) {
        inbox.add(task);
        LockSupport.unpark(thread);
    }

    /// Any thread: like [#post] for a datagram that arrived at `receivedNanos`
    /// ([System#nanoTime()]). Timers its task arms count from that arrival (an advert resets
    /// Master_Down_Timer when it is received, not when this thread gets to it). Held while the
    /// gate is paused; a held one counts from when it runs.
    void postReceived(long receivedNanos, Runnable task) {
        post(new Gated(task, receivedNanos));
    }

    /// Loop thread only: the loop ends once the current task returns; the rest of the inbox is dropped.
    void finish() {
        finishing = true;
    }

    /// Loop thread only.
    boolean finishing() {
        return finishing;
    }

    /// Loop thread only: runs `task` after `after`.
    ///
    /// A timer armed by a timer's task counts from that timer's deadline (one armed by a received
    /// datagram's task, from its arrival), not from when the task ran, so the adverts of a master do not drift by the wake-up latency each time (RFC 5798
    /// §6.4.3: one advert per Advertisement_Interval). Only when that deadline is `after` or more
    /// in the past (a stalled JVM) does it count from now, so a stall never causes a burst.
    Timer schedule(Duration after, Runnable task) {
        return schedule(after, task, null);
    }

    /// Loop thread only: like [#schedule(Duration, Runnable)], and runs `prepare` about
    /// [#PREPARE_NANOS] before the deadline (unless the timer is cancelled first, or the loop is
    /// already too late for it). `prepare` must be work whose result can be dropped — the part of
    /// `task` that is the same every time — so that `task` then finds its code and data in the
    /// CPU's caches: after seconds idle they are cold, and a takeover's first advert paid for it.
    Timer schedule(Duration after, Runnable task, Runnable prepare) {
        long now = gate.nanoTime();
        long base = firing && now - firingDeadline < after.toNanos() ? firingDeadline : now;
        var t = new Timer(base + after.toNanos(), timerSeq++, task, prepare);
        timers.add(t);
        return t;
    }

    /// The engine's time: the gate's clock (pauses left out).
    Instant now() {
        return gate.now();
    }

    /// When the thread last went round its loop (at least every second while alive).
    Instant lastHeartbeat() {
        return anchor.plusNanos(heartbeatNanos - realAnchorNanos);
    }

    /// Runs due timers, then the inbox; then parks until the next deadline less [#SPIN_NANOS]
    /// and spins the rest. A timer with a prepare task wakes the thread [#PREPARE_NANOS] before its
    /// deadline for it first.
    private void run() {
        gate.attach(thread);
        try {
            loop();
        } finally {
            gate.detach(thread);
        }
    }

    private void loop() {
        while (!finishing) {
            heartbeatNanos = System.nanoTime();
            boolean paused = gate.isPaused();
            long now = gate.nanoTime();
            Timer due = null;
            while (!paused && (due = timers.peek()) != null && (due.cancelled || due.deadline - now <= 0)) {
                timers.poll();
                if (!due.cancelled) {
                    firing = true;
                    firingDeadline = due.deadline;
                    safely(due.task);
                    firing = false;
                    paused = gate.isPaused(); // a transition may have paused the gate
                }
            }
            boolean worked = false;
            Runnable task;
            while (!finishing && !held.isEmpty() && !gate.isPaused()) {
                safely(held.poll());
                worked = true;
            }
            while (!finishing && (task = inbox.poll()) != null) {
                if (task instanceof Gated g && (gate.isPaused() || !held.isEmpty())) {
                    held.add(new Gated(g.task(), 0)); // its arrival time is lost in the pause
                } else if (task instanceof Gated g && g.receivedNanos() != 0) {
                    // Timers armed by it count from the arrival, as timers armed by a timer count
                    // from its deadline ([#schedule]).
                    firing = true;
                    firingDeadline = gate.nanoTime() - gate.labSince(g.receivedNanos());
                    safely(task);
                    firing = false;
                    worked = true;
                } else {
                    safely(task);
                    worked = true;
                }
            }
            worked |= !held.isEmpty() && !gate.isPaused(); // held during a pause that ended meanwhile
            if (worked || finishing) {
                continue; // a task may have armed an earlier timer
            }
            if (gate.isPaused()) {
                gate.awaitResume(IDLE_WAKE_NANOS); // a post, the resume or a new speed wakes it
            } else {
                due = timers.peek();
                // The deadline is on the gate's clock; slowed down, it is further away in real time.
                long wait = due == null ? IDLE_WAKE_NANOS
                        : Math.min(IDLE_WAKE_NANOS, gate.realNanos(due.deadline - gate.nanoTime()));
                boolean toPrepare = due != null && due.prepare != null && !due.prepared && !due.cancelled;
                long lead = toPrepare ? PREPARE_NANOS : SPIN_NANOS;
                if (toPrepare && wait <= lead) {
                    due.prepared = true;
                    if (wait > SPIN_NANOS) { // else too late: preparing would only delay the task
                        safely(due.prepare);
                    }
                } else if (wait > lead) {
                    LockSupport.parkNanos(this, wait - lead);
                } else {
                    Thread.onSpinWait();
                }
            }
            if (Thread.interrupted()) {
                LOG.log(Level.WARNING, "the VRRP engine thread was interrupted; stopping without priority 0");
                return;
            }
        }
    }

    private static void safely(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            // One bad event must not stop VRRP for every instance.
            LOG.log(Level.ERROR, "VRRP engine task failed; continuing", e);
        }
    }
}
