package dev.pharos.agent.vrrp;

import dev.pharos.agent.api.Addresses;
import dev.pharos.agent.vrrp.VrrpAction.AddVips;
import dev.pharos.agent.vrrp.VrrpAction.AnnounceVips;
import dev.pharos.agent.vrrp.VrrpAction.ArmAdverTimer;
import dev.pharos.agent.vrrp.VrrpAction.ArmMasterDownTimer;
import dev.pharos.agent.vrrp.VrrpAction.CancelTimer;
import dev.pharos.agent.vrrp.VrrpAction.RemoveVips;
import dev.pharos.agent.vrrp.VrrpAction.SendAdvert;
import dev.pharos.agent.vrrp.VrrpAction.StateChanged;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/// The RFC 5798 §6.4 state machine of one virtual router, as a pure function at heart:
/// [#handle] maps `(state, event, now)` to `(state, actions)` and touches nothing else (it logs).
/// Every state change passes through [#changeState], which counts the transition and ends the
/// actions with [StateChanged]; the instance logs `(VI_1) Entering MASTER STATE (reason)` as
/// keepalived does when it runs that action, i.e. after the advert is on the wire (a synchronous
/// log write before it cost a takeover about a millisecond).
///
/// The router itself is immutable configuration; its mutable part is the [RouterState] value
/// the caller keeps and passes back.
public final class VrrpRouter {

    private static final System.Logger LOG = System.getLogger(VrrpRouter.class.getName());

    /// RFC 5798 §6.1: priority of the router that owns the virtual addresses.
    public static final int PRIORITY_OWNER = 255;
    /// RFC 5798 §6.1: priority a master sends when it stops being master.
    public static final int PRIORITY_STOP = 0;

    private final VrrpSettings settings;
    private final InetAddress primaryAddress;

    /// @param primaryAddress this router's own advert source (Primary_IP_Address, RFC 5798 §6.1),
    ///                       compared with a peer's on equal priority
    public VrrpRouter(VrrpSettings settings, InetAddress primaryAddress) {
        this.settings = settings;
        this.primaryAddress = primaryAddress;
    }

    /// The mutable part of a router, as a value.
    ///
    /// @param basePriority        configured or operator-set priority, 1–255
    /// @param trackWeight         sum of the weights of tracked objects currently applied
    /// @param faults              active fault sources; FAULT while not empty
    /// @param masterAdverInterval RFC 5798 §6.1 Master_Adver_Interval (learned in v3)
    /// @param master              source of the last accepted advert, or null
    /// @param preemptTime         when a started `preempt_delay` ends, or null when not started
    /// @param resigned            after [VrrpEvent.Resign]: accept any master until master again
    /// @param transitions         number of state changes so far
    public record RouterState(VrrpState state, int basePriority, int trackWeight, Set<String> faults,
            Duration masterAdverInterval, InetAddress master, Instant preemptTime, boolean resigned,
            long transitions) {

        public RouterState {
            faults = Set.copyOf(faults);
        }

        /// Base priority plus track weights, clamped to 1–254; an owner (255) stays 255.
        /// keepalived ignores track weights for an address owner too.
        public int effectivePriority() {
            if (basePriority == PRIORITY_OWNER) {
                return PRIORITY_OWNER;
            }
            return Math.clamp(basePriority + (long) trackWeight, 1, 254);
        }
    }

    /// The result of one event: the next state and the actions to run, in order.
    public record Transition(RouterState state, List<VrrpAction> actions) {
        public Transition {
            actions = List.copyOf(actions);
        }
    }

    /// The state before [VrrpEvent.Startup]: Initialize, configured priority, no faults.
    public RouterState initialState() {
        return new RouterState(VrrpState.INITIALIZE, settings.priority(), 0, Set.of(),
                settings.advertInterval(), null, null, false, 0);
    }

    /// RFC 5798 §6.1 Skew_Time for a priority, as keepalived's `VRRP_TIMER_SKEW` computes it:
    /// v3 `((256 − priority) × Master_Adver_Interval) / 256` with the interval in centiseconds,
    /// to the microsecond. Deviation from RFC 5798 for v2 (RFC 3768 §6.1 rule, as keepalived):
    /// `(256 − priority) / 256` seconds, whatever the advert interval.
    public static Duration skewTime(VrrpVersion version, int priority, Duration masterAdverInterval) {
        long p = 256 - priority;
        long micros = switch (version) {
            case V2 -> p * 1_000_000 / 256;
            case V3 -> p * (masterAdverInterval.toMillis() / 10) * 625 / 16;
        };
        return Duration.ofNanos(micros * 1000);
    }

    /// RFC 5798 §6.1 Master_Down_Interval = 3 × Master_Adver_Interval + Skew_Time.
    public static Duration masterDownInterval(VrrpVersion version, int priority, Duration masterAdverInterval) {
        return masterAdverInterval.multipliedBy(3).plus(skewTime(version, priority, masterAdverInterval));
    }

    Duration skewTime(RouterState s) {
        return skewTime(settings.version(), s.effectivePriority(), s.masterAdverInterval());
    }

    Duration masterDownInterval(RouterState s) {
        return masterDownInterval(settings.version(), s.effectivePriority(), s.masterAdverInterval());
    }

    /// The one entry point: what `event` at `now` does to `s`.
    public Transition handle(RouterState s, VrrpEvent event, Instant now) {
        return switch (event) {
            case VrrpEvent.Startup e -> startup(s, now);
            case VrrpEvent.Shutdown e -> shutdown(s, now);
            case VrrpEvent.AdvertReceived e -> switch (s.state()) {
                case BACKUP -> backupReceived(s, e, now);
                case MASTER -> masterReceived(s, e, now);
                case INITIALIZE, FAULT -> none(s);
            };
            case VrrpEvent.MasterDownTimerExpired e -> s.state() == VrrpState.BACKUP
                    // RFC 5798 §6.4.2: the Master_Down_Timer fires → transition to Master.
                    ? becomeMaster(s, "master down timer expired", now)
                    : none(s);
            case VrrpEvent.AdverTimerExpired e -> s.state() == VrrpState.MASTER
                    // RFC 5798 §6.4.3: the Adver_Timer fires → send an advert, re-arm.
                    ? new Transition(s, List.of(new SendAdvert(s.effectivePriority()),
                            new ArmAdverTimer(settings.advertInterval())))
                    : none(s);
            case VrrpEvent.FaultRaised e -> faultRaised(s, e.source(), now);
            case VrrpEvent.FaultCleared e -> faultCleared(s, e.source(), now);
            case VrrpEvent.TrackWeightChanged e -> priorityChanged(s,
                    new RouterState(s.state(), s.basePriority(), e.trackWeight(), s.faults(),
                            s.masterAdverInterval(), s.master(), s.preemptTime(), s.resigned(), s.transitions()));
            case VrrpEvent.SetPriority e -> {
                if (e.basePriority() < 1 || e.basePriority() > PRIORITY_OWNER) {
                    throw new IllegalArgumentException("(" + settings.name() + ") priority "
                            + e.basePriority() + " is outside 1–255");
                }
                yield priorityChanged(s, new RouterState(s.state(), e.basePriority(), s.trackWeight(),
                        s.faults(), s.masterAdverInterval(), s.master(), s.preemptTime(), false, s.transitions()));
            }
            case VrrpEvent.Resign e -> s.state() == VrrpState.MASTER
                    ? leaveMasterWithStop(resigned(s, true), "resigned by operator", now)
                    : none(s);
            case VrrpEvent.SyncGroupMaster e -> s.state() == VrrpState.BACKUP && s.faults().isEmpty()
                    ? becomeMaster(s, "sync group " + e.group() + " member became master", now)
                    : none(s);
            case VrrpEvent.SyncGroupBackup e -> s.state() == VrrpState.MASTER
                    ? changeState(s, VrrpState.BACKUP, "sync group " + e.group() + " member became backup",
                            now, List.of(new RemoveVips(), new ArmMasterDownTimer(masterDownInterval(s))))
                    : none(s);
        };
    }

    private Transition none(RouterState s) {
        return new Transition(s, List.of());
    }

    /// RFC 5798 §6.4.1 Initialize: an owner goes to Master, anyone else to Backup.
    private Transition startup(RouterState s, Instant now) {
        if (s.state() != VrrpState.INITIALIZE) {
            return none(s);
        }
        var fresh = new RouterState(VrrpState.INITIALIZE, s.basePriority(), s.trackWeight(), s.faults(),
                settings.advertInterval(), null, null, false, s.transitions());
        if (!fresh.faults().isEmpty()) {
            return changeState(fresh, VrrpState.FAULT, "init: " + String.join(", ", sorted(fresh.faults())),
                    now, List.of(new CancelTimer()));
        }
        if (fresh.effectivePriority() == PRIORITY_OWNER) {
            return becomeMaster(fresh, "init, address owner", now);
        }
        // Deviation from RFC 5798 §6.4.1 (keepalived does so): `state MASTER` waits one
        // advert interval plus the smallest skew, long enough to hear an existing master.
        var wait = settings.initialState() == InitialState.MASTER
                ? fresh.masterAdverInterval().plus(skewTime(settings.version(), 255, fresh.masterAdverInterval()))
                : masterDownInterval(fresh);
        return changeState(fresh, VrrpState.BACKUP, "init", now, List.of(new ArmMasterDownTimer(wait)));
    }

    /// RFC 5798 §6.4.2/§6.4.3 Shutdown: a master cancels its timer and sends priority 0.
    private Transition shutdown(RouterState s, Instant now) {
        return switch (s.state()) {
            case INITIALIZE -> none(s);
            case MASTER -> changeState(s, VrrpState.INITIALIZE, "shutdown", now,
                    List.of(new CancelTimer(), new SendAdvert(PRIORITY_STOP), new RemoveVips()));
            case BACKUP, FAULT -> changeState(s, VrrpState.INITIALIZE, "shutdown", now, List.of(new CancelTimer()));
        };
    }

    /// RFC 5798 §6.4.2, Backup receives an advert.
    private Transition backupReceived(RouterState s, VrrpEvent.AdvertReceived e, Instant now) {
        int mine = s.effectivePriority();
        if (e.priority() == PRIORITY_STOP) {
            // §6.4.2: the master stopped: set the Master_Down_Timer to Skew_Time.
            var next = withMaster(s, e.source(), s.masterAdverInterval(), s.preemptTime());
            return new Transition(next, List.of(new ArmMasterDownTimer(skewTime(next))));
        }
        boolean delaying = settings.preemptDelay().isPositive()
                && (s.preemptTime() == null || s.preemptTime().isAfter(now));
        if (!settings.preempt() || s.resigned() || e.priority() >= mine || delaying) {
            // §6.4.2: accept: learn Master_Adver_Interval (v3 only; v2 has no such field, and a
            // v2 interval mismatch was already dropped by the instance), reset the timer.
            var interval = settings.version() == VrrpVersion.V3 ? e.maxAdverInterval() : s.masterAdverInterval();
            Instant preemptTime = s.preemptTime();
            if (settings.preemptDelay().isPositive()) {
                if (e.priority() >= mine) {
                    preemptTime = null;
                } else if (preemptTime == null) {
                    // keepalived: preempt_delay counts from the first lower-priority advert seen.
                    preemptTime = now.plus(settings.preemptDelay());
                }
            }
            var next = withMaster(s, e.source(), interval, preemptTime);
            return new Transition(next, List.of(new ArmMasterDownTimer(masterDownInterval(next))));
        }
        // §6.4.2: preempt and a lower priority: discard; the running timer makes us master.
        return none(s);
    }

    /// RFC 5798 §6.4.3, Master receives an advert.
    private Transition masterReceived(RouterState s, VrrpEvent.AdvertReceived e, Instant now) {
        int mine = s.effectivePriority();
        if (e.priority() == PRIORITY_STOP) {
            // §6.4.3: another master stopped: advertise at once so backups see us.
            return new Transition(s, List.of(new SendAdvert(mine), new ArmAdverTimer(settings.advertInterval())));
        }
        int cmp = compare(e.source(), primaryAddress);
        if (e.priority() > mine || (e.priority() == mine && cmp > 0)) {
            var interval = settings.version() == VrrpVersion.V3 ? e.maxAdverInterval() : s.masterAdverInterval();
            var next = withMaster(s, e.source(), interval, null);
            var reason = e.priority() > mine
                    ? "higher priority " + e.priority() + " from " + Addresses.text(e.source()) + ", ours " + mine
                    : "same priority " + mine + " but higher address " + Addresses.text(e.source());
            var down = new ArrayList<VrrpAction>(3);
            if (settings.answers().higherPrioSendAdvert()) {
                down.add(new SendAdvert(mine)); // keepalived's higher_prio_send_advert: one last advert of ours
            }
            down.add(new RemoveVips());
            down.add(new ArmMasterDownTimer(masterDownInterval(next)));
            return changeState(next, VrrpState.BACKUP, reason, now, down);
        }
        if (cmp == 0) {
            return none(s); // our own advert looped back
        }
        if (settings.answers().lowerPrioNoAdvert()) {
            return none(s); // RFC 5798 §6.4.3: discard it
        }
        // RFC 9568 §6.4.3 allows answering a losing advert with one of our own at once, so the other
        // router steps down sooner and learning bridges see us; keepalived does so by default and,
        // as vrrp_dispatcher_read does after any advert it answered, starts its Adver_Timer again.
        return new Transition(s, List.of(new SendAdvert(mine), new ArmAdverTimer(settings.advertInterval())));
    }

    private Transition faultRaised(RouterState s, String source, Instant now) {
        var faults = new HashSet<>(s.faults());
        if (!faults.add(source)) {
            return none(s);
        }
        var next = new RouterState(s.state(), s.basePriority(), s.trackWeight(), faults,
                s.masterAdverInterval(), s.master(), s.preemptTime(), s.resigned(), s.transitions());
        return switch (s.state()) {
            case INITIALIZE, FAULT -> none(next);
            // keepalived: a master entering FAULT sends priority 0 so a backup takes over at once.
            case MASTER -> changeState(next, VrrpState.FAULT, source, now,
                    List.of(new CancelTimer(), new SendAdvert(PRIORITY_STOP), new RemoveVips()));
            case BACKUP -> changeState(next, VrrpState.FAULT, source, now, List.of(new CancelTimer()));
        };
    }

    private Transition faultCleared(RouterState s, String source, Instant now) {
        var faults = new HashSet<>(s.faults());
        if (!faults.remove(source)) {
            return none(s);
        }
        var next = new RouterState(s.state(), s.basePriority(), s.trackWeight(), faults,
                settings.advertInterval(), s.master(), null, s.resigned(), s.transitions());
        if (s.state() != VrrpState.FAULT || !faults.isEmpty()) {
            return none(new RouterState(s.state(), s.basePriority(), s.trackWeight(), faults,
                    s.masterAdverInterval(), s.master(), s.preemptTime(), s.resigned(), s.transitions()));
        }
        if (next.effectivePriority() == PRIORITY_OWNER) {
            return becomeMaster(next, source + " recovered, address owner", now);
        }
        return changeState(next, VrrpState.BACKUP, source + " recovered", now,
                List.of(new ArmMasterDownTimer(masterDownInterval(next))));
    }

    private Transition priorityChanged(RouterState before, RouterState after) {
        if (after.state() == VrrpState.MASTER && after.effectivePriority() != before.effectivePriority()) {
            LOG.log(Level.INFO, "({0}) priority {1} -> {2}, advertising it now", settings.name(),
                    before.effectivePriority(), after.effectivePriority());
            // Tell the backups at once: a lower priority may let a preempting backup take over.
            return new Transition(after, List.of(new SendAdvert(after.effectivePriority()),
                    new ArmAdverTimer(settings.advertInterval())));
        }
        return none(after);
    }

    /// RFC 5798 §6.4.2 "transition to Master": advertise and arm the Adver_Timer first, then the
    /// VIP work, so a slow address change never delays the first advert.
    private Transition becomeMaster(RouterState s, String reason, Instant now) {
        var next = new RouterState(s.state(), s.basePriority(), s.trackWeight(), s.faults(),
                settings.advertInterval(), s.master(), null, false, s.transitions());
        return changeState(next, VrrpState.MASTER, reason, now, List.of(
                new SendAdvert(next.effectivePriority()), new ArmAdverTimer(settings.advertInterval()),
                new AddVips(), new AnnounceVips()));
    }

    private Transition leaveMasterWithStop(RouterState s, String reason, Instant now) {
        return changeState(s, VrrpState.BACKUP, reason, now, List.of(new SendAdvert(PRIORITY_STOP),
                new RemoveVips(), new ArmMasterDownTimer(masterDownInterval(s))));
    }

    /// The one place a state changes: logs, counts, and appends [StateChanged].
    private Transition changeState(RouterState s, VrrpState to, String reason, Instant now,
            List<VrrpAction> actions) {
        var from = s.state();
        var next = new RouterState(to, s.basePriority(), s.trackWeight(), s.faults(),
                s.masterAdverInterval(), s.master(), s.preemptTime(), s.resigned(), s.transitions() + 1);
        var all = new ArrayList<>(actions);
        all.add(new StateChanged(from, to, reason, now, next.effectivePriority()));
        return new Transition(next, all);
    }

    private static RouterState withMaster(RouterState s, InetAddress master, Duration interval, Instant preemptTime) {
        return new RouterState(s.state(), s.basePriority(), s.trackWeight(), s.faults(), interval, master,
                preemptTime, s.resigned(), s.transitions());
    }

    private static RouterState resigned(RouterState s, boolean resigned) {
        return new RouterState(s.state(), s.basePriority(), s.trackWeight(), s.faults(),
                s.masterAdverInterval(), s.master(), s.preemptTime(), resigned, s.transitions());
    }

    /// Unsigned comparison of two primary addresses of one family (RFC 5798 §6.4.3: "primary IP
    /// address is larger"; for IPv6 the link-local address, §6.1).
    static int compare(InetAddress a, InetAddress b) {
        return Arrays.compareUnsigned(a.getAddress(), b.getAddress());
    }

    private static List<String> sorted(Set<String> set) {
        return set.stream().sorted().toList();
    }
}
