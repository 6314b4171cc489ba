package dev.pharos.agent.daemon;

import dev.pharos.agent.config.ConfigException;
import dev.pharos.agent.config.ConfigLoader;
import dev.pharos.agent.config.KeepalivedConfig;
import dev.pharos.agent.linux.Privileges;
import dev.pharos.agent.vrrp.ScriptRunner;
import dev.pharos.agent.vrrp.VrrpEngine;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.concurrent.CountDownLatch;

/// The running agent: one configuration file, the VRRP engine on Linux sockets, the interface
/// monitor and the supervisor. SIGTERM (and SIGINT) stop it gracefully — masters send priority 0
/// and remove their VIPs — and SIGHUP reloads the file.
public final class Daemon {

    private static final System.Logger LOG = System.getLogger(Daemon.class.getName());
    private static final Duration STOP_DEADLINE = Duration.ofSeconds(5);

    private final Path configFile;
    private final String configId;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Supervisor supervisor = new Supervisor(Clock.systemUTC());
    private KeepalivedConfig config;
    private VrrpMapping.Vrrp vrrp;
    private volatile VrrpEngine engine;
    private LinuxAddressPlumbing plumbing;
    private InterfaceMonitor monitor;
    private volatile boolean stopping;

    public Daemon(Path configFile, String configId) {
        this.configFile = configFile;
        this.configId = configId;
    }

    /// Loads the configuration and starts everything; throws with a sentence for the user when it cannot.
    public synchronized void start() throws ConfigException, IOException {
        var missing = Privileges.missingForVrrp();
        if (missing.isPresent()) {
            throw new IOException(missing.get());
        }
        var loaded = ConfigLoader.load(configFile, configId);
        loaded.warnings().forEach(w -> LOG.log(Level.WARNING, w.toString()));
        config = loaded.config();
        vrrp = VrrpMapping.map(config);
        plumbing = LinuxAddressPlumbing.open();
        Warmup.run();
        startEngine();
        supervisor.watch(new Supervisor.Component("vrrp", () -> engine.lastHeartbeat(), Duration.ofSeconds(10),
                this::restartEngine));
        supervisor.start(Duration.ofSeconds(2));
        LOG.log(Level.INFO, "Pharos agent started: {0} VRRP instance(s), {1} virtual server(s) in {2}",
                vrrp.instances().size(), config.virtualServers().size(), configFile);
        if (!config.virtualServers().isEmpty()) {
            LOG.log(Level.WARNING, "virtual servers are loaded but not yet served by this agent build: the "
                    + "checker and the service table are not wired into `run`");
        }
    }

    private void startEngine() throws IOException {
        engine = new VrrpEngine(vrrp.instances(), vrrp.syncGroups(), LinuxVrrpTransport::open, plumbing,
                new ScriptRunner(16), Duration.ofSeconds(30));
        engine.start();
        var interfaces = new LinkedHashSet<String>();
        for (var s : vrrp.instances()) {
            interfaces.add(s.interfaceName());
            s.trackInterfaces().forEach(t -> interfaces.add(t.name()));
        }
        var e = engine;
        monitor = new InterfaceMonitor(java.util.List.copyOf(interfaces), Duration.ofMillis(200), e::interfaceState);
        monitor.start();
    }

    private synchronized void restartEngine() {
        if (stopping) {
            return;
        }
        monitor.close();
        engine.kill();
        try {
            startEngine();
        } catch (IOException e) {
            throw new IllegalStateException("the VRRP engine could not be restarted: " + e.getMessage(), e);
        }
    }

    /// SIGHUP: read the file again. A broken file changes nothing (its errors are logged). When the
    /// VRRP part is unchanged the engine keeps running untouched; otherwise it is restarted with the
    /// new settings (keepalived keeps the state of unchanged instances; Pharos does not yet).
    public synchronized void reload() {
        if (stopping) {
            return;
        }
        try {
            var loaded = ConfigLoader.load(configFile, configId);
            loaded.warnings().forEach(w -> LOG.log(Level.WARNING, w.toString()));
            var next = VrrpMapping.map(loaded.config());
            config = loaded.config();
            if (next.equals(vrrp)) {
                LOG.log(Level.INFO, "Reloaded {0}: VRRP unchanged", configFile);
                return;
            }
            LOG.log(Level.WARNING, "Reloaded {0}: VRRP settings changed; restarting the VRRP engine", configFile);
            vrrp = next;
            monitor.close();
            engine.stop(STOP_DEADLINE);
            startEngine();
        } catch (ConfigException e) {
            LOG.log(Level.ERROR, "Reload refused, the running configuration stays:\n{0}", e.getMessage());
        } catch (IOException e) {
            LOG.log(Level.ERROR, "Reload failed: {0}", e.getMessage());
        }
    }

    /// Graceful stop: priority 0 from masters, VIPs removed, notify_stop run.
    public void stop() {
        synchronized (this) {
            if (stopping) {
                return;
            }
            stopping = true;
        }
        LOG.log(Level.INFO, "Stopping");
        supervisor.close();
        if (monitor != null) {
            monitor.close();
        }
        if (engine != null) {
            engine.stop(STOP_DEADLINE);
        }
        if (plumbing != null) {
            plumbing.close();
        }
        LOG.log(Level.INFO, "Stopped");
        stopped.countDown();
    }

    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    public synchronized VrrpEngine engine() {
        return engine;
    }
}
