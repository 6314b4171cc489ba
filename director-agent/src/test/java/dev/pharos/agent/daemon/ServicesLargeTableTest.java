package dev.pharos.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.config.ConfigLoader;
import dev.pharos.agent.control.EventJournal;
import dev.pharos.agent.ipvs.proxy.UserspaceBackend;
import dev.pharos.agent.ipvs.proxy.UserspaceBalancer;
import dev.pharos.agent.vrrp.ScriptRunner;
import dev.pharos.testing.Netns;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/// Ten thousand real servers without checkers report their initial state (up) at once. The
/// service table takes the reports in batches and its thread is free again within seconds. It
/// used to copy the whole health view once per report: its thread stayed busy past the
/// supervisor's 30 s allowance, which restarted it, which started the reports over, and the
/// copies' garbage brought full collections that stopped the VRRP engine as well.
class ServicesLargeTableTest {

    @Test
    void tenThousandInitialReportsLeaveTheServiceTableThreadFreeWithinSeconds() throws Exception {
        var text = new StringBuilder();
        for (int v = 0; v < 10; v++) {
            // Ports below the ephemeral range, which other tests' clients use.
            text.append("virtual_server 192.0.2.100 ").append(23_080 + v).append(" {\n    lb_algo rr\n")
                    .append("    lb_kind NAT\n    protocol TCP\n");
            for (int r = 0; r < 1_000; r++) {
                text.append("    real_server 198.51.100.").append(1 + r / 250).append(' ').append(10_000 + r % 250)
                        .append(" {\n        weight 1\n    }\n");
            }
            text.append("}\n");
        }
        var config = ConfigLoader.parse(Path.of("large.conf"), text.toString(), "test").config();
        var services = new Services(new UserspaceBackend(new UserspaceBalancer()), "test",
                new EventJournal(Clock.systemUTC(), 100), new ScriptRunner(1));
        try {
            services.apply(config); // returns once the table is in place; the reports follow on its thread
            var applied = Instant.now();
            // The periodic tick runs only when the thread has worked through the reports.
            assertThat(Netns.await(Duration.ofSeconds(15), () -> services.lastTick().isAfter(applied)))
                    .as("the service table's thread took the 10,000 initial reports within 15 s").isTrue();
            assertThat(services.realServers().values().stream().mapToLong(m -> m.size()).sum()).isEqualTo(10_000);
        } finally {
            services.close();
        }
    }
}
