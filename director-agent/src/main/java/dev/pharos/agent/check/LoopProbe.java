package dev.pharos.agent.check;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/// A probe that can run its attempt on a [CheckLoop] without a thread of its own: [#start]
/// returns at once and the result is handed to `done`, once, on the loop thread.
interface LoopProbe extends Probe {

    /// Whether this probe's attempts run on the loop; when not, [#attempt()] blocks as any probe's.
    boolean onLoop();

    /// Starts one attempt; `done` gets its result on the loop thread. Only when [#onLoop()].
    void start(Consumer<ProbeResult> done);

    /// [#start] and wait for the result, for a caller that has a thread to block: `limit` is
    /// the probe's own deadline, a second more is the backstop.
    static ProbeResult await(LoopProbe probe, Duration limit) {
        var result = new CompletableFuture<ProbeResult>();
        probe.start(result::complete);
        try {
            return result.get(limit.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ProbeResult.down("interrupted");
        } catch (TimeoutException e) {
            return ProbeResult.down("no result within " + Failures.seconds(limit.plusSeconds(1)));
        } catch (ExecutionException e) {
            return ProbeResult.down("internal error: " + e.getCause());
        }
    }
}
