package dev.pharos.agent.ipvs.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/// The cap's log on a fake clock: one line at the first refusal, then one per 10 s with the count.
class CapLogTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final AtomicLong clock = new AtomicLong(1_000 * SECOND);
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Logger jul = Logger.getLogger(UserspaceBalancer.class.getName());
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getMessage().contains("reached its cap")) {
                lines.add(r.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void capture() {
        jul.addHandler(handler);
    }

    @AfterEach
    void release() {
        jul.removeHandler(handler);
    }

    @Test
    void theFirstRefusalIsLoggedAtOnceAndAFloodInOneLinePerWindow() {
        var log = new CapLog("virtual server TCP 192.0.2.10:80", clock::get);
        log.refused(50);
        assertThat(lines).containsExactly("virtual server TCP 192.0.2.10:80 reached its cap of 50 connections;"
                + " refusing new ones (1 refused in the last 10 s)");
        for (int i = 0; i < 999; i++) {
            clock.addAndGet(SECOND / 100);   // 999 refusals over 9.99 s
            log.refused(50);
        }
        assertThat(lines).hasSize(1);
        clock.addAndGet(SECOND / 100);
        log.refused(50);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).endsWith("(1000 refused in the last 10 s)");
    }

    @Test
    void refusalsThatStopBeforeTheWindowEndsAreLoggedByTheTick() {
        var log = new CapLog("the user-space balancer (all virtual servers)", clock::get);
        log.refused(8);
        log.refused(8);
        log.refused(8);
        log.flush(8);
        assertThat(lines).hasSize(1);
        clock.addAndGet(10 * SECOND);
        log.flush(8);
        assertThat(lines).containsExactly(
                "the user-space balancer (all virtual servers) reached its cap of 8 connections; refusing new ones"
                        + " (1 refused in the last 10 s)",
                "the user-space balancer (all virtual servers) reached its cap of 8 connections; refusing new ones"
                        + " (2 refused in the last 10 s)");
        clock.addAndGet(60 * SECOND);
        log.flush(8);
        assertThat(lines).as("no refusals, no line").hasSize(2);
        log.refused(8);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(2)).endsWith("(1 refused in the last 10 s)");
    }
}
