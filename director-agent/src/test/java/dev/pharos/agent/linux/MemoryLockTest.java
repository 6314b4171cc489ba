package dev.pharos.agent.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/// The lock limit [MemoryLock#lockAll] checks before it locks (locking itself is tested on a real
/// agent, RealtimeAgentTest: it cannot be undone in this JVM without changing every later test).
class MemoryLockTest {

    @Test
    void theLockLimitIsTheProcesssSoftLimit() throws Exception {
        var line = Files.readAllLines(Path.of("/proc/self/limits")).stream()
                .filter(l -> l.startsWith("Max locked memory")).findFirst().orElseThrow();
        var soft = line.substring("Max locked memory".length()).trim().split("\\s+")[0];
        assertThat(MemoryLock.lockLimit()).isEqualTo(soft.equals("unlimited") ? -1 : Long.parseLong(soft));
    }
}
