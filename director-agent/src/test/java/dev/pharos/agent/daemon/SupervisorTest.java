package dev.pharos.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SupervisorTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void aFreshComponentIsLeftAloneAndAStalledOneIsRestartedOnce() {
        var now = new AtomicReference<>(T0);
        var clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        var beat = new AtomicReference<>(T0);
        var restarts = new AtomicInteger();
        try (var supervisor = new Supervisor(clock)) {
            supervisor.watch(new Supervisor.Component("vrrp", beat::get, Duration.ofSeconds(3), () -> {
                restarts.incrementAndGet();
                beat.set(now.get());
            }));
            now.set(T0.plusSeconds(2));
            assertThat(supervisor.checkOnce()).isEmpty();

            now.set(T0.plusSeconds(5));
            var done = supervisor.checkOnce();
            assertThat(done).singleElement().satisfies(r -> {
                assertThat(r.component()).isEqualTo("vrrp");
                assertThat(r.succeeded()).isTrue();
                assertThat(r.stalledFor()).isEqualTo(Duration.ofSeconds(5));
            });
            assertThat(restarts).hasValue(1);
            assertThat(supervisor.checkOnce()).as("the restart refreshed the heartbeat").isEmpty();
        }
    }

    @Test
    void aFailingRestartIsReportedAndTheSupervisorKeepsGoing() {
        var clock = Clock.fixed(T0.plusSeconds(60), ZoneOffset.UTC);
        try (var supervisor = new Supervisor(clock)) {
            supervisor.watch(new Supervisor.Component("checker", () -> T0, Duration.ofSeconds(10), () -> {
                throw new IllegalStateException("socket in use");
            }));
            var healthy = new AtomicInteger();
            supervisor.watch(new Supervisor.Component("balancer", clock::instant, Duration.ofSeconds(10),
                    healthy::incrementAndGet));
            var done = supervisor.checkOnce();
            assertThat(done).singleElement().satisfies(r -> {
                assertThat(r.succeeded()).isFalse();
                assertThat(r.detail()).isEqualTo("socket in use");
            });
            assertThat(healthy).hasValue(0);
        }
    }
}
