package dev.pharos.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javafx.concurrent.Worker;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/// The application's executor: work runs on named platform threads that are not daemons, and
/// shutting it down lets running work finish (closing connections at exit) rather than cutting it off.
class ConsoleWorkTest {

    @Test
    void workRunsOnNamedThreadsAndFinishesAfterShutdown() throws Exception {
        FxToolkit.registerPrimaryStage();
        var work = new ConsoleWork();
        var ran = new CompletableFuture<Thread>();
        var release = new CountDownLatch(1);
        var task = WaitForAsyncUtils.asyncFx(() -> work.run("holding", () -> {
            ran.complete(Thread.currentThread());
            release.await();
        })).get(30, TimeUnit.SECONDS);
        var thread = ran.get(30, TimeUnit.SECONDS);
        assertThat(thread.getName()).startsWith("console-work-");
        assertThat(thread.isDaemon()).as("keeps the JVM up until the work is done").isFalse();
        assertThat(WaitForAsyncUtils.asyncFx(task::getTitle).get(30, TimeUnit.SECONDS)).isEqualTo("holding");

        work.shutdown();
        assertThat(thread.isAlive()).as("shutdown does not interrupt running work").isTrue();
        release.countDown();
        assertThat(thread.join(Duration.ofSeconds(30))).as("the idle thread ends after shutdown").isTrue();
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS,
                () -> WaitForAsyncUtils.asyncFx(task::getState).get() == Worker.State.SUCCEEDED);
    }
}
