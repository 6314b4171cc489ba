package dev.pharos.console.connect;

import dev.pharos.agent.api.AgentEvent;
import dev.pharos.agent.api.AgentState;
import dev.pharos.agent.api.Methods;
import dev.pharos.agent.api.Params;
import dev.pharos.agent.api.RpcException;
import dev.pharos.agent.api.RpcMethod;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/// One director, kept connected: connects, reads `state.get` (and `announce.get` when the director
/// announces its VIPs through a routing daemon), subscribes to events from that snapshot's sequence, sends a heartbeat (`agent.hello`) every period, re-reads the state after a
/// configuration change or a resync, and on any failure reconnects: at once, then with exponential
/// backoff (1 s doubling to 30 s); a session that worked starts the sequence again, so one outage
/// never slows the recovery from the next. A changed host key stops it for good (the operator must act).
///
/// Runs on its own platform thread; the listener is called from it and must not block (the view
/// model hands everything to the FX thread).
public final class DirectorConnection implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(DirectorConnection.class.getName());
    static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    static final Duration LAST_RETRY = Duration.ofSeconds(30);
    /// How often the whole state is read again for the traffic counters.
    static final Duration STATE_PERIOD = Duration.ofSeconds(5);

    /// What the connection reports.
    public interface Listener {
        void linkState(LinkState state);

        void agentState(AgentState state);

        void event(AgentEvent event);
    }

    private final DirectorEndpoint endpoint;
    private final Connector connector;
    private final Listener listener;
    private final Duration heartbeat;
    private final Duration timeout;
    private final Clock clock = Clock.systemUTC();
    private final Semaphore wake = new Semaphore(0);
    private final Thread thread;
    private volatile boolean closed;
    private volatile boolean refresh;
    /// A resync: events were missed, so `announce.get` is read again with the state.
    private volatile boolean rereadAnnouncements;
    private volatile AgentLink link;
    /// Whether the current attempt got as far as a working session (read by the connection thread only).
    private boolean sessionUp;

    /// @param heartbeat how often to check the agent answers (the model calls a director whose
    ///                  heartbeat fails *unknown*)
    /// @param timeout   connect and call timeout
    public DirectorConnection(DirectorEndpoint endpoint, Connector connector, Listener listener, Duration heartbeat,
            Duration timeout) {
        this.endpoint = endpoint;
        this.connector = connector;
        this.listener = listener;
        this.heartbeat = heartbeat;
        this.timeout = timeout;
        this.thread = Thread.ofPlatform().name("director " + endpoint.name()).daemon().unstarted(this::run);
    }

    public DirectorEndpoint endpoint() {
        return endpoint;
    }

    public DirectorConnection start() {
        thread.start();
        return this;
    }

    /// One call on the current link (edits from the console), through [AgentClient]. Throws
    /// [IOException] when not connected.
    public <P, R> R call(RpcMethod<P, R> method, P params) throws IOException, RpcException {
        var l = link;
        if (l == null || !l.isOpen()) {
            throw new IOException(endpoint.name() + " is not connected");
        }
        return l.agent(timeout).call(method, params);
    }

    /// Asks for a fresh `state.get` soon (after an edit, or when the operator presses refresh).
    public void refresh() {
        refresh = true;
        wake.release();
    }

    /// Connects the director again now, instead of waiting out the backoff.
    public void reconnectNow() {
        wake.release();
    }

    private void run() {
        var backoff = Duration.ZERO;
        int attempt = 0;
        while (!closed) {
            attempt++;
            listener.linkState(new LinkState.Connecting(clock.instant(), attempt));
            String lost;
            sessionUp = false;
            try {
                serve(connector.connect(endpoint, timeout));
                lost = "the connection was lost";
            } catch (HostKeyChangedException e) {
                listener.linkState(new LinkState.Failed(clock.instant(), e.getMessage()));
                return;
            } catch (IOException | RpcException | RuntimeException e) {
                lost = e.getMessage();
            }
            if (closed) {
                break;
            }
            if (sessionUp) {
                // A session that worked ends the outage before it: the first retry goes at once,
                // and the backoff starts again from there.
                backoff = Duration.ZERO;
                attempt = 0;
            }
            LOG.log(Level.INFO, "{0}: {1}; retrying in {2} s", endpoint.name(), lost, backoff.toSeconds());
            listener.linkState(new LinkState.Retrying(clock.instant(), lost, backoff, attempt));
            if (!backoff.isZero()) {
                sleep(backoff);
            }
            backoff = nextBackoff(backoff);
        }
        listener.linkState(new LinkState.Closed(clock.instant()));
    }

    /// 0 → 1 s → 2 s → … → 30 s.
    static Duration nextBackoff(Duration backoff) {
        if (backoff.isZero()) {
            return FIRST_RETRY;
        }
        var doubled = backoff.multipliedBy(2);
        return doubled.compareTo(LAST_RETRY) > 0 ? LAST_RETRY : doubled;
    }

    /// Until the link fails or the connection is closed.
    private void serve(AgentLink l) throws IOException, RpcException {
        link = l;
        try {
            l.client().onEvent(e -> {
                if (e instanceof AgentEvent.Resync) {
                    rereadAnnouncements = true;
                }
                if (e instanceof AgentEvent.ConfigChanged || e instanceof AgentEvent.Resync) {
                    refresh();
                }
                listener.event(e);
            });
            var agent = l.agent(timeout);
            var state = agent.call(Methods.STATE_GET, Params.StateGet.ALL);
            listener.agentState(state);
            // before subscribing: an announce.changed after the snapshot is replayed after it
            readAnnouncements(l, agent, state.lastSequence());
            agent.call(Methods.EVENTS_SUBSCRIBE, new Params.Subscribe(state.lastSequence()));
            listener.linkState(new LinkState.Connected(clock.instant(), l.hello()));
            sessionUp = true;
            long lastState = System.nanoTime();
            while (!closed && l.isOpen()) {
                boolean woken = sleep(heartbeat);
                if (closed) {
                    return;
                }
                if (System.nanoTime() - lastState > STATE_PERIOD.toNanos()) {
                    // Counters and rates move without events: re-read them now and then.
                    refresh = true;
                }
                if (refresh) {
                    lastState = System.nanoTime();
                    refresh = false;
                    var again = agent.call(Methods.STATE_GET, Params.StateGet.ALL);
                    listener.agentState(again);
                    if (rereadAnnouncements) {
                        rereadAnnouncements = false;
                        readAnnouncements(l, agent, again.lastSequence());
                    }
                } else if (!woken) {
                    // A heartbeat answers within a short bound or the director counts as unknown.
                    agent.call(Methods.HELLO, Params.None.NONE, heartbeatTimeout());
                }
            }
        } finally {
            link = null;
            l.close();
        }
    }

    /// Hands what the director announces through its routing daemon to the listener, as the
    /// `announce.changed` event that would have said so: the model then has one way in for it.
    private void readAnnouncements(AgentLink l, AgentClient agent, long sequence) throws IOException {
        if (!l.hello().capabilities().methods().contains(Methods.ANNOUNCE_GET.name())) {
            return; // an agent older than announce.get
        }
        try {
            listener.event(new AgentEvent.AnnounceChanged(sequence, clock.instant(),
                    agent.call(Methods.ANNOUNCE_GET, Params.None.NONE)));
        } catch (RpcException nothingAnnounced) {
            // no `run --announce`, or a role without announce.get: the director is drawn as VRRP alone
            LOG.log(Level.DEBUG, "{0}: no announcements: {1}", endpoint.name(), nothingAnnounced.getMessage());
        }
    }

    private Duration heartbeatTimeout() {
        var twice = heartbeat.multipliedBy(2);
        var floor = Duration.ofSeconds(2);
        var t = twice.compareTo(floor) < 0 ? floor : twice;
        return t.compareTo(timeout) > 0 ? timeout : t;
    }

    /// Waits `d` or until woken; true when woken.
    private boolean sleep(Duration d) {
        try {
            return wake.tryAcquire(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
            return true;
        }
    }

    @Override
    public void close() {
        closed = true;
        wake.release();
        var l = link;
        if (l != null) {
            l.close();
        }
        try {
            thread.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
