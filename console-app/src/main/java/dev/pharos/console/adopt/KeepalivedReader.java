package dev.pharos.console.adopt;

import dev.pharos.agent.api.AgentEvent;
import dev.pharos.agent.api.AgentState;
import dev.pharos.agent.api.Hello;
import dev.pharos.agent.api.Protocol;
import dev.pharos.console.connect.DirectorEndpoint;
import dev.pharos.console.connect.LinkState;
import dev.pharos.console.connect.RemoteHost;
import dev.pharos.console.model.AdoptedListener;
import dev.pharos.console.model.HostReadings;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/// One adopted keepalived host, polled: opens SSH, and every period runs [HostProbe#COMMAND],
/// re-reads the configuration when it is older than [#CONFIG_PERIOD] (or keepalived's command line
/// names another file), and reports an [AgentState] with the age of each piece ([HostReadings]).
/// A poll that cannot read keepalived's state fresh keeps the last one and says why, so the card
/// shows it as stale, never as a current role. On a failure it reconnects with backoff (1 s
/// doubling to 30 s), as [dev.pharos.console.connect.DirectorConnection] does. Nothing is written
/// on the host; keepalived is only asked to write its own state dump.
///
/// Runs on its own platform thread; the listener must not block.
public final class KeepalivedReader implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(KeepalivedReader.class.getName());
    static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    static final Duration LAST_RETRY = Duration.ofSeconds(30);
    /// How often the state is read: keepalived is signalled and dumps its state each time, a
    /// few kB, so every 5 s costs the host nothing it notices, and a card is at most that old.
    public static final Duration PERIOD = Duration.ofSeconds(5);
    /// How often the configuration (with its includes) is read again.
    static final Duration CONFIG_PERIOD = Duration.ofSeconds(30);

    /// Opens the SSH session ([dev.pharos.console.connect.SshConnector#openHost] for real hosts).
    @FunctionalInterface
    public interface Opener {
        RemoteHost open(DirectorEndpoint endpoint, Duration timeout) throws IOException;
    }

    private final DirectorEndpoint endpoint;
    private final Opener opener;
    private final AdoptedListener listener;
    private final Duration period;
    private final Duration timeout;
    private final Clock clock = Clock.systemUTC();
    private final Semaphore wake = new Semaphore(0);
    private final Thread thread;
    private volatile boolean closed;
    private volatile RemoteHost host;

    // What was last read, kept across polls and reconnections (connection thread only).
    private RemoteConfig config;
    private String configFile;
    private Instant configAt;
    private String configProblem;
    private KeepalivedDump dump;
    private Instant dumpAt;
    private String software = "keepalived";
    private String lastMismatch;

    public KeepalivedReader(DirectorEndpoint endpoint, Opener opener, AdoptedListener listener, Duration period,
            Duration timeout) {
        this.endpoint = endpoint;
        this.opener = opener;
        this.listener = listener;
        this.period = period;
        this.timeout = timeout;
        this.thread = Thread.ofPlatform().name("keepalived " + endpoint.name()).daemon().unstarted(this::run);
    }

    public DirectorEndpoint endpoint() {
        return endpoint;
    }

    public KeepalivedReader start() {
        thread.start();
        return this;
    }

    /// Polls now instead of at the end of the period, or connects now instead of waiting out the backoff.
    public void pollNow() {
        wake.release();
    }

    private void run() {
        int attempt = 0;
        var backoff = FIRST_RETRY;
        while (!closed) {
            attempt++;
            listener.linkState(new LinkState.Connecting(clock.instant(), attempt));
            String reason;
            try (var h = opener.open(endpoint, timeout)) {
                host = h;
                boolean first = true;
                while (!closed) {
                    var hello = poll(h);
                    if (first) {
                        listener.linkState(new LinkState.Connected(clock.instant(), hello));
                        first = false;
                        attempt = 0;
                        backoff = FIRST_RETRY;
                    }
                    await(period);
                }
                reason = "closed";
            } catch (IOException | RuntimeException e) {
                reason = e.getMessage() == null ? e.toString() : e.getMessage();
                LOG.log(Level.DEBUG, "{0}: {1}", endpoint.name(), reason);
            } finally {
                host = null;
            }
            if (closed) {
                break;
            }
            listener.linkState(new LinkState.Retrying(clock.instant(), reason, backoff, Math.max(attempt, 1)));
            await(backoff);
            backoff = backoff.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : backoff.multipliedBy(2);
        }
        listener.linkState(new LinkState.Closed(clock.instant()));
    }

    private void await(Duration d) {
        try {
            if (wake.tryAcquire(d.toNanos(), TimeUnit.NANOSECONDS)) {
                wake.drainPermits();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    /// One poll: reads, reports, and returns what the host is (for the link's first report).
    private Hello poll(RemoteHost h) throws IOException {
        var result = h.exec("exec sh -c '" + HostProbe.COMMAND.replace("'", "'\\''") + "'");
        var at = clock.instant();
        var out = HostProbe.parse(result.stdout());
        if (!out.has("pid")) {
            throw new IOException(endpoint.name() + ": the probe did not run: "
                    + (result.stderr().isBlank() ? "exit status " + result.exitStatus() : result.stderr().strip()));
        }
        var hostname = out.has("hostname") ? out.get("hostname").strip() : endpoint.host();
        var readings = new ArrayList<HostReadings.Reading>();
        String stale = null;

        // the configuration keepalived runs, read again when old or when keepalived names another
        var pid = out.pid();
        if (pid != null) {
            var file = HostProbe.configFile(out.arguments());
            if (!file.equals(configFile) || configAt == null || at.isAfter(configAt.plus(CONFIG_PERIOD))) {
                var id = HostProbe.configId(out.arguments());
                try {
                    config = RemoteConfig.read(RemoteConfig.Files.of(h), file,
                            id != null ? id : hostname.split("\\.")[0]);
                    configProblem = null;
                } catch (IOException e) {
                    configProblem = e.getMessage();
                }
                configFile = file;
                configAt = at;
            }
            var v = out.get("version");
            if (v != null && !v.isBlank()) {
                software = v.strip().replaceFirst("^Keepalived v(\\S+).*", "keepalived $1");
            }
        }
        readings.add(new HostReadings.Reading("configuration", config == null ? null : configAt,
                configProblem != null ? configProblem : configFile == null ? "not read: keepalived is not running"
                        : null));

        HeldAddresses held = null;
        try {
            held = HeldAddresses.parse(out.get("addr"));
            readings.add(new HostReadings.Reading("addresses", at, null));
        } catch (IllegalArgumentException e) {
            readings.add(new HostReadings.Reading("addresses", null, e.getMessage()));
        }

        IpvsTable ipvs = null;
        String ipvsWhy = null;
        try {
            if (out.has("ipvsadm")) {
                ipvs = IpvsTable.parseIpvsadm(out.get("ipvsadm"));
            } else if (out.has("proc-ip-vs")) {
                ipvs = IpvsTable.parseProc(out.get("proc-ip-vs"));
            } else {
                ipvsWhy = "this host's kernel has no IPVS loaded";
            }
        } catch (IllegalArgumentException e) {
            ipvsWhy = e.getMessage();
        }
        readings.add(new HostReadings.Reading("IPVS table", ipvs == null ? null : at, ipvsWhy));

        String dumpProblem = null;
        if (pid == null) {
            stale = "keepalived is not running";
        } else if (out.has("problem")) {
            stale = out.get("problem").strip();
        } else if (!out.has("json") && !out.has("data")) {
            stale = "keepalived wrote no state dump";
        } else {
            try {
                var fresh = out.has("json") ? KeepalivedDump.parseJson(out.get("json"))
                        : KeepalivedDump.parseData(out.get("data"));
                transitions(dump, fresh, at);
                dump = fresh;
                dumpAt = at;
            } catch (IllegalArgumentException e) {
                stale = e.getMessage();
            }
        }
        if (stale != null) {
            dumpProblem = stale;
        }
        if (held != null && dump != null && stale == null) {
            // keepalived adds a new MASTER's VIPs just after it changes state: a mismatch counts
            // once a second poll sees it too
            var mismatch = vipMismatch(held);
            dumpProblem = mismatch != null && mismatch.equals(lastMismatch) ? mismatch : null;
            lastMismatch = mismatch;
        }
        readings.add(new HostReadings.Reading("VRRP state", dumpAt, dumpProblem));

        listener.agentState(AdoptedState.build(hostname, at, config == null ? null : config.config(), dump, ipvs,
                ipvsWhy));
        listener.readings(new HostReadings(software, readings, stale));
        return new Hello(Protocol.VERSION, software, hostname, new Hello.Capabilities(
                ipvs != null ? "kernel" : "none", List.of(2, 3), List.copyOf(held == null ? List.of()
                        : held.interfaceOf().values().stream().distinct().toList()), List.of()));
    }

    /// Each instance whose state differs from the last dump's, as the agent would report it (the
    /// timeline lists it). keepalived's own transition time is used when it gives one.
    private void transitions(KeepalivedDump before, KeepalivedDump now, Instant at) {
        if (before == null) {
            return;
        }
        for (var i : now.instances()) {
            var was = before.instances().stream().filter(b -> b.name().equals(i.name())).findFirst();
            if (was.isPresent() && !was.get().state().equals(i.state())) {
                listener.event(new AgentEvent.VrrpTransition(0, i.lastTransition() != null ? i.lastTransition() : at,
                        i.name(), i.vrid(), was.get().state(), i.state(), "seen in keepalived's state dump",
                        i.effectivePriority()));
            }
        }
    }

    /// A MASTER that does not hold its VIPs, or a BACKUP that does: what the addresses say against
    /// keepalived's word (null when they agree).
    private String vipMismatch(HeldAddresses held) {
        for (var i : dump.instances()) {
            for (var v : i.virtualAddresses()) {
                var address = HeldAddresses.canonical(v.split(" ")[0].replaceFirst("/\\d+$", ""));
                boolean holds = held.holds(address);
                if (i.state().equals("MASTER") && !holds) {
                    return i.name() + " is MASTER but this host does not hold " + address;
                }
                if (!i.state().equals("MASTER") && holds) {
                    return i.name() + " is " + i.state() + " but this host holds " + address;
                }
            }
        }
        return null;
    }

    /// Stops polling and closes the session (waits up to 5 s for the thread).
    @Override
    public void close() {
        closed = true;
        var h = host;
        if (h != null) {
            h.close();
        }
        wake.release();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
