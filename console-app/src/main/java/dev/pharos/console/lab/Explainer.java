package dev.pharos.console.lab;

import dev.pharos.agent.api.AgentEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;

/// Says why a VRRP transition happened, in the words a trainer would use, with the RFC 5798
/// numbers worked out: Skew_Time = (256 − priority) / 256 × advert_int and Master_Down_Interval =
/// 3 × advert_int + Skew_Time. It remembers recent transitions so it can tell a graceful handover
/// (the old master sent priority 0 on its way out) from a crash (nothing was heard at all).
public final class Explainer {

    private final Deque<AgentEvent.VrrpTransition> recent = new ArrayDeque<>();

    /// @param director        the director the transition happened on
    /// @param advertInterval  the instance's advert_int
    public String explain(String director, AgentEvent.VrrpTransition t, Duration advertInterval) {
        var text = explainNow(director, t, advertInterval);
        recent.addLast(t);
        while (recent.size() > 50) {
            recent.removeFirst();
        }
        return text;
    }

    private String explainNow(String director, AgentEvent.VrrpTransition t, Duration advert) {
        var who = director + " (" + t.instance() + ", VRID " + t.vrid() + ", priority " + t.priority() + ")";
        double adv = advert.toNanos() / 1e9;
        double skew = (256 - t.priority()) / 256.0 * adv;
        double down = 3 * adv + skew;
        var reason = t.reason() == null ? "" : t.reason();
        if (t.to().equals("MASTER")) {
            if (reason.equals("master down timer expired")) {
                if (someoneStopped(t)) {
                    return who + " became MASTER: the old master sent an advert with priority 0 as it stopped, so "
                            + "this backup waited only Skew_Time = (256 − " + t.priority() + ")/256 × " + num(adv)
                            + " s = " + num(skew) + " s before taking over (RFC 5798 §6.4.2), instead of the full "
                            + "Master_Down_Interval of " + num(down) + " s.";
                }
                return who + " became MASTER: it heard no advert for Master_Down_Interval = 3 × " + num(adv) + " s + "
                        + "Skew_Time " + num(skew) + " s = " + num(down) + " s, so it concluded the master is gone "
                        + "(crashed, or cut off from it) and took over the VIPs, announcing them with gratuitous ARP.";
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
                return who + " started as BACKUP and listens for the master's adverts; if none comes within "
                        + num(down) + " s it will take over.";
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

    /// Did the same VRID's master stop gracefully in the last few seconds?
    private boolean someoneStopped(AgentEvent.VrrpTransition t) {
        var since = t.at().minusSeconds(10);
        for (var e : recent) {
            if (e.vrid() == t.vrid() && e.from().equals("MASTER") && e.to().equals("INITIALIZE") && e.at().isAfter(since)) {
                return true;
            }
        }
        return false;
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    /// For tests: an explanation without history.
    static String once(String director, AgentEvent.VrrpTransition t) {
        return new Explainer().explain(director, t, Duration.ofSeconds(1));
    }

    static Instant now() {
        return Instant.now();
    }
}
