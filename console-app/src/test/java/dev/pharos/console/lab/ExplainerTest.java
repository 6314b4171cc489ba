package dev.pharos.console.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.api.AgentEvent;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ExplainerTest {

    static AgentEvent.VrrpTransition t(String from, String to, String reason, int priority, Instant at) {
        return new AgentEvent.VrrpTransition(1, at, "VI_1", 90, from, to, reason, priority);
    }

    @Test
    void aCrashIsMasterDownInterval() {
        var text = Explainer.once("lvs-backup", t("BACKUP", "MASTER", "master down timer expired", 98, Instant.now()));
        assertThat(text).contains("Master_Down_Interval = 3 × 1.00 s + Skew_Time 0.62 s = 3.62 s");
    }

    @Test
    void aGracefulStopIsSkewTime() {
        var e = new Explainer();
        var now = Instant.now();
        e.explain("lvs-master", t("MASTER", "INITIALIZE", "shutdown", 100, now), Duration.ofSeconds(1));
        var text = e.explain("lvs-backup", t("BACKUP", "MASTER", "master down timer expired", 98, now.plusMillis(300)),
                Duration.ofSeconds(1));
        assertThat(text).contains("priority 0").contains("Skew_Time = (256 − 98)/256 × 1.00 s = 0.62 s");
    }

    @Test
    void preemptionSaysWhoWins() {
        var text = Explainer.once("lvs-backup", t("MASTER", "BACKUP", "higher priority 100 from 192.0.2.1, ours 98", 98,
                Instant.now()));
        assertThat(text).contains("higher priority").contains("preemption");
    }
}
