package dev.pharos.console.install;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/// What the console found out about a host before changing anything on it.
///
/// @param os             the OS's name as `/etc/os-release` gives it (`PRETTY_NAME`)
/// @param architecture   Debian's name for it (`dpkg --print-architecture`), else `uname -m`
/// @param systemd        whether systemd runs the host (`/run/systemd/system` exists): daemons are
///                       then started and stopped with `systemctl`, else with their own commands
/// @param root           whether the SSH user is root (else commands run through `sudo -n`)
/// @param keepalived     the running keepalived, or null when none runs
/// @param configFile     keepalived's configuration: its `-f`, else `/etc/keepalived/keepalived.conf`
/// @param installedAgent the version of the `pharos-agent` package already installed, or null
public record HostFacts(String os, String architecture, boolean systemd, boolean root, Keepalived keepalived,
        String configFile, String installedAgent) {

    /// keepalived's configuration when its command line names none.
    public static final String DEFAULT_CONFIG = "/etc/keepalived/keepalived.conf";

    /// A running keepalived: its parent process and the command line it was started with (to start
    /// it again the same way on a host without systemd).
    public record Keepalived(long pid, List<String> commandLine) {
        public Keepalived {
            commandLine = List.copyOf(commandLine);
        }
    }

    /// The lines as the host printed them, for the dialog.
    public List<String> describe() {
        var lines = new ArrayList<String>();
        lines.add("OS: " + os + " (" + architecture + ")");
        lines.add("init: " + (systemd ? "systemd" : "no systemd (daemons run by their own commands)"));
        lines.add("user: " + (root ? "root" : "not root: commands run with sudo -n"));
        lines.add(keepalived == null ? "keepalived: not running"
                : "keepalived: running (PID " + keepalived.pid() + ": " + String.join(" ", keepalived.commandLine()) + ")");
        lines.add("configuration: " + configFile);
        lines.add("pharos-agent: " + (installedAgent == null ? "not installed" : installedAgent + " installed"));
        return lines;
    }

    /// The configuration file a keepalived command line names: `-f FILE`, `-fFILE`, `--use-file FILE`
    /// or `--use-file=FILE` (keepalived's own forms), else [#DEFAULT_CONFIG].
    static String configFile(List<String> commandLine) {
        String file = DEFAULT_CONFIG;
        for (int i = 1; i < commandLine.size(); i++) {
            var arg = commandLine.get(i);
            if ((arg.equals("-f") || arg.equals("--use-file")) && i + 1 < commandLine.size()) {
                file = commandLine.get(++i);
            } else if (arg.startsWith("--use-file=")) {
                file = arg.substring("--use-file=".length());
            } else if (arg.startsWith("-f") && !arg.startsWith("--") && arg.length() > 2) {
                file = arg.substring(2);
            }
        }
        return file;
    }

    /// `KEY=value` lines (as `/etc/os-release` and the detection script print them), quotes removed.
    static Map<String, String> keyValues(String text) {
        var map = new HashMap<String, String>();
        for (var line : text.lines().toList()) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                var value = line.substring(eq + 1).strip();
                if (value.length() >= 2 && (value.startsWith("\"") || value.startsWith("'"))
                        && value.endsWith(value.substring(0, 1))) {
                    value = value.substring(1, value.length() - 1);
                }
                map.put(line.substring(0, eq).strip(), value);
            }
        }
        return map;
    }
}
