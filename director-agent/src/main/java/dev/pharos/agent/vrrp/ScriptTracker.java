package dev.pharos.agent.vrrp;

import dev.pharos.agent.vrrp.VrrpSettings.TrackScript;
import java.lang.System.Logger.Level;

/// The rise/fall state of one `vrrp_script` (keepalived `vrrp_track.c`): `rise` successes in a
/// row make it UP, `fall` failures in a row make it DOWN. Before its first result it is INIT;
/// the first result decides directly. Engine-thread confined.
final class ScriptTracker {

    private static final System.Logger LOG = System.getLogger(ScriptTracker.class.getName());

    enum Status { INIT, UP, DOWN }

    private final TrackScript script;
    private Status status = Status.INIT;
    private int successes;
    private int failures;
    boolean running;
    EngineLoop.Timer timer;
    private boolean stopped;

    ScriptTracker(TrackScript script) {
        this.script = script;
    }

    TrackScript script() {
        return script;
    }

    Status status() {
        return status;
    }

    /// No more runs; a result still coming in is ignored.
    void stop() {
        stopped = true;
        if (timer != null) {
            timer.cancel();
        }
    }

    boolean stopped() {
        return stopped;
    }

    /// The same script run the same way; the weight belongs to the instance that tracks it.
    static boolean sameScript(TrackScript a, TrackScript b) {
        return a.name().equals(b.name()) && a.command().equals(b.command()) && a.interval().equals(b.interval())
                && a.timeout().equals(b.timeout()) && a.rise() == b.rise() && a.fall() == b.fall();
    }

    /// Records one run; returns true when the status changed.
    boolean record(ScriptRunner.Result result) {
        var before = status;
        if (result.success()) {
            successes++;
            failures = 0;
            if (status == Status.INIT || (status == Status.DOWN && successes >= script.rise())) {
                status = Status.UP;
            }
        } else {
            failures++;
            successes = 0;
            if (status == Status.INIT || (status == Status.UP && failures >= script.fall())) {
                status = Status.DOWN;
            }
        }
        if (status != before) {
            LOG.log(Level.INFO, "VRRP_Script({0}) {1}{2}", script.name(),
                    status == Status.UP ? "succeeded" : "failed",
                    result.problem().isEmpty() ? "" : " (" + result.problem() + ")");
        }
        return status != before;
    }
}
