package dev.pharos.console.lab;

import dev.pharos.agent.api.AgentEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/// Says why a VRRP transition happened, in the words a trainer would use, with the RFC 5798
/// numbers worked out: Skew_Time = (256 − priority) / 256 × advert_int and Master_Down_Interval =
/// 3 × advert_int + Skew_Time. It remembers recent transitions, and whose they were, so it can tell
/// a graceful handover (the old master sent priority 0 on its way out), a preemption (a director
/// that started with a higher priority than the master's ignores its adverts), a `state MASTER`
/// start (it waits one advert interval, not Master_Down_Interval) and a crash (nothing was heard).
public final class Explainer {

    /// A transition and the director it happened on.
    private record Seen(String director, AgentEvent.VrrpTransition transition) {
    }

    private final Deque<Seen> recent = new ArrayDeque<>();

    /// @param director        the director the transition happened on
    /// @param advertInterval  the instance's advert_int
    public String explain(String director, AgentEvent.VrrpTransition t, Duration advertInterval) {
        var text = explainNow(director, t, advertInterval);
        remember(director, t);
        return text;
    }

    /// Remembers a transition the console did not see as it happened, without explaining it: a
    /// director's start, made before the console connected, is known from its state (see
    /// [LabSession]); without it, its first takeover would read as if a master had crashed.
    public void remember(String director, AgentEvent.VrrpTransition t) {
        recent.addLast(new Seen(director, t));
        while (recent.size() > 50) {
            recent.removeFirst();
        }
    }

    private String explainNow(String director, AgentEvent.VrrpTransition t, Duration advert) {
        var who = director + " (" + t.instance() + ", VRID " + t.vrid() + ", priority " + t.priority() + ")";
        double adv = advert.toNanos() / 1e9;
        double skew = (256 - t.priority()) / 256.0 * adv;
        double down = 3 * adv + skew;
        var reason = t.reason() == null ? "" : t.reason();
        if (t.to().equals("MASTER")) {
            if (reason.equals("master down timer expired")) {
                if (someoneStopped(director, t)) {
                    return who + " became MASTER: the old master sent an advert with priority 0 as it stopped, so "
                            + "this backup waited only Skew_Time = (256 − " + t.priority() + ")/256 × " + num(adv)
                            + " s = " + num(skew) + " s before taking over (RFC 5798 §6.4.2), instead of the full "
                            + "Master_Down_Interval of " + num(down) + " s.";
                }
                var started = startedAt(director, t);
                var master = liveMaster(director, t);
                if (master != null && master.transition().priority() < t.priority()) {
                    return who + " became MASTER by preemption: " + master.director() + " was MASTER with priority "
                            + master.transition().priority() + ", lower than its " + t.priority() + ". A backup "
                            + "ignores adverts of a lower priority (RFC 5798 §6.4.2, preemption is the default), so "
                            + "its Master_Down timer ran out"
                            + (started == null ? "" : startWait(started, t, adv, down))
                            + " and it took over; " + master.director() + " steps back to BACKUP when it hears the "
                            + "higher priority.";
                }
                if (started != null && Duration.between(started, t.at()).toNanos() < down * 0.9e9) {
                    return who + " became MASTER" + startWait(started, t, adv, down)
                            + ": no advert was heard in that time, so it took over the VIPs.";
                }
                return who + " became MASTER: it heard no advert for Master_Down_Interval = 3 × " + num(adv) + " s + "
                        + "Skew_Time " + num(skew) + " s = " + num(down) + " s, so it concluded the master is gone "
                        + "(crashed, or cut off from it) and took over the VIPs, announcing them with gratuitous ARP "
                        + "(IPv6: unsolicited neighbour advertisements).";
            }
            if (reason.startsWith("init")) {
                return who + " started as MASTER (" + reason + "): `state MASTER` in its configuration is only its "
                        + "first wish; it keeps the role only while no higher priority is heard.";
            }
            return who + " became MASTER: " + reason + ".";
        }
        if (t.to().equals("BACKUP")) {
            if (reason.startsWith("higher priority")) {
                return who + " went back to BACKUP: it heard an advert with a " + reason.replace("higher priority",
                        "higher priority,") + ". With preemption (the default) the higher priority always wins, so "
                        + "the VIP goes back to the director configured to hold it.";
            }
            if (reason.startsWith("same priority")) {
                return who + " went back to BACKUP: " + reason + " — on a tie the higher primary address wins.";
            }
            if (reason.startsWith("init")) {
                return who + " started as BACKUP and listens for adverts: a master of at least its priority keeps "
                        + "it BACKUP; otherwise it takes over when its Master_Down timer runs out (Master_Down_Interval "
                        + num(down) + " s, or only one advert interval with `state MASTER`).";
            }
            return who + " became BACKUP: " + reason + ".";
        }
        if (t.to().equals("INITIALIZE")) {
            return who + " stopped (" + reason + ")" + (t.from().equals("MASTER")
                    ? ": as master it first sent an advert with priority 0, telling the backup to take over now."
                    : ".");
        }
        if (t.to().equals("FAULT")) {
            return who + " entered FAULT (" + reason + "): it neither advertises nor holds the VIPs until the fault clears.";
        }
        return who + ": " + t.from() + " → " + t.to() + " (" + reason + ").";
    }

    /// Did another director, master of the same VRID, stop gracefully in the last few seconds —
    /// its latest transition of the VRID being that stop (a stop it has since come back from, or
    /// one before `director` last started, is not why `director` takes over now)?
    private boolean someoneStopped(String director, AgentEvent.VrrpTransition t) {
        var since = t.at().minusSeconds(10);
        var started = startedAt(director, t);
        if (started != null && started.isAfter(since)) {
            since = started;
        }
        for (var seen : lastOfOthers(director, t).values()) {
            var e = seen.transition();
            if (e.from().equals("MASTER") && e.to().equals("INITIALIZE") && e.at().isAfter(since)) {
                return true;
            }
        }
        return false;
    }

    /// Each other director's latest transition of this VRID made by the time of `t`, by the time it
    /// was made, not when it arrived: directors report over links of their own, so the old master's
    /// step down (made just after `t`, on hearing it) can reach the console before `t` does.
    private Map<String, Seen> lastOfOthers(String director, AgentEvent.VrrpTransition t) {
        var lastOf = new LinkedHashMap<String, Seen>();
        for (var seen : recent) {
            var e = seen.transition();
            if (e.vrid() == t.vrid() && !seen.director().equals(director) && !e.at().isAfter(t.at())) {
                lastOf.merge(seen.director(), seen, (a, b) -> b.transition().at().isBefore(a.transition().at()) ? a : b);
            }
        }
        return lastOf;
    }

    /// When `director` last started this instance (its `init` transition), if that is what it did
    /// last before `t`.
    private Instant startedAt(String director, AgentEvent.VrrpTransition t) {
        for (var it = recent.descendingIterator(); it.hasNext(); ) {
            var seen = it.next();
            if (seen.director().equals(director) && seen.transition().instance().equals(t.instance())) {
                var last = seen.transition();
                return last.reason() != null && last.reason().startsWith("init") ? last.at() : null;
            }
        }
        return null;
    }

    /// Another director whose last transition for this VRID made it MASTER, or null.
    private Seen liveMaster(String director, AgentEvent.VrrpTransition t) {
        return lastOfOthers(director, t).values().stream().filter(s -> s.transition().to().equals("MASTER")).findFirst().orElse(null);
    }

    /// ", X s after it started: `state MASTER` waits only …" or ", Master_Down_Interval after it started".
    private static String startWait(Instant started, AgentEvent.VrrpTransition t, double adv, double down) {
        double waited = Duration.between(started, t.at()).toNanos() / 1e9;
        if (waited < down * 0.9) {
            double skew255 = adv / 256;
            return ", " + num(waited) + " s after it started: with `state MASTER` a director waits only one "
                    + "advert interval plus the smallest skew (" + num(adv) + " + " + millis(skew255) + " = "
                    + millis(adv + skew255) + " s, as keepalived does) before it claims the VIPs, not Master_Down_Interval";
        }
        return ", Master_Down_Interval (" + num(down) + " s) after it started";
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    /// To the millisecond: the smallest skew (1/256 of an interval) reads 0.00 in hundredths.
    private static String millis(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    /// For tests: an explanation without history.
    static String once(String director, AgentEvent.VrrpTransition t) {
        return new Explainer().explain(director, t, Duration.ofSeconds(1));
    }

    static Instant now() {
        return Instant.now();
    }
}
