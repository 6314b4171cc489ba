package dev.pharos.agent.ipvs.table;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/// Brings a backend to a desired table by diff: read what the backend holds, apply the
/// [TableDiff], retry a failed operation (bounded, with backoff), then **read again and compare**,
/// so the agent never believes in a table the backend lacks. Reconciling a backend that already
/// holds the desired table applies nothing.
///
/// It changes only the services it owns ([OwnedServices]): those it added, those its desired
/// table names (a service of the same key already there is taken over), and those a previous run
/// on the same state directory left. Every other service in the backend — kube-proxy's, Docker's,
/// an administrator's `ipvsadm -A` — is invisible to the diff and stays as it is, as under
/// keepalived. [#release()] removes the owned services (a graceful stop).
///
/// Failures are reported as [Event]s (and logged), never thrown: the agent keeps running and
/// reconciles again at the next change. Not thread-safe: one reconciler per backend, called from
/// one thread.
public final class Reconciler {

    private static final System.Logger LOG = System.getLogger(Reconciler.class.getName());

    private final IpvsBackend backend;
    private final RetryPolicy policy;
    private final Pause pause;
    private final Consumer<Event> events;
    private final OwnedServices owned;

    /// How hard to try.
    ///
    /// @param attempts tries per operation and per read (at least 1)
    /// @param firstBackoff wait before the second try; doubled for each further one
    /// @param maxBackoff longest wait between tries
    /// @param rounds read–diff–apply rounds before giving up on convergence (at least 1)
    public record RetryPolicy(int attempts, Duration firstBackoff, Duration maxBackoff, int rounds) {
        public static final RetryPolicy DEFAULT = new RetryPolicy(3, Duration.ofMillis(50), Duration.ofSeconds(1), 3);

        public RetryPolicy {
            if (attempts < 1 || rounds < 1 || firstBackoff.isNegative() || maxBackoff.compareTo(firstBackoff) < 0) {
                throw new IllegalArgumentException("retry policy " + attempts + " attempts, " + rounds
                        + " rounds, backoff " + firstBackoff + "–" + maxBackoff + " is not usable");
            }
        }
    }

    /// Waits between tries (a fake in tests, so they never sleep).
    @FunctionalInterface
    public interface Pause {
        void pause(Duration duration) throws InterruptedException;
    }

    /// What went wrong in a reconciliation.
    public sealed interface Event permits Event.ReadFailed, Event.OpFailed, Event.Diverged {
        String backend();

        /// The backend's table could not be read: nothing was applied.
        record ReadFailed(String backend, int attempts, String reason) implements Event {
        }

        /// An operation failed `attempts` times (or was skipped because its service could not be added).
        record OpFailed(String backend, IpvsOp op, int attempts, String reason) implements Event {
        }

        /// After applying, the backend still differs from the desired table by `remaining`.
        record Diverged(String backend, List<IpvsOp> remaining) implements Event {
            public Diverged {
                remaining = List.copyOf(remaining);
            }
        }
    }

    /// The result of one reconciliation.
    ///
    /// @param actual the owned part of the table read back from the backend at the end; `null` when it
    ///               could not be read
    /// @param applied the operations the backend accepted, in order
    /// @param converged the table read back equals the desired one
    public record Outcome(ServiceTable actual, List<IpvsOp> applied, List<Event> events, boolean converged) {
        public Outcome {
            applied = List.copyOf(applied);
            events = List.copyOf(events);
        }
    }

    public Reconciler(IpvsBackend backend, RetryPolicy policy, Pause pause, Consumer<Event> events,
            OwnedServices owned) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.pause = Objects.requireNonNull(pause, "pause");
        this.events = Objects.requireNonNull(events, "events");
        this.owned = Objects.requireNonNull(owned, "owned");
    }

    /// A reconciler that owns only what it adds in this process.
    public Reconciler(IpvsBackend backend, RetryPolicy policy, Pause pause, Consumer<Event> events) {
        this(backend, policy, pause, events, OwnedServices.inMemory());
    }

    /// A reconciler with the default policy that really waits between tries.
    public static Reconciler of(IpvsBackend backend, OwnedServices owned, Consumer<Event> events) {
        return new Reconciler(backend, RetryPolicy.DEFAULT, d -> Thread.sleep(d), events, owned);
    }

    /// The services this reconciler may change.
    public OwnedServices owned() {
        return owned;
    }

    public Outcome reconcile(ServiceTable desired) throws InterruptedException {
        return reconcile(desired, null);
    }

    /// Reconciles only the services of `scope` (those whose desired state changed; `null` for the
    /// whole table): only they are read back, compared and changed, so that one changed real
    /// server in a table of tens of thousands is one read of its service and one operation. The
    /// outcome's `actual` then holds only the owned services of the scope.
    public Outcome reconcile(ServiceTable desired, Set<ServiceKey> scope) throws InterruptedException {
        var want = scope == null ? desired : desired.only(scope);
        var applied = new ArrayList<IpvsOp>();
        var reported = new ArrayList<Event>();
        for (int round = 1; ; round++) {
            var all = read(scope, reported);
            if (all == null) {
                return new Outcome(null, applied, reported, false);
            }
            var current = ours(all, want);
            var ops = TableDiff.between(current, want);
            if (ops.isEmpty()) {
                owned.set(ownedAfter(current, scope));
                return new Outcome(current, applied, reported, true);
            }
            if (round > 1) {
                // what was applied is not (all) there: say so, and try again while rounds remain
                report(reported, new Event.Diverged(backend.name(), ops));
            }
            if (round > policy.rounds()) {
                owned.set(ownedAfter(current, scope));
                return new Outcome(current, applied, reported, false);
            }
            // Owned before it is added: a process that dies in between still knows it next time.
            var next = ownedAfter(current, scope);
            next.addAll(want.services().keySet());
            owned.set(next);
            applyAll(ops, applied, reported);
        }
    }

    /// The owned services once the backend holds `current`: those of `current`, and outside the
    /// scope, those owned before.
    private Set<ServiceKey> ownedAfter(ServiceTable current, Set<ServiceKey> scope) {
        var out = new LinkedHashSet<ServiceKey>();
        if (scope != null) {
            for (var key : owned.keys()) {
                if (!scope.contains(key)) {
                    out.add(key);
                }
            }
        }
        out.addAll(current.services().keySet());
        return out;
    }

    /// Removes every owned service from the backend (keepalived does at a graceful stop unless
    /// told `--dont-release-ipvs`); the others stay.
    public Outcome release() throws InterruptedException {
        return reconcile(ServiceTable.EMPTY);
    }

    /// The part of the backend's table this reconciler manages: its own services, and those the
    /// desired table names (taken over, with a warning, when they were someone else's).
    private ServiceTable ours(ServiceTable all, ServiceTable desired) {
        var mine = new LinkedHashMap<ServiceKey, ServiceTable.VirtualService>();
        all.services().forEach((key, service) -> {
            if (owned.contains(key)) {
                mine.put(key, service);
            } else if (desired.services().containsKey(key)) {
                LOG.log(Level.WARNING, "{0}: takes over the service {1}, which it did not create: its configuration "
                        + "has it", backend.name(), key);
                mine.put(key, service);
            }
        });
        return new ServiceTable(mine);
    }

    private void applyAll(List<IpvsOp> ops, List<IpvsOp> applied, List<Event> reported) throws InterruptedException {
        var missingServices = new HashSet<ServiceKey>();
        for (var op : ops) {
            if (missingServices.contains(op.service())) {
                report(reported, new Event.OpFailed(backend.name(), op, 0,
                        "skipped: its service " + op.service() + " could not be added"));
                continue;
            }
            var failure = applyWithRetry(op);
            if (failure == null) {
                applied.add(op);
                // Each change is news when there are a few; a whole table loaded at start is a
                // summary line (the caller's), the details at debug level.
                LOG.log(ops.size() <= 20 ? Level.INFO : Level.DEBUG, "{0}: {1}", backend.name(), op);
            } else {
                report(reported, failure);
                if (op instanceof IpvsOp.AddService) {
                    missingServices.add(op.service());
                }
            }
        }
    }

    private Event.OpFailed applyWithRetry(IpvsOp op) throws InterruptedException {
        var backoff = policy.firstBackoff();
        String reason = "";
        for (int attempt = 1; attempt <= policy.attempts(); attempt++) {
            if (attempt > 1) {
                pause.pause(backoff);
                backoff = min(backoff.multipliedBy(2), policy.maxBackoff());
            }
            try {
                backend.apply(op);
                return null;
            } catch (BackendException e) {
                reason = e.getMessage();
                LOG.log(Level.DEBUG, "{0}: try {1} of {2} failed: {3}", backend.name(), attempt, policy.attempts(),
                        reason);
            }
        }
        return new Event.OpFailed(backend.name(), op, policy.attempts(), reason);
    }

    private ServiceTable read(Set<ServiceKey> scope, List<Event> reported) throws InterruptedException {
        var backoff = policy.firstBackoff();
        String reason = "";
        for (int attempt = 1; attempt <= policy.attempts(); attempt++) {
            if (attempt > 1) {
                pause.pause(backoff);
                backoff = min(backoff.multipliedBy(2), policy.maxBackoff());
            }
            try {
                return scope == null ? backend.read() : backend.read(scope);
            } catch (BackendException e) {
                reason = e.getMessage();
            }
        }
        report(reported, new Event.ReadFailed(backend.name(), policy.attempts(), reason));
        return null;
    }

    private void report(List<Event> reported, Event event) {
        reported.add(event);
        switch (event) {
            case Event.ReadFailed r -> LOG.log(Level.WARNING, "{0}: could not read the table after {1} tries: {2}",
                    r.backend(), r.attempts(), r.reason());
            case Event.OpFailed f -> LOG.log(Level.WARNING, "{0}: could not {1} ({2} tries): {3}", f.backend(), f.op(),
                    f.attempts(), f.reason());
            case Event.Diverged d -> LOG.log(Level.WARNING,
                    "{0}: the table read back still differs from the desired one by {1} operation(s), first: {2}",
                    d.backend(), d.remaining().size(), d.remaining().getFirst());
        }
        events.accept(event);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
