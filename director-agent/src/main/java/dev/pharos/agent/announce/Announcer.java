package dev.pharos.agent.announce;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/// Keeps the routing daemon announcing exactly the VIPs that should be: a VIP is announced once
/// its services have been healthy (quorum met) for the warm-up time, and withdrawn when they are
/// not, while the director drains, and when it stops. A reconcile loop on its own thread reads
/// the daemon's view every `recheck` (and at once after any change here) and corrects it, so a
/// restarted daemon, which starts withdrawn, announces again what is healthy, and a VIP an
/// operator enabled by hand on an unhealthy director is withdrawn. After each pass that changed
/// where the VIPs or the BGP sessions stand, the change listener hears of it.
public final class Announcer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Announcer.class.getName());

    /// Where one VIP stands.
    ///
    /// @param wanted    healthy, warmed up and not draining: it should be announced
    /// @param announced what the daemon said at the last reconcile; null before one succeeded
    /// @param problem   why the last reconcile could not read or correct the daemon, or null
    public record Status(InetAddress vip, boolean healthy, boolean wanted, Boolean announced, String problem) {
    }

    private final AnnounceConfig config;
    private final RoutingDaemon daemon;
    private final LinkedBlockingQueue<Boolean> wake = new LinkedBlockingQueue<>();
    /// Since when (System.nanoTime) each VIP's services have been healthy; absent while not.
    private final Map<InetAddress, Long> healthySince = new HashMap<>();
    private final Map<InetAddress, Boolean> announced = new HashMap<>();
    private final Map<InetAddress, String> problems = new HashMap<>();
    private List<RoutingDaemon.Session> sessions = List.of();
    private boolean draining;
    private Runnable onChange = () -> {
    };
    /// What the change listener last heard of (the loop thread's own).
    private Reported reported;
    private volatile boolean closed;
    private Thread loop;

    public Announcer(AnnounceConfig config, RoutingDaemon daemon) {
        this.config = config;
        this.daemon = daemon;
    }

    /// Calls `listener` on the announcer's thread after a pass that changed [#draining()],
    /// [#status()] or [#sessions()]; it must not block.
    public synchronized void onChange(Runnable listener) {
        onChange = listener;
    }

    /// Starts the reconcile loop; until a VIP is reported healthy it is withdrawn.
    public synchronized void start() {
        if (loop == null) {
            loop = Thread.ofPlatform().name("announce").daemon(true).start(this::run);
        }
    }

    /// The VIP's services are healthy (quorum met) or not: the warm-up starts anew at each
    /// healthy report after an unhealthy one.
    public void healthy(InetAddress vip, boolean healthy) {
        synchronized (this) {
            if (!healthy) {
                healthySince.remove(vip);
            } else {
                healthySince.putIfAbsent(vip, System.nanoTime());
            }
        }
        wake.offer(Boolean.TRUE);
    }

    /// Drains the director (withdraws every VIP, services keep serving the flows they have) or
    /// returns it to service (each VIP announced again once healthy and warmed up).
    public void drain(boolean drain) {
        synchronized (this) {
            draining = drain;
        }
        wake.offer(Boolean.TRUE);
    }

    /// Withdrawn on purpose ([#drain]).
    public synchronized boolean draining() {
        return draining;
    }

    /// The daemon's BGP sessions at the last pass that could read them.
    public synchronized List<RoutingDaemon.Session> sessions() {
        return sessions;
    }

    public synchronized List<Status> status() {
        var out = new ArrayList<Status>();
        long now = System.nanoTime();
        for (var vip : config.vips()) {
            var a = vip.address();
            out.add(new Status(a, healthySince.containsKey(a), wanted(a, now), announced.get(a), problems.get(a)));
        }
        return out;
    }

    /// Withdraws every VIP (errors are logged: the daemon's own restart withdraws them too), waits
    /// the withdraw delay so the router sends new flows elsewhere first, and stops the loop.
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        wake.offer(Boolean.TRUE);
        if (loop != null) {
            try {
                loop.join(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        boolean any = false;
        for (var vip : config.vips()) {
            try {
                daemon.withdraw(vip);
                any = true;
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot withdraw {0} at stop: {1}", vip.address().getHostAddress(), e.getMessage());
            }
        }
        if (any && !config.withdrawDelay().isZero()) {
            try {
                Thread.sleep(config.withdrawDelay());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private boolean wanted(InetAddress vip, long now) {
        var since = healthySince.get(vip);
        return !draining && !closed && since != null && now - since >= config.warmup().toNanos();
    }

    private void run() {
        while (!closed) {
            long wait = reconcile();
            report();
            try {
                // a change here wakes it at once; drain every token so a burst costs one reconcile
                if (wake.poll(wait, TimeUnit.NANOSECONDS) != null) {
                    wake.clear();
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /// Where things stand, as the change listener last heard of it.
    private record Reported(boolean draining, List<Status> status, List<RoutingDaemon.Session> sessions) {
    }

    /// Tells the listener when where things stand differs from what it heard last.
    private void report() {
        Runnable listener;
        Reported now;
        synchronized (this) {
            now = new Reported(draining, status(), sessions);
            listener = onChange;
        }
        if (!now.equals(reported)) {
            reported = now;
            listener.run();
        }
    }

    /// One pass: read the daemon, correct what differs. Returns how long to wait before the next
    /// pass: the recheck period, or less when a VIP's warm-up ends sooner.
    private long reconcile() {
        Map<InetAddress, Boolean> want = new HashMap<>();
        long next = config.recheck().toNanos();
        synchronized (this) {
            long now = System.nanoTime();
            for (var vip : config.vips()) {
                var a = vip.address();
                want.put(a, wanted(a, now));
                var since = healthySince.get(a);
                if (since != null && !want.get(a) && !draining) {
                    next = Math.min(next, Math.max(1_000_000, since + config.warmup().toNanos() - now));
                }
            }
        }
        RoutingDaemon.View view;
        try {
            view = daemon.view(config.vips());
        } catch (IOException e) {
            synchronized (this) {
                for (var vip : config.vips()) {
                    problems.put(vip.address(), e.getMessage());
                }
            }
            LOG.log(Level.WARNING, "cannot read what the routing daemon announces: {0}", e.getMessage());
            return next;
        }
        synchronized (this) {
            sessions = view.sessions();
        }
        for (var vip : config.vips()) {
            var a = vip.address();
            boolean is = view.announced().contains(a);
            String problem = view.problems().get(a);
            if (problem == null && want.get(a) != is) {
                try {
                    if (want.get(a)) {
                        daemon.announce(vip);
                        LOG.log(Level.INFO, "announced {0}", a.getHostAddress());
                    } else {
                        daemon.withdraw(vip);
                        LOG.log(Level.INFO, "withdrew {0}", a.getHostAddress());
                    }
                    is = want.get(a);
                } catch (IOException e) {
                    problem = e.getMessage();
                    LOG.log(Level.WARNING, "cannot {0} {1}: {2}", want.get(a) ? "announce" : "withdraw",
                            a.getHostAddress(), problem);
                }
            }
            synchronized (this) {
                announced.put(a, is);
                if (problem == null) {
                    problems.remove(a);
                } else {
                    problems.put(a, problem);
                }
            }
        }
        return next;
    }
}
