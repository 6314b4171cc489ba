package dev.pharos.agent.daemon;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/// Watches the heartbeats of the agent's components and restarts one that stalls.
///
/// keepalived runs its VRRP and checker subsystems as child processes and a parent that sends
/// them hellos every 5 s and respawns a dead one. Pharos keeps the isolation inside one JVM: each
/// component publishes the instant of its last loop ("heartbeat"); when one is older than the
/// component's allowance, the supervisor says so and runs the component's restart action. A
/// restart that itself fails is reported and tried again at the next stall, never in a tight loop.
public final class Supervisor implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Supervisor.class.getName());

    /// One supervised component.
    ///
    /// @param name      as it appears in logs (`vrrp`, `checker`, `balancer`)
    /// @param heartbeat the instant the component last showed life
    /// @param allowance how old a heartbeat may be before the component counts as stalled
    /// @param restart   brings the component back; runs on the supervisor's thread
    public record Component(String name, Supplier<Instant> heartbeat, Duration allowance, Runnable restart) {
        public Component {
            Objects.requireNonNull(name);
            Objects.requireNonNull(heartbeat);
            Objects.requireNonNull(restart);
            if (!allowance.isPositive()) {
                throw new IllegalArgumentException("allowance of " + name + " must be positive");
            }
        }
    }

    /// What the supervisor did, for the event stream and tests.
    public record Restart(String component, Duration stalledFor, Instant at, boolean succeeded, String detail) {
    }

    private final Clock clock;
    private final List<Component> components = new CopyOnWriteArrayList<>();
    private final List<Consumer<Restart>> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timer;

    public Supervisor(Clock clock) {
        this.clock = clock;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform()
                .name("supervisor").daemon().unstarted(r));
    }

    public void watch(Component component) {
        components.add(component);
    }

    public void addListener(Consumer<Restart> listener) {
        listeners.add(listener);
    }

    /// Checks every `period` from now on.
    public void start(Duration period) {
        timer.scheduleWithFixedDelay(this::checkOnce, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /// One round: restarts each component whose heartbeat is older than its allowance.
    /// Returns what was done (also delivered to listeners).
    public List<Restart> checkOnce() {
        var now = clock.instant();
        var done = new ArrayList<Restart>();
        for (var c : components) {
            Instant last;
            try {
                last = c.heartbeat().get();
            } catch (RuntimeException e) {
                last = Instant.MIN;
            }
            var age = last == Instant.MIN ? Duration.ofDays(1) : Duration.between(last, now);
            if (age.compareTo(c.allowance()) <= 0) {
                continue;
            }
            LOG.log(System.Logger.Level.WARNING, "{0} has shown no life for {1} ms (allowance {2} ms): restarting it",
                    c.name(), age.toMillis(), c.allowance().toMillis());
            Restart result;
            try {
                c.restart().run();
                result = new Restart(c.name(), age, now, true, "restarted");
                LOG.log(System.Logger.Level.WARNING, "{0} restarted", c.name());
            } catch (RuntimeException e) {
                result = new Restart(c.name(), age, now, false, String.valueOf(e.getMessage()));
                LOG.log(System.Logger.Level.ERROR, "{0} could not be restarted: {1}", c.name(), e.getMessage());
            }
            done.add(result);
            for (var l : listeners) {
                l.accept(result);
            }
        }
        return done;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
