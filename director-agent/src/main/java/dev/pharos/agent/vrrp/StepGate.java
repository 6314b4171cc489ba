package dev.pharos.agent.vrrp;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.DoubleConsumer;

/// The training lab's clock: stops VRRP time for a group of engines at a transition ("step by
/// step"), and runs it slower than the wall clock or not at all (slow motion).
///
/// Every engine of one lab shares one gate. While it is stepping, the first state transition of
/// an instance it watches (all, unless [#watch] names some) pauses the gate: on every engine,
/// timers stop counting (a Master_Down timer with 1.2 s left still has 1.2 s left after the
/// pause) and received adverts wait, in order, until [#resume]. Operator actions still run while
/// paused (stopping a director sends its priority 0 advert at once; its peer only reads it after
/// the pause), so a trainer can click a scenario and then walk through what follows one
/// transition at a time. A transition that happens during a pause (an operator action made it)
/// waits its turn: [#resume] shows it as the next pause before time runs again, so none passes
/// unseen.
///
/// [#speed(double)] sets how fast the clock runs against the wall clock: at 0.5 a one-second
/// Advertisement_Interval takes two seconds, and every figure on the lab's clock is still the
/// protocol's (Master_Down_Interval is 3.6 s on it, whatever the speed). At 0 it stands still as
/// during a pause, without one.
///
/// Engines on real hosts use [#NEVER], which never pauses, runs at the wall clock's speed and
/// costs one branch.
public final class StepGate {

    /// The transition a pause stopped at, and the director it happened on.
    public record Pause(String director, VrrpStateChange change) {
    }

    /// A gate for engines that must never pause.
    public static final StepGate NEVER = new StepGate(false);

    private final boolean pausable;
    private final Instant anchor = Instant.now();
    /// Threads of the engines (and the lab's clients) that wait on this clock: a resume or a
    /// change of speed unparks them, as their deadlines in real time have moved.
    private final Set<Thread> waiters = ConcurrentHashMap.newKeySet();
    private final List<Consumer<Pause>> pauseListeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> resumeListeners = new CopyOnWriteArrayList<>();
    private final List<DoubleConsumer> speedListeners = new CopyOnWriteArrayList<>();
    private volatile boolean stepping;
    private volatile Pause paused;
    /// Transitions made during the current pause, each shown in turn before time runs again.
    private final Deque<Pause> waiting = new ArrayDeque<>();
    /// The instances whose transitions pause the gate; empty for all.
    private volatile Set<String> watched = Set.of();
    /// The speed the trainer chose (1 is the wall clock's).
    private volatile double speed = 1;
    /// The clock is piecewise linear in real time: since [System#nanoTime()] `segmentReal` it has
    /// run at `rate` from `segmentLab`. A new segment starts at every pause, resume and change of
    /// speed; `rate` is 0 while paused. Guarded by `this`.
    private long segmentReal;
    private long segmentLab;
    private volatile double rate = 1;
    private final long anchorNanos;

    public StepGate() {
        this(true);
    }

    private StepGate(boolean pausable) {
        this.pausable = pausable;
        segmentReal = System.nanoTime();
        segmentLab = segmentReal;
        anchorNanos = segmentReal;
    }

    /// Turns step-by-step on or off; turning it off also resumes.
    public void stepping(boolean on) {
        if (!pausable) {
            throw new IllegalStateException("this VRRP engine cannot be paused");
        }
        stepping = on;
        if (!on) {
            resume();
        }
    }

    /// Pauses only at transitions of these instances (by name); none named: at every instance's.
    public void watch(Set<String> instances) {
        watched = Set.copyOf(instances);
    }

    /// The instances [#watch] named (empty: all).
    public Set<String> watched() {
        return watched;
    }

    /// The transition the gate is paused at, or null while time runs.
    public Pause paused() {
        return paused;
    }

    /// Sets how fast the lab's clock runs against the wall clock: 1, 0.5, 0.25… or 0, where it
    /// stands still (timers keep what they have left and received adverts wait, as in a pause).
    public void speed(double value) {
        if (!pausable) {
            throw new IllegalStateException("this VRRP engine runs on the wall clock");
        }
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException("the lab's speed is between 0 and 1, not " + value);
        }
        synchronized (this) {
            speed = value;
            rebase(paused != null ? 0 : value);
        }
        waiters.forEach(LockSupport::unpark);
        speedListeners.forEach(l -> l.accept(value));
    }

    /// How fast the lab's clock runs against the wall clock (0: it stands still).
    public double speed() {
        return speed;
    }

    /// Shows the next transition that happened during the pause, if one did (time stays still);
    /// else lets time run again, and the next transition pauses again while stepping.
    public void resume() {
        Pause next;
        synchronized (this) {
            if (paused == null) {
                return;
            }
            next = stepping ? waiting.pollFirst() : null;
            if (next != null) {
                paused = next;
            } else {
                waiting.clear();
                paused = null;
                rebase(speed);
            }
        }
        if (next != null) {
            pauseListeners.forEach(l -> l.accept(next));
            return;
        }
        waiters.forEach(LockSupport::unpark);
        resumeListeners.forEach(Runnable::run);
    }

    /// `listener` runs on the thread of the engine that paused; it must return quickly.
    public void onPause(Consumer<Pause> listener) {
        pauseListeners.add(listener);
    }

    /// `listener` runs on the thread that called [#resume].
    public void onResume(Runnable listener) {
        resumeListeners.add(listener);
    }

    /// `listener` hears each new [#speed(double)], on the thread that set it.
    public void onSpeed(DoubleConsumer listener) {
        speedListeners.add(listener);
    }

    /// Starts a new segment of the clock at `newRate` from now. Holds `this`.
    private void rebase(double newRate) {
        long real = System.nanoTime();
        segmentLab = labAt(real);
        segmentReal = real;
        rate = newRate;
    }

    private long labAt(long real) {
        return rate == 1 ? segmentLab + (real - segmentReal) : segmentLab + (long) ((real - segmentReal) * rate);
    }

    /// The engines' clock, in nanoseconds: [System#nanoTime()] on a host; in the lab, the time
    /// run at the chosen speed, left out while paused.
    public long nanoTime() {
        if (!pausable) {
            return System.nanoTime();
        }
        synchronized (this) {
            return labAt(System.nanoTime());
        }
    }

    /// How long, in real nanoseconds, `labNanos` of this clock take at its current speed
    /// ([Long#MAX_VALUE] while it stands still).
    public long realNanos(long labNanos) {
        if (!pausable) {
            return labNanos;
        }
        double r = rate;
        return r == 0 ? Long.MAX_VALUE : r == 1 ? labNanos : (long) Math.min(Long.MAX_VALUE, labNanos / r);
    }

    /// How much of this clock has passed since `realNanos` ([System#nanoTime()]), at its current
    /// speed: a datagram's arrival, counted in the engines' time.
    long labSince(long realNanos) {
        long real = System.nanoTime() - realNanos;
        if (!pausable) {
            return real;
        }
        double r = rate;
        return r == 1 ? real : (long) (real * r);
    }

    /// The engines' wall clock: the time this gate was made plus [#nanoTime()] since. In the lab,
    /// every director's transitions are stamped on this one clock, which stands still during a
    /// pause and runs slower in slow motion; so the gap between two transitions is the
    /// protocol's, not the trainer's talk.
    public Instant now() {
        return anchor.plusNanos(nanoTime() - anchorNanos);
    }

    /// [#now()] as a [Clock], in UTC: for what takes one (the agent's event journal, the console).
    /// On a host ([#NEVER]) the system's clock, which follows the host's time adjustments.
    public Clock clock() {
        return pausable ? new GateClock(this, ZoneOffset.UTC) : Clock.systemUTC();
    }

    private static final class GateClock extends Clock {
        private final StepGate gate;
        private final ZoneId zone;

        GateClock(StepGate gate, ZoneId zone) {
            this.gate = gate;
            this.zone = zone;
        }

        @Override
        public ZoneId getZone() {
            return zone;
        }

        @Override
        public Clock withZone(ZoneId other) {
            return new GateClock(gate, other);
        }

        @Override
        public Instant instant() {
            return gate.now();
        }
    }

    /// Whether this is [#NEVER]: the wall clock's time, never paused nor slowed.
    public boolean wallClock() {
        return !pausable;
    }

    /// Whether the clock stands still: a step-by-step pause, or speed 0.
    public boolean isPaused() {
        return paused != null || speed == 0;
    }

    /// Engine thread: an instance of `director` changed state; pauses the gate when stepping.
    void transitioned(String director, VrrpStateChange change) {
        var only = watched;
        if (!stepping || (!only.isEmpty() && !only.contains(change.instance()))) {
            return;
        }
        var pause = new Pause(director, change);
        synchronized (this) {
            if (paused != null) {
                // Already paused (an operator action made this one): it waits its turn.
                waiting.addLast(pause);
                return;
            }
            paused = pause;
            rebase(0);
        }
        pauseListeners.forEach(l -> l.accept(pause));
    }

    /// Keeps `thread` told of the clock: a resume or a change of speed unparks it (its deadline
    /// in real time has moved), also when it is about to park. Until [#detach].
    public void attach(Thread thread) {
        if (pausable) {
            waiters.add(thread);
        }
    }

    public void detach(Thread thread) {
        waiters.remove(thread);
    }

    /// An [#attach]ed thread waits here while the clock stands still, `maxNanos` at most (so it
    /// can show life); a resume or a new speed wakes it.
    public void awaitResume(long maxNanos) {
        if (isPaused()) {
            LockSupport.parkNanos(this, maxNanos);
        }
    }
}
