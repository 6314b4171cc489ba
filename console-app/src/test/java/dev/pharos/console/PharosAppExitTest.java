package dev.pharos.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pharos.console.connect.DirectorEndpoint;
import dev.pharos.console.connect.Inventory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/// The whole application, headless, against two directors that accept TCP and then say nothing
/// (an SSH handshake that hangs): closing the console must not freeze it while those connections
/// give up (each [dev.pharos.console.connect.DirectorConnection#close] waits up to 5 s). The FX
/// thread's responsiveness is measured as `Platform.runLater` round trips while the application stops.
class PharosAppExitTest {

    @Test
    void stoppingWithDirectorsThatHangLeavesTheFxThreadAnswering(@TempDir Path home) throws Exception {
        assumeTrue(System.getenv("XDG_CONFIG_HOME") == null, "the inventory is found through user.home");
        var oldHome = System.getProperty("user.home");
        var accepted = new CopyOnWriteArrayList<Socket>();
        try (var silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().name("silent director").start(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept());
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            System.setProperty("user.home", home.toString());
            int port = silent.getLocalPort();
            new Inventory(List.of(new Inventory.Cluster("hanging", List.of(
                    new DirectorEndpoint("d1", "127.0.0.1", port, "root", null, null, null),
                    new DirectorEndpoint("d2", "127.0.0.1", port, "root", null, null, null)))))
                    .save(Inventory.defaultFile());

            FxToolkit.registerPrimaryStage();
            var app = FxToolkit.setupApplication(PharosApp.class);
            // both connections are now stuck waiting for the server's SSH banner
            WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> accepted.size() >= 2);

            long began = System.nanoTime();
            var stopped = CompletableFuture.runAsync(() -> {
                try {
                    FxToolkit.cleanupApplication(app);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long worst = 0;
            int roundTrips = 0;
            // Round trips until stop() has returned and for at least as long as one connection takes
            // to give up (5 s), bounded at 60 s.
            while ((!stopped.isDone() || roundTrips < 20 || System.nanoTime() - began < Duration.ofSeconds(6).toNanos())
                    && System.nanoTime() - began < Duration.ofSeconds(60).toNanos()) {
                long sent = System.nanoTime();
                var answered = new CompletableFuture<Void>();
                Platform.runLater(() -> answered.complete(null));
                answered.get(60, TimeUnit.SECONDS);
                worst = Math.max(worst, System.nanoTime() - sent);
                roundTrips++;
            }
            stopped.get(60, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(worst)).as("the longest FX round trip while the console stopped (%d round trips)",
                    roundTrips).isLessThan(Duration.ofSeconds(2));
        } finally {
            System.setProperty("user.home", oldHome);
            for (var s : accepted) {
                s.close();
            }
            FxToolkit.cleanupStages();
        }
    }
}
