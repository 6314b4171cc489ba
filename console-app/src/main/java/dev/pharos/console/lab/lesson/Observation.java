package dev.pharos.console.lab.lesson;

import java.time.Duration;
import java.util.Set;

/// What the class should see after a step's actions, written in a lesson as
/// `expect: lvs-backup becomes MASTER of VI_1 within 5 s`. It is watched on the lab's clock from
/// the moment the step's actions start: seen in time, or missed (not within its deadline, too
/// early, or contradicted).
///
/// @param text      the line as the lesson wrote it
/// @param within    by when it must be seen (20 s when the lesson does not say)
/// @param notBefore how long it must not happen before (zero: any time)
/// @param lasting   how long it must hold without a break to count (`for N s`; zero: once is enough)
public record Observation(String text, Condition condition, Duration within, Duration notBefore, Duration lasting) {

    /// The facts an observation can name.
    public sealed interface Condition {
    }

    /// `D is MASTER of I` (or `becomes`): the director reports that state for the instance.
    public record State(String director, String instance, String state) implements Condition {
    }

    /// `V answers [through D] [from S]`: a client's request through the VIP is answered
    /// (through that director, by that real server).
    public record Answers(String vip, String through, String from) implements Condition {
    }

    /// `V answers again after at most N s`: if the VIP's requests fail, they are answered again
    /// within N s of the first failure (seen too when none fails for N s).
    public record AnswersAgain(String vip, Duration atMost) implements Condition {
    }

    /// `V stays on S` (with `for N s`): the VIP's answers come from that real server only
    /// (another's answer contradicts it).
    public record StaysOn(String vip, String server) implements Condition {
    }

    /// `S is up on D` / `S is down on D`: the director's checkers' verdict on that real server,
    /// in every virtual server that has it.
    public record Health(String server, String director, boolean up) implements Condition {
    }

    /// `S has weight N on D`, in every virtual server that has it.
    public record Weight(String server, String director, int weight) implements Condition {
    }

    /// `D runs I at priority N`.
    public record Priority(String director, String instance, int priority) implements Condition {
    }

    /// `V is held by D [and D]`: exactly these directors hold the VIP (two in a split brain).
    public record HeldBy(String vip, Set<String> directors) implements Condition {
    }

    /// `I is marked SPLIT BRAIN` / `I is not marked SPLIT BRAIN`: the console's alarm (two MASTERs
    /// of the instance for longer than Master_Down_Interval) on some director, or on none.
    public record SplitBrain(String instance, boolean marked) implements Condition {
    }

    /// `quorum of V is lost on D` / `quorum of V is up on D`.
    public record Quorum(String vip, String director, boolean up) implements Condition {
    }
}
