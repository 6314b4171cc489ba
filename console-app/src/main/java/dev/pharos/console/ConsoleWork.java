package dev.pharos.console;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import javafx.concurrent.Task;

/// The application's one executor for work that must not run on the FX thread: closing
/// connections, stopping the lab, writing files. Each piece of work is a cancellable
/// [Task] (its result and failure come back on the FX thread).
///
/// Threads are platform threads named `console-work-N`, created on demand and not daemons: when the
/// window closes, [#shutdown()] lets the closing connections finish (each bounded by its own
/// deadline) before the JVM exits, instead of cutting them off.
public final class ConsoleWork implements Executor {

    private static final System.Logger LOG = System.getLogger(ConsoleWork.class.getName());

    private final ExecutorService executor = Executors.newCachedThreadPool(
            Thread.ofPlatform().name("console-work-", 1).daemon(false).factory());

    /// Runs `task` on a `console-work` thread and returns it (to cancel or watch it).
    /// After [#shutdown()] (the application is stopping) the task is cancelled instead.
    public <T> Task<T> run(Task<T> task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException stopping) {
            LOG.log(System.Logger.Level.DEBUG, "a task was not run: the console is stopping");
            task.cancel(false);
        }
        return task;
    }

    /// A task named `title` that runs `work` (for work without a result).
    public Task<Void> run(String title, Work work) {
        return run(new Task<>() {
            {
                updateTitle(title);
            }

            @Override
            protected Void call() throws Exception {
                work.run();
                return null;
            }
        });
    }

    /// As [#run(Task)] for a task (so one handed over after shutdown is cancelled, not thrown back).
    @Override
    public void execute(Runnable command) {
        if (command instanceof Task<?> task) {
            run(task);
        } else {
            executor.execute(command);
        }
    }

    /// Takes no more work; what runs finishes, then the threads end.
    public void shutdown() {
        executor.shutdown();
    }

    /// A piece of work that may fail.
    @FunctionalInterface
    public interface Work {
        void run() throws Exception;
    }
}
