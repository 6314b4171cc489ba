package dev.pharos.agent.script;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/// The argv that runs a script as its [Identity]: unchanged when that is the agent's own user and
/// group, else behind util-linux `setpriv`, which sets the real and effective group and user ids
/// and, as keepalived's `set_script_env` does with `setgroups(1, &gid)`, leaves the group as the
/// only supplementary group. No shell is involved.
public final class RunAs {

    private RunAs() {
    }

    /// util-linux's `setpriv`, or `null` when it is not installed.
    static String setpriv() {
        for (var candidate : List.of("/usr/bin/setpriv", "/bin/setpriv")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        return null;
    }

    /// `command` wrapped to run as `as` when `as` differs from `host`'s own ids.
    static List<String> argv(Host host, Identity as, List<String> command, String setpriv) {
        if (as.uid() == host.uid() && as.gid() == host.gid()) {
            return List.copyOf(command);
        }
        var out = new ArrayList<String>();
        out.add(setpriv);
        out.add("--reuid=" + as.uid());
        out.add("--regid=" + as.gid());
        out.add("--groups=" + as.gid());
        out.add("--");
        out.addAll(command);
        return List.copyOf(out);
    }

    /// The script's own program in an argv [#argv] made (for log lines and thread names).
    public static String program(List<String> argv) {
        int dashes = argv.indexOf("--");
        return dashes > 0 && argv.getFirst().endsWith("/setpriv") && dashes + 1 < argv.size()
                ? argv.get(dashes + 1) : argv.getFirst();
    }
}
