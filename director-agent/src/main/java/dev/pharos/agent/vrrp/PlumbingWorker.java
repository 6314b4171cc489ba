package dev.pharos.agent.vrrp;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/// Address work (rtnetlink, gratuitous ARP) in submission order, one task at a time, on its own
/// thread so a slow kernel call never delays an advert — except a new master's first VIPs and
/// gratuitous ARPs, which the engine thread runs itself when nothing is queued ([#runNowIfIdle]),
/// as keepalived does: handing them to a parked thread cost 0.6–1 ms before the first
/// gratuitous ARP on the 2-core test VM (bench/failover), the time to wake and schedule it.
///
/// Order is kept across both ways: a task runs only while holding [#turn], and the worker polls
/// the queue under it, so an inline task never overtakes one already submitted. A task that
/// fails is logged with its description, built only then, and the work goes on.
final class PlumbingWorker {

    private static final System.Logger LOG = System.getLogger(PlumbingWorker.class.getName());
    private static final long IDLE_WAKE_NANOS = Duration.ofSeconds(1).toNanos();

    private record Queued(Supplier<String> what, VrrpInstance.PlumbingTask task) {
    }

    private final AddressPlumbing plumbing;
    private final Queue<Queued> queue = new ConcurrentLinkedQueue<>();
    private final ReentrantLock turn = new ReentrantLock();
    private final Thread thread;
    /// [#shutdown]: run what is queued, then end.
    private volatile boolean draining;
    /// [#shutdownNow]: drop what is queued, end after the running task.
    private volatile boolean dropping;

    /// @param threadStart run first on the worker's own thread (as [EngineLoop]'s)
    PlumbingWorker(String threadName, AddressPlumbing plumbing, Runnable threadStart) {
        this.plumbing = plumbing;
        thread = Thread.ofPlatform().name(threadName).daemon().unstarted(() -> {
            threadStart.run();
            run();
        });
    }

    void start() {
        thread.start();
    }

    /// Any thread: runs `task` on the worker after everything submitted before it. Ignored once
    /// the worker is shutting down.
    void execute(Supplier<String> what, VrrpInstance.PlumbingTask task) {
        if (stopped()) {
            LOG.log(Level.DEBUG, "address work after the engine stopped was not run");
            return;
        }
        queue.add(new Queued(what, task));
        LockSupport.unpark(thread);
    }

    /// Runs `task` on the calling thread if no address work is queued or running, else submits it
    /// as [#execute] does. True if it ran here.
    boolean runNowIfIdle(Supplier<String> what, VrrpInstance.PlumbingTask task) {
        if (!stopped() && queue.isEmpty() && turn.tryLock()) {
            try {
                if (queue.isEmpty()) {
                    safely(what, task);
                    return true;
                }
            } finally {
                turn.unlock();
            }
        }
        execute(what, task);
        return false;
    }

    /// Runs what is queued, then ends.
    void shutdown() {
        draining = true;
        LockSupport.unpark(thread);
    }

    /// Drops what is queued; a task already running finishes.
    void shutdownNow() {
        dropping = true;
        queue.clear();
        LockSupport.unpark(thread);
    }

    /// Waits for the thread to end; false if it did not within `deadline`.
    boolean awaitTermination(Duration deadline) throws InterruptedException {
        return !thread.isAlive() || thread.join(deadline);
    }

    private boolean stopped() {
        return draining || dropping;
    }

    private void run() {
        while (!dropping) {
            boolean ran = false;
            turn.lock();
            try {
                var queued = queue.poll();
                if (queued != null && !dropping) {
                    safely(queued.what(), queued.task());
                    ran = true;
                }
            } finally {
                turn.unlock();
            }
            if (ran) {
                continue;
            }
            if (draining && queue.isEmpty()) {
                return;
            }
            LockSupport.parkNanos(this, IDLE_WAKE_NANOS);
        }
    }

    private void safely(Supplier<String> what, VrrpInstance.PlumbingTask task) {
        try {
            task.run(plumbing);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "VIP work failed ({0}): {1}", what.get(), String.valueOf(e.getMessage()));
        }
    }
}
