package dev.pharos.console.model;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/// When is "two directors say MASTER for one VRRP group" a split brain?
///
/// Two MASTER reports for one VRID are normal for a moment: at every takeover the new master
/// announces itself before the old one has heard it (RFC 5798 §6.4.3: the old master steps down
/// on the first advert of higher priority), and whenever one director's events reach the console
/// late. A split brain is two masters that *last*: both routers MASTER at once for longer than the
/// group's Master_Down_Interval, which no takeover produces, because a backup that hears a master
/// never waits longer than that before it either takes over or stays backup.
///
/// The evidence is the agents' own: each report says since when the director has been MASTER
/// (the instance's `lastChange`, or a transition's time) and at what moment that was still true
/// (the state snapshot's time, or the transition's). Two such reports overlap in time from the
/// later `masterSince` to the earlier `trueAt`; only an overlap of at least Master_Down_Interval
/// is a split brain. In the lab the agents' clock stands still while the lab is paused step by
/// step, so a pause never counts. Reports the console holds but that are not fresh enough to
/// prove it make the verdict [Verdict.Checking]: the caller asks those directors for a fresh
/// state once the confirmation time has come. The rule takes the directors' clocks to agree
/// (NTP); a skew makes a split brain show that much earlier or later.
public final class SplitBrainRule {

    /// One director's claim to be MASTER of a group.
    ///
    /// @param masterSince        when it became MASTER, by its own clock
    /// @param trueAt             when it was last known to be MASTER still, by its own clock
    /// @param masterDownInterval the group's Master_Down_Interval at this director's priority
    public record MasterReport(String director, Instant masterSince, Instant trueAt, Duration masterDownInterval) {
    }

    /// What the reports show.
    public sealed interface Verdict {
        /// One master at most: nothing to say.
        record Single() implements Verdict {
        }

        /// Two or more masters, not (yet) for long enough: fresh reports taken after
        /// `confirmAfter` decide.
        record Checking(Instant confirmAfter) implements Verdict {
        }

        /// Two or more masters at once for `overlap`, at least Master_Down_Interval.
        record Split(Duration overlap) implements Verdict {
        }
    }

    private SplitBrainRule() {
    }

    /// The verdict on the MASTER reports for one group.
    public static Verdict judge(List<MasterReport> masters) {
        if (masters.size() < 2) {
            return new Verdict.Single();
        }
        var start = masters.getFirst().masterSince();
        var end = masters.getFirst().trueAt();
        var longest = Duration.ZERO;
        for (var m : masters) {
            start = m.masterSince().isAfter(start) ? m.masterSince() : start;
            end = m.trueAt().isBefore(end) ? m.trueAt() : end;
            longest = m.masterDownInterval().compareTo(longest) > 0 ? m.masterDownInterval() : longest;
        }
        var overlap = end.isAfter(start) ? Duration.between(start, end) : Duration.ZERO;
        if (overlap.compareTo(longest) >= 0) {
            return new Verdict.Split(overlap);
        }
        // The overlap can reach Master_Down_Interval no earlier than this, by the agents' clock.
        return new Verdict.Checking(start.plus(longest));
    }

    /// Master_Down_Interval (RFC 5798 §6.1): three advertisement intervals plus the skew time of
    /// `priority`, `(256 − priority) × interval / 256`. keepalived uses the same formula for VRRPv2.
    public static Duration masterDownInterval(Duration advertInterval, int priority) {
        long micros = advertInterval.toNanos() / 1000;
        long skew = (256 - Math.clamp(priority, 1, 255)) * micros / 256;
        return Duration.ofNanos((3 * micros + skew) * 1000);
    }
}
