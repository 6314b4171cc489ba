package dev.pharos.agent.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/// `SCHED_RR` is set on one thread, not on the process; what that thread starts (a thread, a
/// process) runs as a normal one (`SCHED_RESET_ON_FORK`). Each test changes only threads it
/// created and that end with it.
class RealtimeSchedulingTest {

    private static final RealtimeScheduling.Policy NORMAL = new RealtimeScheduling.Policy("SCHED_OTHER", 0, false);

    /// Runs `body` on a new platform thread and returns its result.
    private static <T> T onNewThread(ThrowingSupplier<T> body) throws Exception {
        var result = new CompletableFuture<T>();
        Thread.ofPlatform().name("rt-test").start(() -> {
            try {
                result.complete(body.get());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result.get(30, TimeUnit.SECONDS);
    }

    private interface ThrowingSupplier<T> {
        T get() throws Exception;
    }

    @Test
    void onlyTheCallingThreadBecomesRealTime() throws Exception {
        assumeTrue(Libc.geteuid() == 0, "needs CAP_SYS_NICE (root)");
        var before = RealtimeScheduling.current();
        var inside = onNewThread(() -> {
            RealtimeScheduling.roundRobin(7);
            return RealtimeScheduling.current();
        });
        assertThat(inside).isEqualTo(new RealtimeScheduling.Policy("SCHED_RR", 7, true));
        assertThat(RealtimeScheduling.current()).isEqualTo(before);
    }

    @Test
    void threadsAndProcessesItStartsAreNormal() throws Exception {
        assumeTrue(Libc.geteuid() == 0, "needs CAP_SYS_NICE (root)");
        var child = new AtomicReference<RealtimeScheduling.Policy>();
        var stat = onNewThread(() -> {
            RealtimeScheduling.roundRobin(7);
            var t = Thread.ofPlatform().start(() -> {
                try {
                    child.set(RealtimeScheduling.current());
                } catch (NativeException e) {
                    throw new IllegalStateException(e);
                }
            });
            t.join(30_000);
            var p = new ProcessBuilder("cat", "/proc/self/stat").redirectErrorStream(true).start();
            var out = new String(p.getInputStream().readAllBytes());
            p.waitFor(30, TimeUnit.SECONDS);
            return out;
        });
        assertThat(child.get()).isEqualTo(NORMAL);
        // /proc/PID/stat: after "(comm)", field 40 is rt_priority and 41 the policy (0: SCHED_OTHER).
        var fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        assertThat(fields[40 - 3]).as("rt_priority of " + stat).isEqualTo("0");
        assertThat(fields[41 - 3]).as("policy of " + stat).isEqualTo("0");
    }

    @Test
    void anotherThreadByItsId() throws Exception {
        assumeTrue(Libc.geteuid() == 0, "needs CAP_SYS_NICE (root)");
        var tid = new CompletableFuture<Integer>();
        var release = new CompletableFuture<Void>();
        var target = Thread.ofPlatform().start(() -> {
            tid.complete(RealtimeScheduling.threadId());
            release.join();
        });
        try {
            int id = tid.get(30, TimeUnit.SECONDS);
            assertThat(RealtimeScheduling.of(id)).isEqualTo(NORMAL);
            RealtimeScheduling.roundRobin(id, 3);
            assertThat(RealtimeScheduling.of(id)).isEqualTo(new RealtimeScheduling.Policy("SCHED_RR", 3, true));
        } finally {
            release.complete(null);
            target.join(30_000);
        }
    }

    @Test
    void theJvmsOwnThreadsAreFoundByName() throws Exception {
        var vm = RealtimeScheduling.jvmThread("VM Thread");
        assertThat(vm).isPresent();
        assertThat(Files.readString(Path.of("/proc/self/task/" + vm.getAsInt() + "/comm")).strip()).isEqualTo("VM Thread");
        assertThat(RealtimeScheduling.jvmThread("no such thread")).isEmpty();
    }

    @Test
    void aPriorityOutsideSchedRrIsRefused() {
        assertThatThrownBy(() -> RealtimeScheduling.roundRobin(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("outside 1–99");
        assertThatThrownBy(() -> RealtimeScheduling.roundRobin(100)).isInstanceOf(IllegalArgumentException.class);
    }
}
