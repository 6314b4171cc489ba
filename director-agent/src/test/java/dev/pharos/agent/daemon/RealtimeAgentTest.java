package dev.pharos.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pharos.agent.linux.NativeException;
import dev.pharos.agent.linux.RealtimeScheduling;
import dev.pharos.testing.Netns;
import dev.pharos.testing.PharosAgent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// `vrrp_rt_priority` and `vrrp_no_swap` on a real agent: its VRRP threads (engine, receive loop,
/// address worker) and the JVM's VM Thread run under `SCHED_RR` at the configured priority, its
/// other threads stay normal, and the process is locked in memory. Without the keywords nothing
/// changes.
class RealtimeAgentTest {

    private static final String INSTANCE = """
            vrrp_instance VI_1 {
                interface eth0
                virtual_router_id 51
                priority 100
                advert_int 0.1
                virtual_ipaddress {
                    192.0.2.100
                }
            }
            """;
    private static final String[] VRRP_THREADS = {"vrrp-engine", "vrrp-rx-VI_1", "vrrp-plumbing", "VM Thread"};

    @Test
    void theVrrpThreadsRunRealTimeAndTheAgentIsLocked(@TempDir Path dir) throws Exception {
        assumeTrue(Netns.available(), "needs root and network namespaces");
        try (var net = Netns.create()) {
            var a = net.host("a", "192.0.2.1/24");
            var config = "global_defs {\n    vrrp_version 3\n    vrrp_rt_priority 20\n    vrrp_no_swap\n}\n" + INSTANCE;
            try (var agent = PharosAgent.start(a, dir, "a", config)) {
                assertThat(agent.awaitLog(Duration.ofSeconds(30), "thread vrrp-rx-VI_1 (tid")).as(agent.log()).isTrue();
                assertThat(agent.awaitLog(Duration.ofSeconds(30), "(VI_1) Entering MASTER STATE")).as(agent.log()).isTrue();
                var policies = policies(agent.pid());
                for (var name : VRRP_THREADS) {
                    assertThat(policies.get(name)).as(name + " in " + policies)
                            .isEqualTo(new RealtimeScheduling.Policy("SCHED_RR", 20, true));
                }
                // the main thread (Linux names it after the launcher) and the control channel's
                assertThat(policies.get("java")).as(policies.toString()).extracting(RealtimeScheduling.Policy::policy)
                        .isEqualTo("SCHED_OTHER");
                assertThat(policies.get("control-accept")).as(policies.toString())
                        .extracting(RealtimeScheduling.Policy::policy).isEqualTo("SCHED_OTHER");
                assertThat(policies.entrySet()).as("only the VRRP threads are real-time")
                        .filteredOn(e -> e.getValue().policy().equals("SCHED_RR")).hasSize(VRRP_THREADS.length);
                assertThat(lockedKilobytes(agent.pid())).as("VmLck").isPositive();
                assertThat(agent.log()).doesNotContain("WARNING LinuxPlatform");
            }
        }
    }

    @Test
    void withoutTheKeywordsEveryThreadIsNormalAndNothingIsLocked(@TempDir Path dir) throws Exception {
        assumeTrue(Netns.available(), "needs root and network namespaces");
        try (var net = Netns.create()) {
            var a = net.host("a", "192.0.2.1/24");
            try (var agent = PharosAgent.start(a, dir, "a", "global_defs {\n    vrrp_version 3\n}\n" + INSTANCE)) {
                assertThat(agent.awaitLog(Duration.ofSeconds(30), "(VI_1) Entering MASTER STATE")).as(agent.log()).isTrue();
                var policies = policies(agent.pid());
                assertThat(policies).containsKeys(VRRP_THREADS);
                assertThat(policies.values()).extracting(RealtimeScheduling.Policy::policy).containsOnly("SCHED_OTHER");
                assertThat(lockedKilobytes(agent.pid())).as("VmLck").isZero();
            }
        }
    }

    /// Each thread's scheduling by its name (the JVM gives Linux threads the Java thread's name).
    private static Map<String, RealtimeScheduling.Policy> policies(long pid) throws IOException {
        var out = new LinkedHashMap<String, RealtimeScheduling.Policy>();
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (var task : tasks.toList()) {
                try {
                    out.put(Files.readString(task.resolve("comm")).strip(),
                            RealtimeScheduling.of(Integer.parseInt(task.getFileName().toString())));
                } catch (IOException e) {
                    // a thread that ended while we looked (NativeException is an IOException: ESRCH)
                    if (!(e instanceof NativeException) && Files.exists(task)) {
                        throw e;
                    }
                }
            }
        }
        return out;
    }

    private static long lockedKilobytes(long pid) throws IOException {
        for (var line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmLck:")) {
                return Long.parseLong(line.substring(6).replace("kB", "").strip());
            }
        }
        throw new IOException("no VmLck in /proc/" + pid + "/status");
    }
}
