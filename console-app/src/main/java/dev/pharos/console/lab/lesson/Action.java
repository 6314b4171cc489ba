package dev.pharos.console.lab.lesson;

/// What a step does to the lab: one of the lab's scenario commands, written in a lesson as
/// `do: stop lvs-master`. Directors, instances and real servers are named as the lab names them
/// (a real server by its name, `web-1`, or its address).
public sealed interface Action {

    /// The line as the lesson wrote it.
    String text();

    /// `stop D` (graceful: priority 0), `kill D` (a crash) or `start D`.
    record Director(String text, Verb verb, String director) implements Action {
        /// What happens to the director.
        public enum Verb {
            STOP, KILL, START
        }
    }

    /// `fail S`, `restore S`, `drain S` (weight 0 everywhere) or `undrain S`.
    record RealServer(String text, Verb verb, String server) implements Action {
        /// What happens to the real server.
        public enum Verb {
            FAIL, RESTORE, DRAIN, UNDRAIN
        }
    }

    /// `weight S N`: the real server's weight in every virtual server that has it, on every director.
    record Weight(String text, String server, int weight) implements Action {
    }

    /// `priority D I N`: the running priority of director D's instance I.
    record Priority(String text, String director, String instance, int priority) implements Action {
    }

    /// `cut the link` (VRRP adverts no longer pass: a split brain) or `heal the link`.
    record Link(String text, boolean cut) implements Action {
    }
}
