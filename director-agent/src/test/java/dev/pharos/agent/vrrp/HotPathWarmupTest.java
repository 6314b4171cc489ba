package dev.pharos.agent.vrrp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/// The engine warm-up runs its rounds without a state change (so without a log line) and stops
/// at its budget.
class HotPathWarmupTest {

    @Test
    void runsEveryRoundSilently() {
        var records = new ArrayList<String>();
        var handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= Level.INFO.intValue()) {
                    records.add(r.getLoggerName() + ": " + r.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        var vrrp = Logger.getLogger("dev.pharos.agent.vrrp");
        vrrp.addHandler(handler);
        try {
            assertThat(HotPathWarmup.run(500, Duration.ofSeconds(30))).isEqualTo(500);
        } finally {
            vrrp.removeHandler(handler);
        }
        assertThat(records).isEqualTo(List.of());
    }

    @Test
    void stopsAtItsBudget() {
        assertThat(HotPathWarmup.run(Integer.MAX_VALUE, Duration.ofMillis(200))).isPositive().isLessThan(Integer.MAX_VALUE);
    }
}
