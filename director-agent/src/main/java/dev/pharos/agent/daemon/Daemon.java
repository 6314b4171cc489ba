package dev.pharos.agent.daemon;

import dev.pharos.agent.announce.AnnounceConfig;
import dev.pharos.agent.announce.Announcer;
import dev.pharos.agent.api.Addresses;
import dev.pharos.agent.api.AgentEvent;
import dev.pharos.agent.api.JsonRpc;
import dev.pharos.agent.api.Protocol;
import dev.pharos.agent.api.Results;
import dev.pharos.agent.api.RpcError;
import dev.pharos.agent.api.RpcException;
import dev.pharos.agent.bfd.BfdEngine;
import dev.pharos.agent.bfd.BfdSettings;
import dev.pharos.agent.bfd.BfdState;
import dev.pharos.agent.config.ConfigDiff;
import dev.pharos.agent.config.ConfigEdits;
import dev.pharos.agent.config.ConfigException;
import dev.pharos.agent.config.ConfigLoader;
import dev.pharos.agent.config.ConfigWriter;
import dev.pharos.agent.config.KeepalivedConfig;
import dev.pharos.agent.config.LoadedConfig;
import dev.pharos.agent.config.ParseCache;
import dev.pharos.agent.config.VirtualServerDef;
import dev.pharos.agent.config.syntax.EditBase;
import dev.pharos.agent.config.syntax.LosslessEditException;
import dev.pharos.agent.config.syntax.LosslessEditor;
import dev.pharos.agent.control.ControlServer;
import dev.pharos.agent.control.Dispatcher;
import dev.pharos.agent.control.EventJournal;
import dev.pharos.agent.ipvs.kernel.KernelIpvs;
import dev.pharos.agent.ipvs.table.OwnedServices;
import dev.pharos.agent.ipvs.proxy.UserspaceBackend;
import dev.pharos.agent.vrrp.AddressPlumbing;
import dev.pharos.agent.vrrp.ScriptRunner;
import dev.pharos.agent.vrrp.VrrpEngine;
import dev.pharos.agent.vrrp.VrrpSettings;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/// The running agent: one configuration file, the VRRP engine on Linux sockets, the interface
/// monitor, the supervisor and the control channel. SIGTERM (and SIGINT) stop it gracefully —
/// masters send priority 0 and remove their VIPs — and SIGHUP reloads the file.
///
/// Every change of configuration — a reload, an operator's edit, `config.apply` — goes through
/// one method, [#apply], under the daemon's lock: validated first, then written (edits only),
/// then applied, and undone if applying fails, so the agent never runs a half-applied change.
/// An edit is written as text and parsed back before anything happens, and the model parsed
/// back is the one applied: the file and the running model cannot differ.
public final class Daemon {

    private static final System.Logger LOG = System.getLogger(Daemon.class.getName());
    private static final Duration STOP_DEADLINE = Duration.ofSeconds(5);
    /// How long a stop waits for clients to be sent its last events.
    private static final Duration STOP_NOTICE = Duration.ofMillis(500);

    /// How `run` was asked to run.
    ///
    /// @param controlSocket the control channel's socket, or null for none
    /// @param controlGroup  the group allowed on the socket besides the owner, or null
    /// @param stateDir      where the agent keeps what it writes besides the config (history)
    /// @param metrics       where to serve Prometheus metrics (loopback only), or null for none
    /// @param balancer      `auto`, `kernel` or `userspace`: the service-table backend
    /// @param releaseIpvs   a graceful stop removes the agent's own IPVS services (keepalived's
    ///                      default; false is its `--dont-release-ipvs`)
    ///
    /// @param announce the VIP announcer's settings (`--announce FILE`), or null: no routing daemon
    public record Options(Path configFile, String configId, Path controlSocket, String controlGroup, Path stateDir,
            InetSocketAddress metrics, String balancer, boolean releaseIpvs, AnnounceConfig announce) {

        /// Options that release the agent's IPVS services at a graceful stop.
        public Options(Path configFile, String configId, Path controlSocket, String controlGroup, Path stateDir,
                InetSocketAddress metrics, String balancer) {
            this(configFile, configId, controlSocket, controlGroup, stateDir, metrics, balancer, true);
        }

        /// Options without VIP announcements.
        public Options(Path configFile, String configId, Path controlSocket, String controlGroup, Path stateDir,
                InetSocketAddress metrics, String balancer, boolean releaseIpvs) {
            this(configFile, configId, controlSocket, controlGroup, stateDir, metrics, balancer, releaseIpvs, null);
        }
    }

    /// Where the agent remembers which IPVS services are its own, in its state directory.
    static final String OWNED_SERVICES_FILE = "ipvs-services";

    private final Options options;
    private final Platform platform;
    /// What each VRRP thread runs first ([Platform#vrrpProcess]), from the configuration the agent started with.
    private Runnable vrrpThreadStart = () -> { };
    private final Clock clock = Clock.systemUTC();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Supervisor supervisor = new Supervisor(clock);
    /// The start's or the last reload's parse, for the next reload to reuse its unchanged blocks.
    private final ParseCache reloadCache = new ParseCache();
    /// The canonical text of each virtual server of the running configuration as a start or a
    /// reload wrote it for the revision, by model object, for the next reload to take again.
    private Map<VirtualServerDef, String> reloadWritten = new IdentityHashMap<>();
    private final EventJournal journal;
    private final ConfigStore store;
    private volatile KeepalivedConfig config;
    /// What the next edit starts from (the running configuration as the last edit read it back,
    /// and the file as it wrote it); null when the running configuration came another way
    /// (start, reload, config.apply): then an edit reads the files whole.
    private EditBase editBase;
    private volatile String revision;
    private VrrpMapping.Vrrp vrrp;
    private volatile VrrpEngine engine;
    private AddressPlumbing plumbing;
    private InterfaceMonitor monitor;
    private volatile BfdEngine bfd;
    private ControlServer control;
    private MetricsServer metrics;
    private volatile Services services;
    private volatile Announcer announcer;
    /// How long the routing daemon may take to answer one command on its control socket.
    private static final Duration ROUTING_DAEMON_TIMEOUT = Duration.ofSeconds(5);
    private final ConnectionSync connectionSync = new ConnectionSync();
    private final ScriptRunner scriptRunner = new ScriptRunner(16);
    private final AgentControl api = new AgentControl(this);
    private volatile boolean stopping;
    private final SystemdNotifier systemd = SystemdNotifier.fromEnvironment(System.getenv());
    private ScheduledExecutorService watchdog;

    public Daemon(Options options) {
        this(options, new LinuxPlatform());
    }

    public Daemon(Options options, Platform platform) {
        this.options = options;
        this.platform = platform;
        // Events are stamped on the platform's clock: the lab's, which slows down and stands still.
        this.journal = new EventJournal(platform.stepGate().clock(), 10_000);
        this.store = new ConfigStore(options.configFile(), options.stateDir(), clock);
    }

    /// Loads the configuration and starts everything; throws with a sentence for the user when it cannot.
    public synchronized void start() throws ConfigException, IOException {
        var missing = platform.missing();
        if (missing.isPresent()) {
            throw new IOException(missing.get());
        }
        var files = configFiles();
        try {
            store.removeLeftovers(files);
        } catch (IOException e) {
            // Harmless leftovers must not keep the agent from starting.
            LOG.log(Level.WARNING, "could not look for leftover temporary files beside {0}: {1}", store.file(),
                    e.getMessage());
        }
        var read = store.snapshot(files);
        var loaded = ConfigLoader.load(options.configFile(), options.configId(), reloadCache);
        loaded.warnings().forEach(w -> LOG.log(Level.WARNING, w.toString()));
        store.remember(read);
        config = loaded.config();
        revision = ConfigStore.revision(ConfigWriter.write(config, Map.of(), reloadWritten));
        vrrp = VrrpMapping.map(config);
        connectionSync.configure(config);
        warnIfEditsCannotBeWritten(files);
        if (options.controlSocket() != null) {
            // First, so a second agent on the same socket is refused before it touches the network.
            control = startControl(options.controlSocket());
        }
        if (options.metrics() != null) {
            metrics = MetricsServer.start(options.metrics(), api::state, journal::lastSequence);
        }
        vrrpThreadStart = platform.vrrpProcess(config.globalDefs());
        plumbing = platform.openPlumbing();
        platform.warmUp();
        startEngine();
        startBfd(BfdMapping.sessions(config));
        services = openServices();
        connectionSync.attach(services.backend(), services.backendReason());
        services.apply(config, platform.served(config));
        if (options.announce() != null) {
            if (options.announce().sloppyTcp() && services.backend() instanceof KernelIpvs) {
                // several active directors: before the VIP is announced and flows can move here
                new IpvsSysctl(IpvsSysctl.THIS_NAMESPACE).sloppyOn();
            }
            announcer = new Announcer(options.announce(), options.announce().routingDaemon(ROUTING_DAEMON_TIMEOUT));
            services.onQuorumByAddress(quorum -> options.announce().vips().forEach(v ->
                    announcer.healthy(v.address(), quorum.getOrDefault(v.address(), true))));
            announcer.onChange(() -> journal.publish((seq, at) -> new AgentEvent.AnnounceChanged(seq, at,
                    announcements(announcer))));
            announcer.start();
        }
        supervisor.watch(new Supervisor.Component("vrrp", () -> engine.lastHeartbeat(), Duration.ofSeconds(10),
                this::restartEngine));
        supervisor.watch(new Supervisor.Component("service-table", () -> services.lastTick(), Duration.ofSeconds(30),
                this::restartServices));
        supervisor.addListener(r -> journal.publish((seq, at) -> new AgentEvent.ComponentRestarted(seq, at,
                r.component(), r.succeeded() ? "restarted after " + r.stalledFor().toMillis() + " ms without life"
                        : "restart failed: " + r.detail())));
        supervisor.start(Duration.ofSeconds(2));
        LOG.log(Level.INFO, "Pharos agent started: {0} VRRP instance(s), {1} virtual server(s) in {2}, revision {3}, "
                + "service table: {4}", vrrp.instances().size(), config.virtualServers().size(), options.configFile(),
                revision, services.backendName());
        systemd.ready(vrrp.instances().size() + " VRRP instance(s), revision " + revision);
        systemd.watchdogInterval().ifPresent(this::startWatchdog);
        platform.compileHotPaths(vrrp.instances().stream().anyMatch(VrrpSettings::ipv6));
    }

    /// An edit replaces the configuration file by renaming a new one over it and keeps the old one
    /// in the state directory: an agent that runs as its own user (the systemd unit's) needs both
    /// directories writable. Said at start, not at the first edit.
    private void warnIfEditsCannotBeWritten(Set<Path> files) {
        var dirs = new LinkedHashSet<Path>();
        dirs.add(options.configFile().toAbsolutePath().getParent());
        // an edit writes the included file that defines what it edits
        files.forEach(f -> dirs.add(f.toAbsolutePath().getParent()));
        var stateDir = options.stateDir().toAbsolutePath();
        while (stateDir.getParent() != null && !Files.exists(stateDir)) {
            stateDir = stateDir.getParent(); // created at the first edit: its nearest existing parent must be writable
        }
        dirs.add(stateDir);
        for (var dir : dirs) {
            if (!Files.isWritable(dir)) {
                LOG.log(Level.WARNING, "user {0} may not write {1}: edits through the control channel will be refused"
                        + " (give it the directory; docs/operations.md, systemd)", System.getProperty("user.name"), dir);
            }
        }
    }

    /// The control channel; when the file system refuses its socket, a sentence naming the path
    /// and the user the agent runs as (not root, under the systemd unit).
    private ControlServer startControl(Path socket) throws IOException {
        try {
            return ControlServer.start(socket, options.controlGroup(), new Dispatcher(api.methods()), journal, 1024,
                    Protocol.MAX_LINE_BYTES);
        } catch (AccessDeniedException | BindException e) {
            if (e instanceof BindException && !"Permission denied".equals(e.getMessage())) {
                throw e;
            }
            var where = e instanceof AccessDeniedException d ? Path.of(d.getFile())
                    : socket.toAbsolutePath().getParent();
            throw new IOException("cannot create the control socket " + socket + ": user "
                    + System.getProperty("user.name") + " may not write " + where + "; give it that directory (the"
                    + " systemd unit's RuntimeDirectory=pharos does) or choose another --control-socket", e);
        }
    }

    /// Pings systemd at half its interval, but only while the VRRP engine shows life: a stalled
    /// engine that the supervisor cannot bring back lets systemd restart the whole agent.
    private void startWatchdog(Duration interval) {
        var period = Math.max(100, interval.toMillis() / 2);
        watchdog = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().name("systemd-watchdog").daemon().unstarted(r));
        watchdog.scheduleAtFixedRate(() -> {
            var e = engine;
            if (e != null && Duration.between(e.lastHeartbeat(), clock.instant()).compareTo(interval) < 0) {
                systemd.watchdog();
            }
        }, 0, period, TimeUnit.MILLISECONDS);
        LOG.log(Level.INFO, "systemd watchdog: pinging every {0} ms", period);
    }

    private void startEngine() throws IOException {
        var e = new VrrpEngine(vrrp.instances(), vrrp.syncGroups(), platform.transports(), plumbing,
                scriptRunner, Duration.ofSeconds(30), platform.stepGate(), platform.directorName(), vrrpThreadStart);
        e.addListener(c -> journal.publish((seq, at) -> new AgentEvent.VrrpTransition(seq, c.at(), c.instance(),
                c.vrid(), c.from().name(), c.to().name(), c.reason(), c.priority())));
        e.addListener(connectionSync::transition);
        engine = e;
        e.start();
        var sessions = bfd;
        if (sessions != null) {
            sessions.states().forEach((name, state) -> e.bfdState(name, state == BfdState.UP));
        }
        startMonitor(e);
    }

    /// Runs the `bfd_instance` sessions and tells the VRRP engine of each one's Up and Down. A
    /// Down the neighbor asked for (AdminDown) is not told, as keepalived's BFD process sends no
    /// event then (RFC 5882 §3.2).
    private void startBfd(List<BfdSettings> sessions) throws IOException {
        if (sessions.isEmpty()) {
            return;
        }
        var transport = platform.openBfd();
        if (transport.isEmpty()) {
            LOG.log(Level.WARNING, "BFD sessions do not run here; instances tracking them see them down");
            return;
        }
        var b = new BfdEngine(transport.get());
        b.addListener(c -> {
            if (c.to() == BfdState.UP || c.failure()) {
                engine.bfdState(c.name(), c.to() == BfdState.UP);
            }
        });
        bfd = b;
        b.start(sessions);
    }

    /// Brings the BFD sessions to `next`'s: unchanged sessions keep their state.
    private void reconfigureBfd(KeepalivedConfig next) throws IOException {
        var sessions = BfdMapping.sessions(next);
        if (bfd == null) {
            startBfd(sessions);
        } else {
            bfd.apply(sessions);
        }
    }

    /// Polls the interfaces the current VRRP settings use (each instance's own and its
    /// `track_interface`s) and feeds their state to `e`; the first poll reports every one.
    private void startMonitor(VrrpEngine e) {
        var interfaces = new LinkedHashSet<String>();
        for (var s : vrrp.instances()) {
            interfaces.add(s.interfaceName());
            s.trackInterfaces().forEach(t -> interfaces.add(t.name()));
        }
        if (platform.monitorsInterfaces()) {
            monitor = new InterfaceMonitor(List.copyOf(interfaces), Duration.ofMillis(200), e::interfaceState);
            monitor.start();
        }
    }

    /// Brings the VRRP engine to `next` the way keepalived's reload does: unchanged instances keep
    /// their state and timers, removed ones stop, added or changed ones start. A change the engine
    /// cannot apply in place (the sync groups) restarts it. An [IOException] (an added instance's
    /// socket) leaves the engine as it was.
    private void reconfigureEngine(VrrpMapping.Vrrp next, Source source) throws IOException {
        var old = vrrp;
        try {
            engine.reconfigure(next.instances(), next.syncGroups()); // logs what it kept and changed
            vrrp = next;
            if (monitor != null) {
                monitor.close();
            }
            startMonitor(engine);
            return;
        } catch (IllegalArgumentException | IllegalStateException e) {
            LOG.log(Level.WARNING, "{0}: {1}; restarting the VRRP engine", source.wire(), e.getMessage());
        }
        if (monitor != null) {
            monitor.close();
        }
        engine.stop(STOP_DEADLINE);
        vrrp = next;
        try {
            startEngine();
        } catch (IOException e) {
            vrrp = old;
            startEngine();
            throw e;
        }
    }

    private synchronized void restartEngine() {
        if (stopping) {
            return;
        }
        if (monitor != null) {
            monitor.close();
        }
        engine.kill();
        try {
            startEngine();
        } catch (IOException e) {
            throw new IllegalStateException("the VRRP engine could not be restarted: " + e.getMessage(), e);
        }
    }

    private Services openServices() throws IOException {
        var backend = platform.serviceBackend(options.balancer() == null ? "auto" : options.balancer());
        // The user-space balancer's table lives and dies with this process: all of it is Pharos's.
        var owned = backend.backend() instanceof UserspaceBackend ? OwnedServices.inMemory()
                : OwnedServices.in(options.stateDir().resolve(OWNED_SERVICES_FILE));
        return new Services(backend.backend(), backend.reason(), journal, scriptRunner, owned, platform.stepGate(),
                platform.tableCheckInterval());
    }

    private synchronized void restartServices() {
        if (stopping) {
            return;
        }
        var old = services;
        old.close();
        try {
            services = openServices();
            connectionSync.attach(services.backend(), services.backendReason());
            services.apply(config, platform.served(config));
        } catch (IOException e) {
            throw new IllegalStateException("the service table could not be restarted: " + e.getMessage(), e);
        }
    }

    /// SIGHUP: read the file again. A broken file changes nothing (its errors are logged). When the
    /// VRRP part is unchanged the engine keeps running untouched; otherwise unchanged instances
    /// keep their state and timers, as keepalived's do, and only added, changed or removed ones
    /// start or stop.
    public void reload() {
        systemd.reloading();
        try {
            // Taken before reading: should the file change meanwhile, the next edit finds it changed.
            // The files are those the running configuration was read from; should the new text
            // include others, they are taken and read again (a large file is not read twice to
            // learn its includes first).
            var known = store.files();
            var read = known.isEmpty() ? snapshot() : store.snapshot(known);
            var loaded = load();
            if (!sameFiles(read.digests().keySet(), loaded.files())) {
                read = snapshot();
                loaded = load();
            }
            loaded.warnings().forEach(w -> LOG.log(Level.WARNING, w.toString()));
            synchronized (this) {
                // The revision's text: the blocks the parse reused are written as last time.
                var written = new IdentityHashMap<VirtualServerDef, String>();
                var canonical = ConfigWriter.write(loaded.config(), reloadWritten, written);
                reloadWritten = written;
                apply(loaded.config(), Source.RELOAD, null, null, null, canonical);
                store.remember(read);
            }
        } catch (IOException e) {
            LOG.log(Level.ERROR, "Reload failed, the running configuration stays: {0}", e.getMessage());
        } catch (ConfigException e) {
            LOG.log(Level.ERROR, "Reload refused, the running configuration stays:\n{0}", e.getMessage());
        } catch (RpcException e) {
            LOG.log(Level.ERROR, "Reload failed, the running configuration stays: {0}", e.getMessage());
        } finally {
            systemd.ready("revision " + revision);
        }
    }

    /// The configuration file parsed again, its unchanged `virtual_server` blocks taken from the
    /// last parse (one parse at a time uses the cache).
    private LoadedConfig load() throws ConfigException {
        synchronized (reloadCache) {
            var loaded = ConfigLoader.load(options.configFile(), options.configId(), reloadCache);
            LOG.log(Level.DEBUG, "reload: {0} virtual_server blocks parsed, {1} unchanged ones reused",
                    reloadCache.parsed(), reloadCache.reused());
            return loaded;
        }
    }

    private static boolean sameFiles(Collection<Path> a, Collection<Path> b) {
        return normalized(a).equals(normalized(b));
    }

    private static Set<Path> normalized(Collection<Path> files) {
        var out = new HashSet<Path>();
        files.forEach(f -> out.add(f.toAbsolutePath().normalize()));
        return out;
    }

    /// Where a change of configuration came from.
    enum Source {
        RELOAD, EDIT, APPLY;

        String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /// The digests of the configuration file and of the files it includes, as they are now, and
    /// the configuration file's text.
    private ConfigStore.Snapshot snapshot() throws IOException {
        return store.snapshot(configFiles());
    }

    /// The configuration file and the files it includes; none when it does not read (the load
    /// that follows reports why).
    private Set<Path> configFiles() {
        try {
            return ConfigLoader.files(options.configFile(), options.configId());
        } catch (ConfigException e) {
            return Set.of();
        }
    }

    /// An operator's edit: checked against the current revision, built from the current model,
    /// written into the files as they are written (only the lines it changes; see
    /// [LosslessEditor]), and the edited files checked as `check-config` checks them; then written
    /// and applied, the model parsed back from the files being the one that runs.
    Results.Applied edit(String baseRevision, EditFunction edit) throws RpcException {
        synchronized (this) {
            checkRevision(baseRevision);
            ConfigEdits.Edit result;
            try {
                result = edit.apply(config);
            } catch (ConfigEdits.EditException e) {
                throw new RpcException(e.notFound() ? Protocol.Errors.NOT_FOUND : Protocol.Errors.INVALID_PARAMS,
                        e.getMessage());
            }
            // The running configuration passed validation: what the edit kept need not be checked again.
            var problems = ConfigLoader.validateEdit(config, result.config()).stream().filter(d -> d.isError()).toList();
            if (!problems.isEmpty()) {
                throw new RpcException(new RpcError(Protocol.Errors.INVALID_CONFIG,
                        "the edit would make the configuration invalid: " + problems.getFirst().message(),
                        JsonRpc.tree(AgentControl.validation(problems))));
            }
            LosslessEditor.Written written;
            // The files hold what the last edit wrote, and that runs: what it read back is reused.
            var base = editBase != null && editBase.config() == config ? editBase : null;
            try {
                // By blocks, the file is not read: what save() writes over must still be what the
                // last edit wrote (it refuses a file changed on disk), and an edit that writes
                // nothing checks it here.
                written = base == null ? null : LosslessEditor.write(base, result).orElse(null);
                if (written != null && written.changed().isEmpty()) {
                    store.checkUnchanged();
                }
                if (written == null) {
                    store.checkUnchanged();
                    var known = base == null ? null : base.located().orElse(null);
                    if (known != null) {
                        var files = store.read(store.files());
                        written = LosslessEditor.write(store.file(), files, options.configId(), known, result);
                    } else {
                        var files = store.read(ConfigLoader.files(store.file(), options.configId()));
                        written = LosslessEditor.write(store.file(), files, options.configId(), config, result);
                    }
                }
            } catch (ConfigStore.ChangedOnDiskException e) {
                throw changedOnDisk(Source.EDIT, e.getMessage());
            } catch (LosslessEditException e) {
                if (e.reason() == LosslessEditException.Reason.CHANGED_ON_DISK) {
                    throw changedOnDisk(Source.EDIT, e.getMessage());
                }
                LOG.log(Level.WARNING, "edit refused: {0}", e.getMessage());
                throw new RpcException(Protocol.Errors.APPLY_FAILED, e.getMessage());
            } catch (ConfigException e) {
                // The field checks should have refused what gets here; this is the last line.
                LOG.log(Level.ERROR, "an edit wrote a file that does not parse; nothing changed:\n{0}", e.getMessage());
                var errors = e.diagnostics().stream().filter(d -> d.isError()).toList();
                throw new RpcException(new RpcError(Protocol.Errors.INVALID_CONFIG,
                        "the edit would write a configuration file that does not pass check-config: "
                                + (errors.isEmpty() ? e.getMessage() : errors.getFirst().message()),
                        JsonRpc.tree(AgentControl.validation(e.diagnostics()))));
            } catch (IOException e) {
                throw new RpcException(Protocol.Errors.APPLY_FAILED, "edit failed, nothing changed: " + e.getMessage());
            }
            var applied = apply(written.config(), Source.EDIT, null, written.changed(), result.changes(),
                    written.canonical());
            if (config == written.config()) {
                editBase = written.next();
            }
            return applied;
        }
    }

    private static RpcException changedOnDisk(Source source, String why) {
        LOG.log(Level.WARNING, "{0} refused: {1}", source.wire(), why);
        return new RpcException(Protocol.Errors.CHANGED_ON_DISK, "the configuration file was changed on disk "
                + "since the agent read it; reload (SIGHUP) first, then redo the " + source.wire() + " ("
                + why + "; nothing was written)");
    }

    /// The body of an edit: the current model in, the edited model out.
    @FunctionalInterface
    interface EditFunction {
        ConfigEdits.Edit apply(KeepalivedConfig current) throws ConfigEdits.EditException;
    }

    /// `announce.get`: what this director announces through its routing daemon.
    Results.Announcements announcements() throws RpcException {
        var a = announcer;
        if (a == null) {
            throw new RpcException(Protocol.Errors.INVALID_PARAMS,
                    "this agent announces no VIP (run --announce FILE starts it: docs/operations.md)");
        }
        return announcements(a);
    }

    private Results.Announcements announcements(Announcer a) {
        return new Results.Announcements(options.announce().daemon().name().toLowerCase(Locale.ROOT), a.draining(),
                a.status().stream().map(s -> new Results.Announcement(Addresses.text(s.vip()), s.healthy(), s.wanted(),
                        s.announced(), s.problem())).toList(),
                a.sessions().stream().map(s -> new Results.BgpSession(s.name(), s.established(), s.state())).toList());
    }

    /// `announce.drain`: withdraws every VIP (or returns them to service) and says where they stand.
    Results.Announcements drain(boolean drain) throws RpcException {
        var a = announcer;
        if (a != null) {
            a.drain(drain);
            LOG.log(Level.INFO, drain ? "Draining: every VIP is withdrawn from {0}" : "Back in service: VIPs are"
                    + " announced through {0} once healthy", options.announce().daemon().name().toLowerCase(Locale.ROOT));
        }
        return announcements();
    }

    /// `config.get`: the configuration file's own text with the revision it runs at, read together.
    synchronized Results.Config configFile() {
        return new Results.Config(revision, store.file().toString(), store.text(),
                store.included().stream().map(Path::toString).toList());
    }

    /// `config.apply`: a whole new text.
    Results.Applied applyText(String baseRevision, String baseTextRevision, KeepalivedConfig parsed, String text)
            throws RpcException {
        synchronized (this) {
            checkRevision(baseRevision);
            if (baseTextRevision != null) {
                EditFields.word(baseTextRevision, "baseTextRevision", "a text revision");
                var now = Results.textRevision(store.text());
                if (!baseTextRevision.equals(now)) {
                    // same configuration, other comments or layout: another console's change
                    throw new RpcException(new RpcError(Protocol.Errors.STALE_REVISION,
                            "the file's text changed since text revision " + baseTextRevision + " (now " + now
                                    + "; comments or layout only, the configuration is the same): read it again"
                                    + " and redo the edit",
                            JsonRpc.tree(new Results.Stale(revision))));
                }
            }
            return apply(parsed, Source.APPLY, text, null, null, null);
        }
    }

    /// Deviation from keepalived: its reload re-applies `vrrp_rt_priority` and `vrrp_no_swap` to the
    /// VRRP process; Pharos applies them when it starts (to each VRRP thread as it starts), so a
    /// change waits for a restart, and says so.
    private static void warnIfProcessSettingsChanged(KeepalivedConfig previous, KeepalivedConfig next, Source source) {
        var a = previous.globalDefs();
        var b = next.globalDefs();
        if (!Objects.equals(a.vrrpRtPriority(), b.vrrpRtPriority()) || !Objects.equals(a.vrrpNoSwap(), b.vrrpNoSwap())) {
            LOG.log(Level.WARNING, "{0}: vrrp_rt_priority and vrrp_no_swap take effect when the agent restarts"
                    + " (systemctl restart pharos-agent); until then the VRRP threads keep the settings they started with",
                    source.wire());
        }
    }

    private void checkRevision(String baseRevision) throws RpcException {
        if (baseRevision == null) {
            throw new RpcException(Protocol.Errors.INVALID_PARAMS,
                    "baseRevision is required: the revision from state.get or config.get the edit is based on");
        }
        EditFields.word(baseRevision, "baseRevision", "a revision");
        if (!baseRevision.equals(revision)) {
            throw new RpcException(new RpcError(Protocol.Errors.STALE_REVISION,
                    "the configuration changed since revision " + baseRevision + " (now " + revision
                            + "); read it again and redo the edit",
                    JsonRpc.tree(new Results.Stale(revision))));
        }
    }

    /// The one path by which the running configuration changes. `text` is what to write for
    /// `config.apply` (the operator's own text, comments included); an edit writes the files it
    /// `edited` and describes itself (`described`), other changes are described by a diff.
    /// `canonical` is `next` as [ConfigWriter] writes it, when the caller has it (the revision's text).
    private synchronized Results.Applied apply(KeepalivedConfig next, Source source, String text,
            Map<Path, byte[]> edited, List<String> described, String canonical) throws RpcException {
        if (stopping) {
            throw new RpcException(Protocol.Errors.APPLY_FAILED, "the agent is stopping");
        }
        VrrpMapping.Vrrp nextVrrp;
        try {
            nextVrrp = VrrpMapping.map(next);
        } catch (ConfigException e) {
            throw new RpcException(new RpcError(Protocol.Errors.INVALID_CONFIG,
                    "the configuration cannot run here: " + e.getMessage(),
                    JsonRpc.tree(AgentControl.validation(e.diagnostics()))));
        } catch (RuntimeException e) {
            throw new RpcException(Protocol.Errors.INVALID_CONFIG, "the configuration cannot run here: " + e.getMessage());
        }
        var diff = ConfigDiff.describe(config, next);
        var changes = described != null && !diff.isEmpty() ? described : diff;
        var nextRevision = canonical != null ? ConfigStore.revision(canonical) : ConfigStore.revision(next);
        if (changes.isEmpty() && source != Source.APPLY) {
            LOG.log(Level.INFO, "{0}: nothing changed", source.wire());
            return new Results.Applied(revision, List.of());
        }
        var previous = config;
        var previousVrrp = vrrp;
        var previousRevision = revision;
        Map<Path, byte[]> previousBytes = null;
        if (source != Source.RELOAD) {
            try {
                // save() refuses a file changed on disk (reading and hashing a large file once
                // more here found nothing it does not find)
                previousBytes = store.read(edited != null ? edited.keySet() : List.of(store.file()));
                if (edited != null) {
                    store.save(edited);
                } else {
                    store.save(text != null ? text : ConfigWriter.write(next));
                    // The new text may keep include lines: a hand edit of an included file must still be found.
                    store.learn(configFiles());
                }
            } catch (ConfigStore.ChangedOnDiskException e) {
                throw changedOnDisk(source, e.getMessage());
            } catch (IOException e) {
                LOG.log(Level.ERROR, "{0} failed, nothing changed: {1}", source.wire(), e.getMessage());
                throw new RpcException(Protocol.Errors.APPLY_FAILED, source.wire() + " failed, nothing changed: "
                        + e.getMessage());
            }
        }
        try {
            if (!nextVrrp.equals(vrrp)) {
                reconfigureEngine(nextVrrp, source);
            }
            reconfigureBfd(next);
            config = next;
            editBase = null; // an edit sets it again; another change must not keep the old model alive
            revision = nextRevision;
            warnIfProcessSettingsChanged(previous, next, source);
            connectionSync.configure(next);
            if (services != null) {
                services.apply(next, platform.served(next));
            }
        } catch (IOException | RuntimeException e) {
            var why = e.getMessage() == null ? e.toString() : e.getMessage();
            LOG.log(Level.ERROR, "{0} failed while applying, undoing it: {1}", source.wire(), why);
            undo(source, previous, previousVrrp, previousRevision, previousBytes);
            throw new RpcException(Protocol.Errors.APPLY_FAILED, source.wire() + " failed while applying, so the "
                    + "file and the running configuration were put back as they were (revision " + previousRevision
                    + "): " + why);
        }
        for (var c : changes) {
            LOG.log(Level.INFO, "{0}: {1}", source.wire(), c);
        }
        LOG.log(Level.INFO, "{0}: now at revision {1}", source.wire(), revision);
        journal.publish((seq, at) -> new AgentEvent.ConfigChanged(seq, at, nextRevision, source.wire(), changes));
        return new Results.Applied(nextRevision, changes);
    }

    /// Puts the running configuration, the VRRP engine, the service table and the file back as
    /// they were before a change that failed half-way. Each step is tried on its own: one that
    /// fails is logged and the others still run.
    private void undo(Source source, KeepalivedConfig previous, VrrpMapping.Vrrp previousVrrp, String previousRevision,
            Map<Path, byte[]> previousBytes) {
        config = previous;
        connectionSync.configure(previous);
        revision = previousRevision;
        if (!previousVrrp.equals(vrrp)) {
            try {
                reconfigureEngine(previousVrrp, source);
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.ERROR, "{0}: could not put the VRRP engine back: {1}", source.wire(), e.getMessage());
            }
        }
        try {
            reconfigureBfd(previous);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.ERROR, "{0}: could not put the BFD sessions back: {1}", source.wire(), e.getMessage());
        }
        if (services != null) {
            try {
                services.apply(previous, platform.served(previous));
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "{0}: could not put the service table back: {1}", source.wire(), e.getMessage());
            }
        }
        if (previousBytes != null && !previousBytes.isEmpty()) {
            try {
                store.restore(previousBytes);
                store.learn(configFiles());
            } catch (IOException e) {
                LOG.log(Level.ERROR, "{0}: could not put {1} back: {2}", source.wire(), store.file(), e.getMessage());
            }
        }
    }

    /// A crash, for the lab's "kill director": nothing more is sent (no priority 0), no VIP is
    /// removed, connections through the balancer are cut.
    public void kill() {
        synchronized (this) {
            if (stopping) {
                return;
            }
            stopping = true;
        }
        LOG.log(Level.WARNING, "Killed");
        supervisor.close();
        if (control != null) {
            control.close();
        }
        if (monitor != null) {
            monitor.close();
        }
        if (engine != null) {
            engine.kill();
        }
        if (bfd != null) {
            bfd.kill();
        }
        connectionSync.kill();
        if (services != null) {
            services.close();
        }
        stopped.countDown();
    }

    /// The control protocol's methods, for an in-memory channel (the lab).
    public Dispatcher dispatcher() {
        return new Dispatcher(api.methods());
    }

    /// The event journal subscribers read from.
    public EventJournal events() {
        return journal;
    }

    public boolean stopped() {
        return stopped.getCount() == 0;
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
        systemd.stopping();
        if (watchdog != null) {
            watchdog.shutdownNow();
        }
        supervisor.close();
        // Consoles learn that this stop is on purpose before the connection closes.
        journal.publish((seq, at) -> new AgentEvent.Stopping(seq, at, "stopping on purpose: masters hand over "
                + "with priority 0"));
        if (metrics != null) {
            metrics.close();
        }
        if (announcer != null) {
            // first: the router moves new flows to the other directors while this one still serves
            announcer.close();
        }
        if (monitor != null) {
            monitor.close();
        }
        if (engine != null) {
            engine.stop(STOP_DEADLINE);
        }
        if (bfd != null) {
            bfd.close(); // after VRRP, so its masters are not put in FAULT on the way out
        }
        // After the engine: its last transitions (MASTER → INITIALIZE, priority 0 sent) are in the
        // journal by now, and reach the consoles before the channel closes; a console that never
        // saw them explained the backup's takeover as a crash.
        if (control != null) {
            control.drain(STOP_NOTICE);
            control.close();
        }
        // Stopped under --dont-release-ipvs too, as keepalived's VRRP process stops it.
        connectionSync.close(STOP_DEADLINE);
        if (services != null) {
            if (options.releaseIpvs()) {
                services.release(STOP_DEADLINE);
            }
            services.close();
        }
        if (plumbing != null) {
            platform.closePlumbing(plumbing);
        }
        LOG.log(Level.INFO, "Stopped");
        systemd.close();
        stopped.countDown();
    }

    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    public VrrpEngine engine() {
        return engine;
    }

    KeepalivedConfig config() {
        return config;
    }

    String revision() {
        return revision;
    }

    VrrpMapping.Vrrp vrrp() {
        return vrrp;
    }

    Services services() {
        return services;
    }

    EventJournal journal() {
        return journal;
    }

    Options options() {
        return options;
    }

    ConfigStore store() {
        return store;
    }
}
