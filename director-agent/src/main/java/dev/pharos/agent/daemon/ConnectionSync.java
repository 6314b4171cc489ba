package dev.pharos.agent.daemon;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import dev.pharos.agent.config.KeepalivedConfig;
import dev.pharos.agent.ipvs.table.BackendException;
import dev.pharos.agent.ipvs.table.IpvsBackend;
import dev.pharos.agent.ipvs.kernel.KernelIpvs;
import dev.pharos.agent.ipvs.kernel.SyncDaemon;
import dev.pharos.agent.ipvs.kernel.SyncDaemon.Role;
import dev.pharos.agent.vrrp.VrrpState;
import dev.pharos.agent.vrrp.VrrpStateChange;

/// `lvs_sync_daemon`: the kernel's connection-synchronisation daemon, switched as keepalived
/// 2.2.7 switches it (`vrrp.c`, `vrrp_scheduler.c`, `vrrp_daemon.c`): a backup daemon from the
/// start, master while the named VRRP instance is MASTER, backup again when it leaves MASTER (to
/// BACKUP or FAULT), and stopped when the agent stops (also under `--dont-release-ipvs`). Without
/// an instance both daemons run for the agent's whole life, as keepalived's checker runs them.
///
/// Only the agent's own daemons are stopped: at start it adopts the kernel's daemons that match
/// its settings (an earlier run of its own) and leaves others alone, whose role it then cannot
/// take (the kernel runs one master and one backup) and says so. The work runs on its own thread,
/// never on the VRRP engine's.
final class ConnectionSync {

    private static final System.Logger LOG = System.getLogger(ConnectionSync.class.getName());

    /// What to do with one daemon.
    sealed interface Step permits Start, Stop {
    }

    record Start(SyncDaemon daemon) implements Step {
    }

    record Stop(Role role) implements Step {
    }

    /// The daemons the configuration asks for: `settings` (its role is not used) in `roles`.
    record Wanted(SyncDaemon settings, Set<Role> roles) {
        Wanted {
            roles = roles.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(roles));
        }
    }

    private final ExecutorService worker = Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().name("ipvs-sync-daemon").daemon().unstarted(r));
    // Worker thread only, from here on.
    private KernelIpvs kernel;
    private String userspace; // why the service table is in user space, when it is
    private boolean warned;
    private SyncDaemon settings;
    private String instance;
    // Every instance's, not only the named one's: a reload that adds lvs_sync_daemon finds the
    // instance's state here.
    private final Map<String, VrrpState> states = new HashMap<>();
    private final Map<Role, SyncDaemon> ours = new EnumMap<>(Role.class);

    /// The daemons to stop and start to go from `ours` (the agent's running daemons, by role) to
    /// `wanted` (null: none). Stops come first: keepalived stops the backup before starting the
    /// master, and the master before starting the backup.
    static List<Step> plan(Wanted wanted, Map<Role, SyncDaemon> ours) {
        var stops = new ArrayList<Step>();
        var starts = new ArrayList<Step>();
        for (var role : Role.values()) {
            var mine = ours.get(role);
            boolean want = wanted != null && wanted.roles().contains(role);
            boolean right = mine != null && want && matches(mine, wanted.settings().as(role));
            if (mine != null && !right) {
                stops.add(new Stop(role));
            }
            if (want && !right) {
                starts.add(new Start(wanted.settings().as(role)));
            }
        }
        stops.addAll(starts);
        return List.copyOf(stops);
    }

    /// Whether the kernel's `running` daemon is `wanted`: the settings left to the kernel (0 or
    /// null) match whatever it chose.
    static boolean matches(SyncDaemon running, SyncDaemon wanted) {
        return running.role() == wanted.role() && running.interfaceName().equals(wanted.interfaceName())
                && running.syncId() == wanted.syncId()
                && (wanted.maxLength() == 0 || wanted.maxLength() == running.maxLength())
                && (wanted.port() == 0 || wanted.port() == running.port())
                && (wanted.ttl() == 0 || wanted.ttl() == running.ttl())
                && (wanted.group() == null || wanted.group().equals(running.group()));
    }

    /// The roles keepalived runs for an instance in `state`, or both without an instance.
    static Set<Role> roles(String instance, VrrpState state) {
        if (instance == null) {
            return EnumSet.allOf(Role.class);
        }
        return state == VrrpState.MASTER ? EnumSet.of(Role.MASTER) : EnumSet.of(Role.BACKUP);
    }

    /// The daemon's settings from `config` (its role is a placeholder), or null without `lvs_sync_daemon`.
    static SyncDaemon settings(KeepalivedConfig config) {
        var s = config.globalDefs().lvsSyncDaemon();
        if (s == null) {
            return null;
        }
        var vrid = config.vrrpInstances().stream().filter(i -> i.name().equals(s.instance())).findFirst()
                .map(i -> i.virtualRouterId()).orElse(null);
        return new SyncDaemon(Role.BACKUP, s.interfaceName(), s.effectiveSyncId(vrid), orZero(s.maxLength()),
                orZero(s.port()), orZero(s.ttl()), s.group());
    }

    private static int orZero(Integer v) {
        return v == null ? 0 : v;
    }

    /// Takes the (new) configuration; a changed daemon is restarted with its new settings.
    void configure(KeepalivedConfig config) {
        var next = settings(config);
        var nextInstance = config.globalDefs().lvsSyncDaemon() == null ? null
                : config.globalDefs().lvsSyncDaemon().instance();
        submit(() -> {
            if (Objects.equals(next, settings) && Objects.equals(nextInstance, instance)) {
                return;
            }
            settings = next;
            instance = nextInstance;
            reconcile("configuration");
        });
    }

    /// Uses `backend` from now on: the kernel's IPVS runs the daemons; the user-space balancer
    /// cannot, which is said once in the log.
    void attach(IpvsBackend backend, String backendReason) {
        submit(() -> {
            if (backend instanceof KernelIpvs k) {
                kernel = k;
                userspace = null;
                adopt();
            } else {
                kernel = null;
                userspace = backendReason;
                warned = false;
            }
            reconcile("start");
        });
    }

    /// A VRRP transition, from the engine's thread.
    void transition(VrrpStateChange change) {
        submit(() -> {
            states.put(change.instance(), change.to());
            if (change.instance().equals(instance)) {
                reconcile("(" + change.instance() + ") " + change.from() + " -> " + change.to());
            }
        });
    }

    /// Stops the agent's daemons (a graceful stop), waiting at most `deadline`.
    void close(Duration deadline) {
        submit(() -> {
            settings = null;
            reconcile("stop");
        });
        worker.shutdown();
        try {
            if (!worker.awaitTermination(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.log(Level.WARNING, "lvs_sync_daemon: the sync daemons were not stopped within {0} ms",
                        deadline.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /// Runs `work` on the worker; after a stop or kill there is nothing left to do, and a late
    /// transition must not fail the engine's listener.
    private void submit(Runnable work) {
        try {
            worker.execute(work);
        } catch (RejectedExecutionException e) {
            LOG.log(Level.DEBUG, "lvs_sync_daemon: stopped; ignoring a late change");
        }
    }

    /// A crash (the lab's "kill director"): the kernel's daemons stay as they are.
    void kill() {
        worker.shutdownNow();
    }

    private void adopt() {
        ours.clear();
        if (settings == null) {
            return;
        }
        try {
            for (var running : kernel.syncDaemons()) {
                if (matches(running, settings.as(running.role()))) {
                    ours.put(running.role(), running);
                    LOG.log(Level.INFO, "lvs_sync_daemon: the {0} sync daemon on {1} (sync id {2}) is already"
                            + " running with these settings; keeping it", running.role().word(),
                            running.interfaceName(), running.syncId());
                } else {
                    LOG.log(Level.WARNING, "lvs_sync_daemon: the kernel runs a {0} sync daemon that is not"
                            + " Pharos''s (on {1}, sync id {2}); it is left alone", running.role().word(),
                            running.interfaceName(), running.syncId());
                }
            }
        } catch (BackendException e) {
            LOG.log(Level.WARNING, "lvs_sync_daemon: {0}", e.getMessage());
        }
    }

    private void reconcile(String why) {
        if (kernel == null) {
            if (userspace != null && settings != null && !warned) {
                warned = true;
                LOG.log(Level.WARNING, "lvs_sync_daemon: connection synchronisation needs the kernel''s IPVS; the"
                        + " user-space balancer ({0}) synchronises no connections, so connections through this"
                        + " director end when another takes over", userspace);
            }
            return;
        }
        var wanted = settings == null ? null : new Wanted(settings, roles(instance,
                states.getOrDefault(instance, VrrpState.INITIALIZE)));
        for (var step : plan(wanted, ours)) {
            switch (step) {
                case Stop s -> {
                    // Gone from the agent's list even when refused (ESRCH: not running): starting
                    // it again is the way back.
                    ours.remove(s.role());
                    run(why, () -> kernel.stopSyncDaemon(s.role()), s.role().word() + " sync daemon stopped");
                }
                case Start s -> {
                    if (run(why, () -> kernel.startSyncDaemon(s.daemon()), s.daemon().role().word()
                            + " sync daemon started on " + s.daemon().interfaceName() + ", sync id "
                            + s.daemon().syncId())) {
                        ours.put(s.daemon().role(), s.daemon());
                    }
                }
            }
        }
    }

    @FunctionalInterface
    private interface KernelCall {
        void run() throws BackendException;
    }

    private static boolean run(String why, KernelCall call, String done) {
        try {
            call.run();
            LOG.log(Level.INFO, "lvs_sync_daemon: {0} ({1})", done, why);
            return true;
        } catch (BackendException e) {
            LOG.log(Level.WARNING, "lvs_sync_daemon ({0}): {1}", why, e.getMessage());
            return false;
        }
    }
}
