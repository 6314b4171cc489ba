package dev.pharos.agent.check;

import dev.pharos.agent.script.Host;
import java.io.File;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/// `MISC_CHECK` (keepalived's `check_misc.c`): runs the program, without a shell, with no input
/// and its output discarded, as the configured `user` when one is given (through util-linux's
/// `setpriv`; the agent must be root). Exit 0 is success; with `misc_dynamic`, exit 2–255 is success with
/// weight `exit − 2`; any other exit fails. A program still running at `misc_timeout` is sent
/// SIGTERM, then SIGKILL two seconds later, with everything it started.
///
/// How the whole tree is ended: the program is started through util-linux's `setsid`, which
/// execs it as the leader of a new session and process group (same PID), so its children,
/// grandchildren and daemonised leftovers stay in that group even when re-parented to init; the
/// group is signalled with `kill -SIG -- -PGID`, as keepalived does with `kill(-pid)`. The JDK
/// cannot create a process group or signal one, and [ProcessHandle#descendants()] loses a child
/// whose parent already exited; it is still used as well, for a system without `setsid`. A new
/// session also keeps the script away from signals sent to the agent's terminal.
public final class MiscProbe implements Probe {

    private static final System.Logger LOG = System.getLogger(MiscProbe.class.getName());
    /// keepalived waits 2 s between SIGTERM and SIGKILL.
    static final Duration KILL_GRACE = Duration.ofSeconds(2);
    private static final String SETSID = findSetsid();
    private static final File DEV_NULL = new File("/dev/null");

    private final CheckSpec.MiscCheck spec;

    public MiscProbe(CheckSpec.MiscCheck spec) {
        this.spec = spec;
    }

    @Override
    public ProbeResult attempt() {
        var program = spec.command().getFirst();
        // setsid would report a missing program only as exit 127: say it plainly instead.
        if (program.contains("/") && !Files.isExecutable(Path.of(program))) {
            return ProbeResult.down("cannot run " + program + ": " + (Files.exists(Path.of(program))
                    ? "not executable" : "no such file"));
        }
        var command = new ArrayList<String>();
        if (SETSID != null) {
            command.add(SETSID);
        }
        if (spec.user() != null) {
            var reason = asUser(command);
            if (reason != null) {
                return ProbeResult.down(reason);
            }
        }
        command.addAll(spec.command());
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            return ProbeResult.down("cannot run " + program + ": " + e.getMessage());
        }
        try {
            if (process.waitFor(spec.timeout().toNanos(), TimeUnit.NANOSECONDS)) {
                return result(process.exitValue());
            }
            terminate(process);
            return ProbeResult.down("script timed out after " + Failures.seconds(spec.timeout()));
        } catch (InterruptedException e) {
            terminate(process);
            Thread.currentThread().interrupt();
            return ProbeResult.down("interrupted");
        }
    }

    /// Adds util-linux's `setpriv` to switch to the `user` (and group) before the program starts,
    /// or says why it cannot. The agent's plans come through [CheckPlan#secured], which has already
    /// resolved the user and wrapped the command; this serves a spec built with a user directly.
    private String asUser(List<String> command) {
        var host = Host.current();
        if (!host.canSetUid() || !host.canSetGid()) {
            return "cannot run as user " + spec.user() + ": the agent cannot pass CAP_SETUID and CAP_SETGID to the "
                    + "script (run it as root, or add them to the unit's AmbientCapabilities)";
        }
        var setpriv = executable("/usr/bin/setpriv", "/bin/setpriv");
        if (setpriv == null) {
            return "cannot run as user " + spec.user() + ": util-linux setpriv is not installed";
        }
        var group = spec.group() != null ? spec.group() : primaryGroup(spec.user());
        if (group == null) {
            return "cannot run as user " + spec.user() + ": no such user";
        }
        // keepalived's set_script_env leaves the script's group as its only supplementary group
        command.addAll(List.of(setpriv, "--reuid=" + spec.user(), "--regid=" + group, "--groups=" + group, "--"));
        return null;
    }

    /// The numeric primary group of `user`, as `id -g` reports it (NSS included), or `null`.
    private static String primaryGroup(String user) {
        try {
            var idCommand = Objects.requireNonNullElse(executable("/usr/bin/id", "/bin/id"), "id");
            var id = new ProcessBuilder(idCommand, "-g", "--", user)
                    .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL))
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            var out = new String(id.getInputStream().readNBytes(64), StandardCharsets.US_ASCII).trim();
            if (!id.waitFor(5, TimeUnit.SECONDS)) {
                id.destroyForcibly();
                return null;
            }
            return id.exitValue() == 0 && out.matches("\\d+") ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static String executable(String... candidates) {
        for (var candidate : candidates) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        return null;
    }

    private ProbeResult result(int exit) {
        if (exit == 0) {
            return ProbeResult.up();
        }
        if (spec.dynamic() && exit >= 2 && exit <= 255) {
            return new ProbeResult.DynamicWeight(exit - 2);
        }
        return ProbeResult.down("script exit " + exit);
    }

    /// SIGTERM to the group and every descendant, SIGKILL to whatever is left after the grace.
    private static void terminate(Process process) {
        long pgid = process.pid();
        var tree = new ArrayList<ProcessHandle>(process.descendants().toList());
        signalGroup(pgid, "TERM");
        tree.forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            process.waitFor(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // The group outlives its leader while any member lives; a pgid is not reused before.
        signalGroup(pgid, "KILL");
        tree.addAll(process.descendants().toList());
        tree.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            if (!process.waitFor(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.log(Level.WARNING, "MISC_CHECK process {0} survived SIGKILL", process.pid());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void signalGroup(long pgid, String signal) {
        if (SETSID == null) {
            return;
        }
        try {
            var kill = new ProcessBuilder(killCommand(), "-" + signal, "--", "-" + pgid)
                    .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!kill.waitFor(5, TimeUnit.SECONDS)) {
                kill.destroyForcibly();
            }
            // Exit 1 (no such group) is expected when the whole group already ended.
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot signal MISC_CHECK process group {0}: {1}", pgid, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String killCommand() {
        return Objects.requireNonNullElse(executable("/usr/bin/kill", "/bin/kill"), "kill");
    }

    private static String findSetsid() {
        var setsid = executable("/usr/bin/setsid", "/bin/setsid");
        if (setsid == null) {
            LOG.log(Level.WARNING, "util-linux setsid not found: a MISC_CHECK script that times out is ended with its "
                    + "descendants only; install util-linux to end its whole process group");
        }
        return setsid;
    }
}
