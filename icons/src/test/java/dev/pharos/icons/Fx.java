package dev.pharos.icons;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javafx.application.Platform;

/// Starts the JavaFX toolkit once per test JVM (headless: Monocle and software Prism, from the
/// surefire argLine) and runs work on its thread.
final class Fx {
    private static final long TIMEOUT_SECONDS = 30;
    private static boolean started;

    private Fx() {
    }

    static synchronized void start() throws InterruptedException {
        if (started) {
            return;
        }
        var ready = new CountDownLatch(1);
        Platform.startup(ready::countDown);
        Platform.setImplicitExit(false);
        if (!ready.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the JavaFX toolkit did not start within " + TIMEOUT_SECONDS + " s");
        }
        started = true;
    }

    /// Runs `task` on the FX thread and returns its result, rethrowing what it threw.
    static <T> T call(Callable<T> task) throws Exception {
        start();
        var result = new CompletableFuture<T>();
        Platform.runLater(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        try {
            return result.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the FX task did not finish within " + TIMEOUT_SECONDS + " s", e);
        }
    }
}
