package dev.pharos.agent.ipvs.proxy;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;

/// What the two relays' loops ([RelayLoop] on NIO, [NativeRelayLoop] on epoll) share: one named
/// platform thread each, the tasks other threads hand in ([#execute]), the count of connections
/// the loop accepted, and the rule that one connection's failing task does not stop the others.
abstract sealed class RelayThread implements Executor, AutoCloseable permits RelayLoop, NativeRelayLoop {

    private static final System.Logger LOG = System.getLogger(RelayThread.class.getName());

    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private volatile Thread thread;
    private volatile boolean open = true;
    /// Connections this loop accepted (written by its thread only; read by tests and status).
    private volatile long accepted;

    /// The loop: waits for readiness or a task, runs them, and releases what it holds once
    /// [#open()] is false.
    abstract void run();

    /// Wakes the loop's thread from its wait.
    abstract void wakeup();

    /// Starts the loop's thread; the last step of a subclass's constructor, so [#run] sees every
    /// field set.
    final void start(int index) {
        thread = Thread.ofPlatform().name("pharos-lb-relay-" + index).daemon().start(this::run);
    }

    final boolean open() {
        return open;
    }

    /// On this loop's thread: one more accepted connection.
    final void countAccepted() {
        accepted = accepted + 1;   // one writer: no lost update
    }

    final long accepted() {
        return accepted;
    }

    @Override
    public final void execute(Runnable task) {
        tasks.add(task);
        wakeup();
    }

    final boolean tasksWaiting() {
        return !tasks.isEmpty();
    }

    /// On this loop's thread: runs the tasks handed in so far.
    final void runTasks() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            try {
                task.run();
            } catch (RuntimeException e) {
                failed(e);
            }
        }
    }

    /// One connection's bug must not stop every other connection of this loop: logged, and the
    /// loop goes on.
    static void failed(RuntimeException e) {
        LOG.log(System.Logger.Level.ERROR, "TCP relay task failed", e);
    }

    /// Stops the loop and waits (5 s at most) for its thread to close what it still holds.
    @Override
    public void close() {
        open = false;
        wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
