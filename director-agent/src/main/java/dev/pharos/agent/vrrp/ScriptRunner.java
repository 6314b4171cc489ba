package dev.pharos.agent.vrrp;

import dev.pharos.agent.script.RunAs;
import java.io.File;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/// Runs track and notify scripts: argv directly (no shell; a script with another user comes
/// wrapped in util-linux `setpriv` by [dev.pharos.agent.script.ScriptPolicy]), output discarded, each on its own
/// named virtual thread, at most `maxConcurrent` at once, killed (with its children) after its
/// timeout. The caller gets a future and never waits on the process.
public final class ScriptRunner {

    private static final System.Logger LOG = System.getLogger(ScriptRunner.class.getName());
    private static final Duration KILL_GRACE = Duration.ofSeconds(1);

    /// How a run ended.
    ///
    /// @param exitCode the exit status, or -1 when it did not start or timed out
    /// @param problem  empty when the script ran to its end, else what went wrong
    public record Result(int exitCode, String problem) {
        /// keepalived counts exit status 0 as success, anything else (and a timeout) as failure.
        public boolean success() {
            return exitCode == 0 && problem.isEmpty();
        }
    }

    private final Semaphore slots;

    public ScriptRunner(int maxConcurrent) {
        this.slots = new Semaphore(maxConcurrent);
    }

    /// Starts `command` and completes with its result; never completes exceptionally.
    public CompletableFuture<Result> run(List<String> command, Duration timeout) {
        var future = new CompletableFuture<Result>();
        Thread.ofVirtual().name("vrrp-script-" + RunAs.program(command)).start(() -> future.complete(runNow(command, timeout)));
        return future;
    }

    private Result runNow(List<String> command, Duration timeout) {
        try {
            if (!slots.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                return new Result(-1, "not started within " + timeout + ": too many scripts running");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
        try {
            var process = new ProcessBuilder(command)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            if (process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                return new Result(process.exitValue(), "");
            }
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            if (!process.waitFor(KILL_GRACE.toNanos(), TimeUnit.NANOSECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
            return new Result(-1, "timed out after " + timeout);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot run {0}: {1}; check the path and that it is executable",
                    RunAs.program(command), e.getMessage());
            return new Result(-1, "cannot start: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        } finally {
            slots.release();
        }
    }
}
