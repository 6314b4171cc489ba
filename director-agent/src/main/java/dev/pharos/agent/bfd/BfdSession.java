package dev.pharos.agent.bfd;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/// One BFD session in asynchronous mode (RFC 5880 §6.8): its state variables, the reception rules
/// of §6.8.6, the state machine of §6.2, the transmit timer with jitter (§6.8.7) and the
/// detection timer (§6.8.4). A pure state machine: each [Event] comes with the time (nanoseconds
/// on any monotonic scale) and returns what to do; the caller owns sockets and timers and calls
/// [#handle] with a [Event.Tick] at [#nextDeadline]. Not thread-safe: one thread drives it.
public final class BfdSession {

    /// What happens to a session.
    public sealed interface Event {
        /// The session begins (Down, sending every `idle_tx` unless passive).
        record Start() implements Event {
        }

        /// A decoded control packet for this session arrived with IP TTL `ttl` (0: unknown).
        record Received(BfdPacket packet, int ttl) implements Event {
        }

        /// Time passed: due transmissions and detection expiry are handled.
        record Tick() implements Event {
        }

        /// The session is taken down administratively (the agent stops or the instance is
        /// removed): one AdminDown packet tells the neighbor, then nothing more is sent.
        record Stop() implements Event {
        }
    }

    /// What the caller does.
    public sealed interface Action {
        /// Send this packet to the neighbor.
        record Send(BfdPacket packet) implements Action {
        }

        /// The state changed. `failure` is false for a Down that the neighbor asked for with
        /// AdminDown, which RFC 5882 §3.2 (and keepalived, which sends no event then) does not
        /// count as a path failure.
        record StateChanged(BfdState from, BfdState to, BfdDiagnostic diagnostic, boolean failure)
                implements Action {
        }

        /// A packet was dropped after decoding (TTL, or AdminDown here); `why` says which rule.
        record Discarded(String why) implements Action {
        }
    }

    private static final long NEVER = Long.MAX_VALUE;
    /// RFC 5880 §6.8.1: bfd.RemoteMinRxInterval starts at one microsecond.
    private static final Duration INITIAL_REMOTE_MIN_RX = Duration.ofNanos(1000);

    private final BfdSettings settings;
    private final RandomGenerator random;

    // RFC 5880 §6.8.1 state variables.
    private BfdState sessionState = BfdState.DOWN;
    private BfdState remoteSessionState = BfdState.DOWN;
    private final int localDiscr;
    private int remoteDiscr;
    private BfdDiagnostic localDiag = BfdDiagnostic.NO_DIAGNOSTIC;
    private Duration desiredMinTxInterval;
    private Duration remoteMinRxInterval = INITIAL_REMOTE_MIN_RX;
    private boolean remoteDemandMode;
    // What the last packet received said, for the detection time (§6.8.4).
    private Duration remoteDesiredMinTxInterval = Duration.ZERO;
    private int remoteDetectMult;
    // §6.8.3: a Poll Sequence runs after bfd.DesiredMinTxInterval changed; while it runs, a larger
    // interval does not take effect yet.
    private boolean pollActive;
    private Duration txIntervalInUse;

    private long nextTransmit = NEVER;
    private long detectionDeadline = NEVER;

    /// @param localDiscr a nonzero discriminator unique among this system's sessions (§6.8.1)
    /// @param random     the jitter's source
    public BfdSession(BfdSettings settings, int localDiscr, RandomGenerator random) {
        if (localDiscr == 0) {
            throw new IllegalArgumentException("bfd.LocalDiscr must be nonzero");
        }
        this.settings = settings;
        this.localDiscr = localDiscr;
        this.random = random;
        this.desiredMinTxInterval = settings.idleTxInterval();
        this.txIntervalInUse = desiredMinTxInterval;
    }

    public BfdSettings settings() {
        return settings;
    }

    public BfdState state() {
        return sessionState;
    }

    public BfdState remoteState() {
        return remoteSessionState;
    }

    public int localDiscr() {
        return localDiscr;
    }

    public int remoteDiscr() {
        return remoteDiscr;
    }

    public BfdDiagnostic localDiag() {
        return localDiag;
    }

    /// The interval between two packets before jitter (§6.8.7): the larger of what we want to
    /// send at and what the neighbor can receive.
    public Duration transmitInterval() {
        return max(txIntervalInUse, remoteMinRxInterval);
    }

    /// §6.8.4, asynchronous mode: the neighbor's Detect Mult times the larger of our Required Min
    /// RX and its last Desired Min TX. Zero before the neighbor was heard.
    public Duration detectionTime() {
        return max(settings.requiredMinRxInterval(), remoteDesiredMinTxInterval).multipliedBy(remoteDetectMult);
    }

    /// When [#handle] wants a [Event.Tick] next ([Long#MAX_VALUE]: never).
    public long nextDeadline() {
        return Math.min(nextTransmit, detectionDeadline);
    }

    public List<Action> handle(Event event, long now) {
        var actions = new ArrayList<Action>(2);
        switch (event) {
            case Event.Start() -> {
                if (mayTransmit()) {
                    nextTransmit = now;
                }
                tick(now, actions);
            }
            case Event.Received r -> receive(r.packet(), r.ttl(), now, actions);
            case Event.Tick() -> tick(now, actions);
            case Event.Stop() -> {
                if (sessionState != BfdState.ADMIN_DOWN) {
                    transition(BfdState.ADMIN_DOWN, BfdDiagnostic.ADMINISTRATIVELY_DOWN, false, actions);
                    actions.add(new Action.Send(packet(false)));
                }
                nextTransmit = NEVER;
                detectionDeadline = NEVER;
            }
        }
        return actions;
    }

    private void tick(long now, List<Action> actions) {
        if (detectionDeadline <= now) {
            // §6.8.4: Detection Time passed without a packet; §6.8.1: bfd.RemoteDiscr back to zero.
            detectionDeadline = NEVER;
            remoteDiscr = 0;
            transition(BfdState.DOWN, BfdDiagnostic.CONTROL_DETECTION_TIME_EXPIRED, true, actions);
        }
        if (nextTransmit <= now) {
            if (mayTransmit()) {
                actions.add(new Action.Send(packet(false)));
                nextTransmit = now + jittered(transmitInterval());
            } else {
                nextTransmit = NEVER;
            }
        }
    }

    /// §6.8.7: nothing periodic in AdminDown, nor as the passive side before the neighbor has a
    /// discriminator for us, nor when the neighbor asked for no packets (Required Min RX zero),
    /// nor while both are Up and the neighbor is in Demand mode.
    private boolean mayTransmit() {
        return sessionState != BfdState.ADMIN_DOWN && !(settings.passive() && remoteDiscr == 0)
                && !remoteMinRxInterval.isZero()
                && !(remoteDemandMode && sessionState == BfdState.UP && remoteSessionState == BfdState.UP);
    }

    /// §6.8.7: the interval less a random 0–25 %, or 10–25 % when bfd.DetectMult is 1 so that
    /// no interval reaches 90 % of the detection time.
    private long jittered(Duration interval) {
        long nanos = interval.toNanos();
        double cut = settings.detectMult() == 1 ? 0.10 + random.nextDouble() * 0.15 : random.nextDouble() * 0.25;
        return nanos - (long) (nanos * cut);
    }

    private void receive(BfdPacket p, int ttl, long now, List<Action> actions) {
        // RFC 5881 §5 (GTSM), extended as keepalived does: max_hops −1 checks nothing.
        if (ttl != 0 && settings.maxHops() >= 0 && ttl + settings.maxHops() < settings.ttl()) {
            actions.add(new Action.Discarded("TTL " + ttl + " < " + (settings.ttl() - settings.maxHops())));
            return;
        }
        if (sessionState == BfdState.ADMIN_DOWN) {
            actions.add(new Action.Discarded("the session is AdminDown"));
            return;
        }
        remoteDiscr = p.myDiscriminator();
        remoteSessionState = p.state();
        remoteDemandMode = p.demand();
        var oldInterval = transmitInterval();
        remoteMinRxInterval = p.requiredMinRxInterval();
        remoteDesiredMinTxInterval = p.desiredMinTxInterval();
        remoteDetectMult = p.detectMult();
        if (p.fin() && pollActive) {
            pollActive = false;
            txIntervalInUse = desiredMinTxInterval;
        }
        // §6.8.6 state machine (§6.2).
        if (p.state() == BfdState.ADMIN_DOWN) {
            if (sessionState != BfdState.DOWN) {
                transition(BfdState.DOWN, BfdDiagnostic.NEIGHBOR_SIGNALED_SESSION_DOWN, false, actions);
            }
        } else {
            switch (sessionState) {
                case DOWN -> {
                    if (p.state() == BfdState.DOWN) {
                        transition(BfdState.INIT, BfdDiagnostic.NO_DIAGNOSTIC, false, actions);
                    } else if (p.state() == BfdState.INIT) {
                        transition(BfdState.UP, BfdDiagnostic.NO_DIAGNOSTIC, false, actions);
                    }
                }
                case INIT -> {
                    if (p.state() == BfdState.INIT || p.state() == BfdState.UP) {
                        transition(BfdState.UP, BfdDiagnostic.NO_DIAGNOSTIC, false, actions);
                    }
                }
                case UP -> {
                    if (p.state() == BfdState.DOWN) {
                        transition(BfdState.DOWN, BfdDiagnostic.NEIGHBOR_SIGNALED_SESSION_DOWN, true, actions);
                    }
                }
                case ADMIN_DOWN -> throw new IllegalStateException("AdminDown discards before this point");
            }
        }
        detectionDeadline = sessionState == BfdState.INIT || sessionState == BfdState.UP
                ? now + detectionTime().toNanos() : NEVER;
        if (p.poll()) {
            // §6.8.6: answer a Poll at once with Final, outside the periodic schedule.
            actions.add(new Action.Send(packet(true)));
        }
        if (!mayTransmit()) {
            nextTransmit = NEVER;
        } else if (nextTransmit == NEVER || transmitInterval().compareTo(oldInterval) < 0
                && nextTransmit - now > transmitInterval().toNanos()) {
            // First packet heard (passive side), or the interval shrank: do not wait out the old one.
            nextTransmit = now + jittered(transmitInterval());
        }
    }

    /// The one transition method: the state, the diagnostic, and the advertised interval that
    /// goes with Up or not Up (keepalived: `idle_tx` while not Up, `min_tx` while Up), starting a
    /// Poll Sequence when it changes (§6.8.3).
    private void transition(BfdState to, BfdDiagnostic diag, boolean failure, List<Action> actions) {
        var from = sessionState;
        if (from == to) {
            return;
        }
        sessionState = to;
        localDiag = diag;
        var wanted = to == BfdState.UP ? settings.desiredMinTxInterval() : settings.idleTxInterval();
        if (!wanted.equals(desiredMinTxInterval)) {
            desiredMinTxInterval = wanted;
            if (to == BfdState.UP) {
                pollActive = true;
                // §6.8.3: a larger interval waits for the Poll Sequence; a smaller one may start now.
                if (wanted.compareTo(txIntervalInUse) < 0) {
                    txIntervalInUse = wanted;
                }
            } else {
                pollActive = false;
                txIntervalInUse = wanted;
            }
        }
        if (to != BfdState.UP && to != BfdState.INIT) {
            detectionDeadline = NEVER;
        }
        actions.add(new Action.StateChanged(from, to, diag, failure));
    }

    private BfdPacket packet(boolean fin) {
        // §6.8.7: Poll and Final never together; an answer to the neighbor's Poll goes first.
        return new BfdPacket(localDiag, sessionState, pollActive && !fin, fin, false, false, settings.detectMult(),
                localDiscr, remoteDiscr, desiredMinTxInterval, settings.requiredMinRxInterval(), Duration.ZERO);
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
