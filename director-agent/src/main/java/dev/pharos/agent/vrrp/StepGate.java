package dev.pharos.agent.vrrp;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/// Stops VRRP time for a group of engines, for teaching: the training lab's "step by step" mode.
///
/// Every engine of one lab shares one gate. While it is stepping, the first state transition of
/// an instance it watches (all, unless [#watch] names some) pauses the gate: on every engine,
/// timers stop counting (a Master_Down timer with 1.2 s left still has 1.2 s left after the
/// pause) and received adverts wait, in order, until [#resume]. Operator actions still run while paused (stopping a director sends its priority 0
/// advert at once; its peer only reads it after the pause), so a trainer can click a scenario and
/// then walk through what follows one transition at a time. A transition that happens during a
/// pause (an operator action made it) waits its turn: [#resume] shows it as the next pause
/// before time runs again, so none passes unseen.
///
/// Engines on real hosts use [#NEVER], which never pauses and costs nothing.
public final class StepGate {

    /// The transition a pause stopped at, and the director it happened on.
    public record Pause(String director, VrrpStateChange change) {
    }

    /// A gate for engines that must never pause.
    public static final StepGate NEVER = new StepGate(false);

    private final boolean pausable;
    private final long anchorNanos = System.nanoTime();
    private final Instant anchor = Instant.now();
    private final Set<Thread> waiters = ConcurrentHashMap.newKeySet();
    private final List<Consumer<Pause>> pauseListeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> resumeListeners = new CopyOnWriteArrayList<>();
    private volatile boolean stepping;
    private volatile Pause paused;
    /// Transitions made during the current pause, each shown in turn before time runs again.
    private final Deque<Pause> waiting = new ArrayDeque<>();
    /// The instances whose transitions pause the gate; empty for all.
    private volatile Set<String> watched = Set.of();
    /// Real nanoseconds spent paused before the current pause, and when the current one began.
    private long pausedTotal;
    private long pausedSince;

    public StepGate() {
        this(true);
    }

    private StepGate(boolean pausable) {
        this.pausable = pausable;
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
                pausedTotal += System.nanoTime() - pausedSince;
                paused = null;
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

    /// The engines' clock: [System#nanoTime()] less the time spent paused, frozen during a pause.
    long nanoTime() {
        if (!pausable) {
            return System.nanoTime();
        }
        synchronized (this) {
            return (paused != null ? pausedSince : System.nanoTime()) - pausedTotal;
        }
    }

    /// The engines' wall clock: the time this gate was made plus [#nanoTime()] since. In the lab,
    /// every director's transitions are stamped on this one clock, which stands still during a
    /// pause; so the gap between two transitions is the protocol's, not the trainer's talk.
    public Instant now() {
        return anchor.plusNanos(nanoTime() - anchorNanos);
    }

    boolean isPaused() {
        return paused != null;
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
            pausedSince = System.nanoTime();
            paused = pause;
        }
        pauseListeners.forEach(l -> l.accept(pause));
    }

    /// An engine thread waits here for [#resume] (or `maxNanos`, so it can show life).
    void awaitResume(long maxNanos) {
        var self = Thread.currentThread();
        waiters.add(self);
        try {
            if (paused != null) {
                LockSupport.parkNanos(this, maxNanos);
            }
        } finally {
            waiters.remove(self);
        }
    }
}
