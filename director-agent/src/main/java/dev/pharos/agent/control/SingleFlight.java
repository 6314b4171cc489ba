package dev.pharos.agent.control;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/// Shares one computation among the callers that ask for it at about the same time, without ever
/// handing a caller a result older than its call: a call joins the next build that *starts after
/// it arrived*, never one already running. While a build runs, every call that arrives waits for
/// it to end and then all of them share the one build that follows (one of them runs it).
///
/// This is what lets sixteen `state.get` clients cost about one snapshot each round, while a client
/// that calls right after generating traffic still sees that traffic (a cached snapshot would not).
///
/// @param <T> what a build makes; shared, so it must not be changed once made
public final class SingleFlight<T> {

    private final IntFunction<T> build;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /// The round that has not started yet: calls that arrive now join it. Null when none waits.
    private Round<T> next;
    private boolean building;
    private long builds;

    /// @param build makes one result; it runs on the thread of one of the callers, one at a time
    public SingleFlight(Supplier<T> build) {
        this.build = sharers -> build.get();
    }

    /// @param build makes one result, given how many calls will share it (each gets it once, unless
    ///              interrupted while it waits); it runs on the thread of one of the callers, one at a time
    public SingleFlight(IntFunction<T> build) {
        this.build = build;
    }

    /// A result built after this call arrived, shared with the calls that arrived with it.
    /// A build's exception is thrown to every caller of that round.
    public T get() throws InterruptedException {
        Round<T> mine;
        int sharers;
        lock.lock();
        try {
            if (next == null) {
                next = new Round<>();
            }
            mine = next;
            mine.callers++;
            while (building && !mine.done) {
                changed.await();
            }
            if (mine.done) {
                return mine.result();
            }
            // Nothing is building and this round has not started: this caller runs it. Calls from
            // now on belong to the round after.
            building = true;
            next = null;
            sharers = mine.callers;
        } finally {
            lock.unlock();
        }
        T result = null;
        RuntimeException failure = null;
        boolean ended = false;
        try {
            result = build.apply(sharers);
            ended = true;
        } catch (RuntimeException e) {
            failure = e;
            ended = true;
        } finally {
            lock.lock();
            try {
                mine.value = result;
                // An Error goes up this thread only; the round's others get an exception saying so.
                mine.failure = ended ? failure : new IllegalStateException("the shared build failed in another caller");
                mine.done = true;
                building = false;
                builds++;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
        return mine.result();
    }

    /// Builds run so far (for tests and the bench: shared calls make fewer builds than calls).
    public long builds() {
        lock.lock();
        try {
            return builds;
        } finally {
            lock.unlock();
        }
    }

    /// Calls waiting for a round that has not started (for tests: they can see a call has joined).
    public int waiting() {
        lock.lock();
        try {
            return next == null ? 0 : next.callers;
        } finally {
            lock.unlock();
        }
    }

    private static final class Round<T> {
        int callers;
        boolean done;
        T value;
        RuntimeException failure;

        T result() {
            if (failure != null) {
                throw failure;
            }
            return value;
        }
    }
}
