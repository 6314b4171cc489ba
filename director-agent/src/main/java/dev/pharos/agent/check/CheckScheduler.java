package dev.pharos.agent.check;

import dev.pharos.agent.api.Addresses;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.LongUnaryOperator;
import java.util.random.RandomGenerator;

/// Runs every check of a [CheckPlan] and reports real servers going up, down or changing weight.
///
/// Each checker runs on its own schedule: the first attempt after a random delay in
/// `[0, warmup]` (warmup defaults to delay_loop, so thousands of checks spread over one
/// delay_loop instead of starting together), then as [CheckerState] decides. At most
/// `maxConcurrent` attempts run at once (a semaphore), each bounded by its probe's own deadline.
/// One platform thread, a [CheckLoop], keeps the timers and runs `TCP_CHECK` and plain `HTTP_GET`
/// attempts as non-blocking exchanges; the others (TLS, MISC_CHECK, DNS_CHECK, and network checks
/// waiting for a free slot) block on virtual threads. A real server is up when all its checks
/// are up. [#apply] with a new plan (a reload) keeps the state and timer of every check that is
/// unchanged (timing aside), starts new ones and stops removed ones.
///
/// MISC_CHECK is timed from the start of the previous run, as keepalived does; the other
/// checkers from its end.
public final class CheckScheduler implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(CheckScheduler.class.getName());
    /// Attempts in flight at once, by default; each holds at most one socket or process.
    public static final int DEFAULT_MAX_CONCURRENT = 1024;

    private final CheckListener listener;
    private final Clock clock;
    private final CheckTimer timer;
    private final ExecutorService executor;
    private final Function<CheckSpec, Probe> probes;
    private final RandomGenerator random;
    private final Semaphore slots;
    private final Map<RealServerId, Server> servers = new LinkedHashMap<>();
    private boolean closed;

    /// A scheduler with the system clock and timer, attempts on virtual threads, the real probes.
    public CheckScheduler(CheckListener listener) {
        this(listener, DEFAULT_MAX_CONCURRENT);
    }

    /// As [#CheckScheduler(CheckListener)], with at most `maxConcurrent` attempts in flight.
    public CheckScheduler(CheckListener listener, int maxConcurrent) {
        this(listener, new CheckLoop("check-io"), maxConcurrent);
    }

    /// A scheduler on another clock (the training lab's): checks' delays and intervals count on
    /// it, so they slow down and stand still with it; results are stamped with `clock`. A probe's
    /// own timeout stays in real time (it waits on a real socket).
    ///
    /// @param nanoTime  the clock, in nanoseconds
    /// @param realNanos how many real nanoseconds that many of the clock's take now
    public CheckScheduler(CheckListener listener, Clock clock, LongSupplier nanoTime, LongUnaryOperator realNanos) {
        this(listener, new CheckLoop("check-io"), clock, nanoTime, realNanos);
    }

    private CheckScheduler(CheckListener listener, CheckLoop loop, Clock clock, LongSupplier nanoTime,
            LongUnaryOperator realNanos) {
        this(listener, clock, CheckTimer.paced(CheckTimer.on(loop), nanoTime, realNanos),
                Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("check-", 0).factory()),
                spec -> Probe.of(spec, loop), RandomGenerator.getDefault(), DEFAULT_MAX_CONCURRENT);
    }

    private CheckScheduler(CheckListener listener, CheckLoop loop, int maxConcurrent) {
        this(listener, Clock.systemUTC(), CheckTimer.on(loop),
                Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("check-", 0).factory()),
                spec -> Probe.of(spec, loop), RandomGenerator.getDefault(), maxConcurrent);
    }

    CheckScheduler(CheckListener listener, Clock clock, CheckTimer timer, ExecutorService executor,
            Function<CheckSpec, Probe> probes, RandomGenerator random, int maxConcurrent) {
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException("maxConcurrent must be at least 1, not " + maxConcurrent);
        }
        this.listener = Objects.requireNonNull(listener, "listener");
        this.clock = clock;
        this.timer = timer;
        this.executor = executor;
        this.probes = probes;
        this.random = random;
        this.slots = new Semaphore(maxConcurrent);
    }

    /// Starts checking `plan`'s real servers, or moves to a new plan (a reload). Each real server
    /// new to the scheduler gets one event with its initial state: up, or down with `alpha`.
    public synchronized void apply(CheckPlan plan) {
        if (closed) {
            throw new IllegalStateException("the check scheduler is closed");
        }
        var now = clock.instant();
        var next = new LinkedHashMap<RealServerId, Server>();
        for (var rsPlan : plan.realServers()) {
            if (next.containsKey(rsPlan.id())) {
                LOG.log(Level.WARNING, "real server {0} is listed twice; checking the first one only", rsPlan.id());
                continue;
            }
            var old = servers.remove(rsPlan.id());
            if (old != null && old.plan == rsPlan) {
                // The same plan object (its virtual server's block did not change): its checkers,
                // probes and health stand as they are.
                next.put(rsPlan.id(), old);
                continue;
            }
            var server = old != null ? old : new Server(rsPlan, now);
            var unused = old != null ? new ArrayList<>(old.checkers) : new ArrayList<Checker>();
            var checkers = new ArrayList<Checker>();
            for (var spec : rsPlan.checks()) {
                var kept = unused.stream().filter(c -> c.spec.sameCheck(spec)).findFirst();
                if (kept.isPresent()) {
                    unused.remove(kept.get());
                    kept.get().spec = spec;
                    kept.get().probe = probes.apply(spec);
                    checkers.add(kept.get());
                } else {
                    var checker = new Checker(server, spec, probes.apply(spec));
                    checkers.add(checker);
                    var warmup = spec.timing().warmup();
                    schedule(checker, warmup.isZero() ? Duration.ZERO
                            : Duration.ofNanos(random.nextLong(warmup.toNanos() + 1)));
                }
            }
            unused.forEach(Checker::cancel);
            server.plan = rsPlan;
            server.checkers = checkers;
            next.put(rsPlan.id(), server);
            if (old == null) {
                server.recompute(now);
                emit(server.up ? new CheckEvent.RealServerUp(server.plan.id(), now)
                        : new CheckEvent.RealServerDown(server.plan.id(), server.reason, now));
            } else {
                update(server, now);
            }
        }
        for (var removed : servers.values()) {
            removed.checkers.forEach(Checker::cancel);
        }
        servers.clear();
        servers.putAll(next);
        LOG.log(Level.INFO, "checking {0} real servers with {1} checks", servers.size(),
                servers.values().stream().mapToInt(s -> s.checkers.size()).sum());
    }

    /// Every real server's present state, in plan order.
    public synchronized List<RealServerStatus> snapshot() {
        return servers.values().stream().map(Server::status).toList();
    }

    public synchronized Optional<RealServerStatus> status(RealServerId id) {
        return Optional.ofNullable(servers.get(id)).map(Server::status);
    }

    /// Stops every check. Real servers of virtual servers with `omega` that are up are reported
    /// down. Attempts in flight are interrupted; a running MISC_CHECK script is ended.
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            var now = clock.instant();
            for (var server : servers.values()) {
                server.checkers.forEach(Checker::cancel);
                if (server.plan.omega() && server.up) {
                    emit(new CheckEvent.RealServerDown(server.plan.id(), "the checker stopped (omega)", now));
                }
            }
        }
        timer.close();
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.log(Level.WARNING, "some checks were still running 10 s after the scheduler closed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void schedule(Checker checker, Duration delay) {
        checker.scheduled = timer.schedule(delay, () -> launch(checker));
    }

    private void launch(Checker checker) {
        if (checker.cancelled) {
            return;
        }
        if (checker.probe instanceof LoopProbe probe && probe.onLoop() && slots.tryAcquire()) {
            start(checker, probe);
            return;
        }
        try {
            executor.execute(() -> run(checker));
        } catch (RejectedExecutionException e) {
            // closing: nothing more runs
        }
    }

    /// A network check on the check loop: no thread of its own; the probe bounds itself.
    private void start(Checker checker, LoopProbe probe) {
        var started = clock.instant();
        try {
            probe.start(result -> {
                slots.release();
                completed(checker, result, Duration.between(started, clock.instant()));
            });
        } catch (RuntimeException e) {
            slots.release();
            if (!(e instanceof RejectedExecutionException)) {
                LOG.log(Level.ERROR, "check " + checker.spec.label() + " failed unexpectedly", e);
                completed(checker, ProbeResult.down("internal error: " + e), Duration.ZERO);
            }
        }
    }

    private void run(Checker checker) {
        try {
            slots.acquire();
        } catch (InterruptedException e) {
            return;
        }
        var started = clock.instant();
        var probe = checker.probe;
        var spec = checker.spec;
        // Probes bound themselves; this is the backstop for one that does not. Interrupting a
        // virtual thread blocked on a socket closes the socket, so the attempt ends.
        var limit = attemptLimit(spec);
        var thread = Thread.currentThread();
        var abandoned = new AtomicBoolean();
        var watchdog = timer.schedule(limit, () -> {
            abandoned.set(true);
            thread.interrupt();
        });
        ProbeResult result;
        try {
            result = probe.attempt();
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "check " + spec.label() + " failed unexpectedly", e);
            result = ProbeResult.down("internal error: " + e);
        } finally {
            watchdog.cancel();
            slots.release();
        }
        if (abandoned.get()) {
            Thread.interrupted();
            LOG.log(Level.WARNING, "check {0} gave no result within {1}; attempt abandoned", spec.label(),
                    Failures.seconds(limit));
            result = ProbeResult.down("no result within " + Failures.seconds(limit) + "; attempt abandoned");
        }
        completed(checker, result, Duration.between(started, clock.instant()));
    }

    /// The longest an attempt may take: its own deadline and a second of grace.
    static Duration attemptLimit(CheckSpec spec) {
        var grace = Duration.ofSeconds(1);
        return switch (spec) {
            case CheckSpec.HttpGet h -> h.endpoint().connectTimeout().multipliedBy(h.urls().size()).plus(grace);
            case CheckSpec.TcpCheck t -> t.endpoint().connectTimeout().plus(grace);
            case CheckSpec.DnsCheck d -> d.endpoint().connectTimeout().plus(grace);
            case CheckSpec.MiscCheck m -> m.timeout().plus(MiscProbe.KILL_GRACE.multipliedBy(2)).plus(grace);
        };
    }

    private synchronized void completed(Checker checker, ProbeResult result, Duration elapsed) {
        if (checker.cancelled || closed) {
            return;
        }
        var now = clock.instant();
        var step = checker.state.next(result, checker.spec);
        if (result instanceof ProbeResult.Down d && LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, "{0} for {1} failed: {2}; next attempt in {3}", checker.spec.label(),
                    checker.server.plan.id(), d.reason(), Failures.seconds(step.delay()));
        }
        checker.state = step.state();
        checker.attempts++;
        checker.lastRun = now;
        update(checker.server, now);
        var delay = step.delay();
        if (checker.spec instanceof CheckSpec.MiscCheck) {
            delay = delay.minus(elapsed);
            delay = delay.isNegative() ? Duration.ZERO : delay;
        }
        schedule(checker, delay);
    }

    private void update(Server server, Instant now) {
        boolean wasUp = server.up;
        int oldWeight = server.weight;
        server.recompute(now);
        if (server.up != wasUp) {
            server.since = now;
            if (server.up) {
                LOG.log(Level.INFO, "real server {0} is up", server.plan.id());
                emit(new CheckEvent.RealServerUp(server.plan.id(), now));
            } else {
                LOG.log(Level.INFO, "real server {0} is down: {1}", server.plan.id(), server.reason);
                emit(new CheckEvent.RealServerDown(server.plan.id(), server.reason, now));
            }
        }
        if (server.weight != oldWeight) {
            LOG.log(Level.INFO, "real server {0} weight {1} -> {2}", server.plan.id(), oldWeight, server.weight);
            emit(new CheckEvent.WeightChanged(server.plan.id(), server.weight, now));
        }
    }

    private void emit(CheckEvent event) {
        try {
            listener.onEvent(event);
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "check listener failed on " + event, e);
        }
    }

    /// One real server's checkers and aggregate state; guarded by the scheduler's lock.
    private static final class Server {
        CheckPlan.RealServerPlan plan;
        List<Checker> checkers = List.of();
        boolean up;
        String reason = "";
        Instant since;
        int weight;

        Server(CheckPlan.RealServerPlan plan, Instant now) {
            this.plan = plan;
            this.since = now;
            this.weight = plan.weight();
        }

        /// The checker as the reason names it: `HTTP_GET`, with the address it connects to only when
        /// that is not the real server itself (`connect_ip`/`connect_port`): the real server is named
        /// beside the reason already, and the training lab's loopback ports are no operator's business.
        private String labelOf(CheckSpec spec) {
            var label = spec.label();
            var address = Addresses.text(plan.id().address());
            var own = " " + (address.contains(":") ? "[" + address + "]" : address) + ":" + plan.id().port();
            return label.endsWith(own) ? label.substring(0, label.length() - own.length()) : label;
        }

        void recompute(Instant now) {
            var down = checkers.stream().filter(c -> !c.state.up()).findFirst();
            up = down.isEmpty();
            if (down.isPresent()) {
                var c = down.get();
                reason = labelOf(c.spec) + ": " + (c.state.lastReason() != null ? c.state.lastReason()
                        : c.spec.timing().alpha() ? "alpha: down until a check succeeds" : "not checked yet");
            } else {
                // Up: the last failure no longer says anything about it ("up … no route to host"
                // read as a contradiction); each checker keeps its own lastReason.
                reason = "";
            }
            // keepalived: effective weight = configured + Σ (dynamic weight − configured).
            long w = plan.weight();
            for (var c : checkers) {
                if (c.state.dynamicWeight() != null) {
                    w += c.state.dynamicWeight() - plan.weight();
                }
            }
            weight = (int) Math.clamp(w, 0, Integer.MAX_VALUE);
        }

        RealServerStatus status() {
            return new RealServerStatus(plan.id(), up, reason, since, weight, checkers.stream()
                    .map(c -> new RealServerStatus.CheckerStatus(c.spec.label(), c.state.up(),
                            c.state.lastReason() == null ? "" : c.state.lastReason(), c.lastRun, c.attempts))
                    .toList());
        }
    }

    /// One checker's runtime; guarded by the scheduler's lock except `cancelled`, which the
    /// timer reads.
    private static final class Checker {
        final Server server;
        volatile CheckSpec spec;
        volatile Probe probe;
        CheckerState state;
        CheckTimer.Scheduled scheduled;
        volatile boolean cancelled;
        long attempts;
        Instant lastRun;

        Checker(Server server, CheckSpec spec, Probe probe) {
            this.server = server;
            this.spec = spec;
            this.probe = probe;
            this.state = CheckerState.initial(spec.timing());
        }

        void cancel() {
            cancelled = true;
            if (scheduled != null) {
                scheduled.cancel();
            }
        }
    }
}
