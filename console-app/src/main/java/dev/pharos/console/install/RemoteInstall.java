package dev.pharos.console.install;

import dev.pharos.console.connect.RemoteHost;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/// Every command the console runs on a host to add a director, in one place: each is written to
/// the step's output before it runs (`$ command`), followed by what it printed, and a failure
/// becomes an [InstallException] that says which command failed, what it printed and what was undone.
///
/// Daemons: where systemd runs the host they are started and stopped with `systemctl` (the
/// package's `pharos-agent.service`, keepalived's `keepalived.service`); elsewhere (a container, a
/// chroot) keepalived is stopped by its PID and started again with the command line it ran with,
/// and the agent runs as root with the command its unit runs, its PID in [#PID_FILE], its log in [#LOG].
public final class RemoteInstall {

    /// Where the package is uploaded to (and removed from after the install).
    static final String UPLOADED = "/tmp/pharos-agent-console-upload.deb";
    /// The configuration the package's unit runs the agent on: made a link to keepalived's.
    static final String AGENT_CONFIG = "/etc/pharos/keepalived.conf";
    static final String SOCKET = "/run/pharos/agent.sock";
    static final String PID_FILE = "/run/pharos/agent.pid";
    static final String LOG = "/var/log/pharos-agent.log";
    private static final Duration POLL = Duration.ofSeconds(1);

    /// The PID of this host's keepalived parent process, if one runs: only one whose root and network
    /// namespace are this shell's (a container's keepalived is another host's), and not a child
    /// (keepalived's VRRP and checker processes have the same name).
    private static final String FIND_KEEPALIVED = """
            ka=
            for p in $(pgrep -x keepalived); do
              [ "$(stat -Lc %d:%i /proc/$p/root 2>/dev/null)" = "$(stat -Lc %d:%i /)" ] || continue
              [ "$(readlink /proc/$p/ns/net 2>/dev/null)" = "$(readlink /proc/self/ns/net)" ] || continue
              pp=$(cut -d' ' -f4 /proc/$p/stat 2>/dev/null)
              [ "$(cat /proc/$pp/comm 2>/dev/null)" = keepalived ] && continue
              ka=$p; break
            done
            """;

    private final RemoteHost host;
    private final Consumer<String> output;
    private boolean root = true;

    /// @param output receives each command and each line it printed, as they happen
    public RemoteInstall(RemoteHost host, Consumer<String> output) {
        this.host = host;
        this.output = output;
    }

    /// Reads what the host is, changing nothing.
    public HostFacts detect() throws IOException {
        var uid = run("id -u", false);
        root = uid.stdout().strip().equals("0");
        if (!root && run("sudo -n true", false).exitStatus() != 0) {
            throw new InstallException("the SSH user is not root and cannot use sudo without a password: log in as"
                    + " root, or allow this user `sudo -n` for dpkg, systemctl and director-agent");
        }
        var facts = HostFacts.keyValues(must("detect the host", """
                if [ -r /etc/os-release ]; then . /etc/os-release; fi
                echo "os=${PRETTY_NAME:-unknown}"
                echo "arch=$(dpkg --print-architecture 2>/dev/null || uname -m)"
                if [ -d /run/systemd/system ]; then echo systemd=yes; else echo systemd=no; fi
                %s
                echo "keepalived=$ka"
                echo "agent=$(dpkg-query -W -f='${db:Status-Status} ${Version}' pharos-agent 2>/dev/null)"
                """.formatted(FIND_KEEPALIVED)).stdout());
        HostFacts.Keepalived keepalived = null;
        var pid = facts.getOrDefault("keepalived", "");
        if (!pid.isBlank()) {
            var line = must("read keepalived's command line", "tr '\\0' '\\n' < /proc/" + pid + "/cmdline").stdout();
            keepalived = new HostFacts.Keepalived(Long.parseLong(pid.strip()), line.lines().toList());
        }
        var agent = facts.getOrDefault("agent", "");
        return new HostFacts(facts.getOrDefault("os", "unknown"), facts.getOrDefault("arch", "unknown"),
                "yes".equals(facts.get("systemd")), root, keepalived,
                keepalived == null ? HostFacts.DEFAULT_CONFIG : HostFacts.configFile(keepalived.commandLine()),
                agent.startsWith("installed ") ? agent.substring("installed ".length()) : null);
    }

    /// Uploads the package to [#UPLOADED] over SFTP.
    public void upload(Path deb, LongConsumer sent) throws IOException {
        output.accept("sftp put " + deb + " " + UPLOADED);
        host.upload(deb, UPLOADED, sent);
    }

    /// `dpkg -i` of the uploaded package. Where systemd runs, the unit is masked for the install's
    /// duration: the package's postinst starts it, and its `Conflicts=keepalived.service` would stop
    /// keepalived even though the missing configuration keeps the agent from starting. A failed
    /// install is purged (when the package was not installed before), so nothing is half-installed.
    public void install(HostFacts facts) throws IOException {
        var dpkg = "dpkg -i " + UPLOADED;
        var script = facts.systemd()
                ? "systemctl mask --runtime pharos-agent.service >/dev/null\n" + dpkg
                        + "\nrc=$?\nsystemctl unmask --runtime pharos-agent.service >/dev/null\nexit $rc"
                : dpkg;
        try {
            var r = run(script, true);
            if (r.exitStatus() != 0) {
                var undone = facts.installedAgent() == null ? undoInstall() : "the installed version is left as it was";
                throw new InstallException("dpkg -i failed (exit " + r.exitStatus() + "): " + lastLine(r) + "; "
                        + undone + keepalivedStill(facts));
            }
        } finally {
            run("rm -f " + UPLOADED, true);
        }
    }

    /// `director-agent check-config` on keepalived's configuration: every finding, and whether the
    /// agent accepts it.
    public Findings checkConfig(HostFacts facts) throws IOException {
        var r = run("director-agent check-config -f " + quote(facts.configFile()), true);
        var lines = (r.stdout() + r.stderr()).lines().filter(l -> !l.isBlank()).toList();
        return switch (r.exitStatus()) {
            case 0 -> new Findings(true, lines);
            case 1 -> new Findings(false, lines);
            default -> throw new InstallException("director-agent check-config could not run (exit " + r.exitStatus()
                    + "): " + lastLine(r));
        };
    }

    /// Stops keepalived and starts the agent on keepalived's configuration ([#AGENT_CONFIG] becomes
    /// a link to it).
    public void switchToAgent(HostFacts facts) throws IOException {
        var link = quote(facts.configFile());
        var prepare = """
                if [ -L %1$s ] && [ "$(readlink %1$s)" = %2$s ]; then :
                elif [ -e %1$s ] || [ -L %1$s ]; then
                  echo "%1$s already exists and is not a link to %2$s: move it away first" >&2; exit 1
                else ln -s %2$s %1$s; fi
                """.formatted(AGENT_CONFIG, link);
        String script;
        if (facts.systemd()) {
            script = prepare + (facts.keepalived() == null ? "" : "systemctl stop keepalived.service || exit 1\n")
                    + "systemctl start pharos-agent.service";
        } else {
            script = prepare + (facts.keepalived() == null ? "" : stopPid(Long.toString(facts.keepalived().pid()), "keepalived"))
                    + "mkdir -p /run/pharos /var/lib/pharos\n"
                    + "setsid director-agent run -f " + AGENT_CONFIG + " --control-socket " + SOCKET
                    + " --state-dir /var/lib/pharos >" + LOG + " 2>&1 </dev/null &\n"
                    + "echo $! > " + PID_FILE;
        }
        var r = run(script, true);
        if (r.exitStatus() != 0) {
            throw new InstallException("could not start the agent (exit " + r.exitStatus() + "): " + lastLine(r));
        }
    }

    /// Waits until the agent answers on its control socket (`director-agent status`) and returns
    /// what it said; fails at once when the agent has stopped, with the end of its log.
    public String verify(Duration deadline) throws IOException {
        long end = System.nanoTime() + deadline.toNanos();
        while (true) {
            var status = run("director-agent status --control-socket " + SOCKET, true);
            if (status.exitStatus() == 0) {
                return status.stdout();
            }
            if (run(AGENT_ALIVE, true).exitStatus() != 0) {
                var log = run("journalctl -u pharos-agent.service -n 20 --no-pager 2>/dev/null || tail -n 20 " + LOG, true);
                throw new InstallException("the agent stopped: " + lastLine(log));
            }
            if (System.nanoTime() > end) {
                throw new InstallException("the agent did not answer on " + SOCKET + " within " + deadline.toSeconds()
                        + " s: " + lastLine(status));
            }
            try {
                Thread.sleep(POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for the agent");
            }
        }
    }

    /// Stops the agent, removes the link [#switchToAgent] made, starts keepalived again (when it
    /// ran before) and waits until it runs; with `removePackage`, also purges the package.
    public void rollBack(HostFacts facts, boolean removePackage) throws IOException {
        var unlink = "if [ -L %1$s ] && [ \"$(readlink %1$s)\" = %2$s ]; then rm %1$s; fi\n"
                .formatted(AGENT_CONFIG, quote(facts.configFile()));
        String script;
        if (facts.systemd()) {
            script = "systemctl stop pharos-agent.service\n" + unlink
                    + (facts.keepalived() == null ? "" : "systemctl start keepalived.service || exit 1\n");
        } else {
            script = "if [ -r " + PID_FILE + " ]; then\np=$(cat " + PID_FILE + ")\n" + stopPid("$p", "the agent")
                    + "rm -f " + PID_FILE + "\nfi\n" + unlink
                    + (facts.keepalived() == null ? "" : FIND_KEEPALIVED + "[ -n \"$ka\" ] || setsid " + String.join(" ",
                            facts.keepalived().commandLine().stream().map(RemoteInstall::quote).toList())
                            + " >/dev/null 2>&1 </dev/null &\n");
        }
        var r = run(script, true);
        if (r.exitStatus() != 0) {
            throw new InstallException("the roll back failed (exit " + r.exitStatus() + "): " + lastLine(r));
        }
        if (facts.keepalived() != null) {
            var running = run("i=0\nwhile :; do\n" + FIND_KEEPALIVED + """
                      [ -n "$ka" ] && break
                      i=$((i+1)); [ $i -le 100 ] || exit 1
                      sleep 0.1
                    done
                    echo "keepalived runs again (PID $ka)"
                    """, true);
            if (running.exitStatus() != 0) {
                throw new InstallException("keepalived did not start again: check it on the host (journalctl -u keepalived)");
            }
        }
        if (removePackage) {
            must("remove the package", "dpkg --purge pharos-agent");
        }
    }

    /// Purges the package (before the switch: nothing else was changed).
    public void uninstall() throws IOException {
        must("remove the package", "dpkg --purge pharos-agent");
    }

    /// What check-config said: every line it printed, and whether it accepted the configuration.
    public record Findings(boolean valid, List<String> lines) {
        public Findings {
            lines = List.copyOf(lines);
        }
    }

    private String undoInstall() throws IOException {
        var r = run("if dpkg-query -W pharos-agent >/dev/null 2>&1; then dpkg --purge pharos-agent; fi", true);
        return r.exitStatus() == 0 ? "nothing of the package is left installed"
                : "dpkg --purge pharos-agent failed too: " + lastLine(r) + " (remove it by hand)";
    }

    private String keepalivedStill(HostFacts facts) throws IOException {
        if (facts.keepalived() == null) {
            return "";
        }
        return run("kill -0 " + facts.keepalived().pid(), true).exitStatus() == 0 ? "; keepalived is still running"
                : "; keepalived is NOT running: check it on the host";
    }

    /// Exits 0 while the agent runs.
    private static final String AGENT_ALIVE = "if [ -d /run/systemd/system ]; then s=$(systemctl is-active"
            + " pharos-agent.service); [ \"$s\" = active ] || [ \"$s\" = activating ] || [ \"$s\" = reloading ];"
            + " else [ -r " + PID_FILE + " ] && kill -0 \"$(cat " + PID_FILE + ")\"; fi";

    /// Sends SIGTERM to `pid` and waits up to 20 s for it to end (what systemd's stop does).
    private static String stopPid(String pid, String what) {
        return """
                kill -TERM %1$s 2>/dev/null
                i=0
                while kill -0 %1$s 2>/dev/null; do
                  i=$((i+1)); [ $i -le 200 ] || { echo "%2$s (PID %1$s) did not stop within 20 s" >&2; exit 1; }
                  sleep 0.1
                done
                """.formatted(pid, what);
    }

    private RemoteHost.Result must(String what, String script) throws IOException {
        var r = run(script, true);
        if (r.exitStatus() != 0) {
            throw new InstallException("could not " + what + " (exit " + r.exitStatus() + "): " + lastLine(r));
        }
        return r;
    }

    /// Runs `script` with `sh` (through `sudo -n` when `privileged` and the user is not root).
    private RemoteHost.Result run(String script, boolean privileged) throws IOException {
        script.lines().filter(l -> !l.isBlank()).findFirst().ifPresent(l -> output.accept("$ " + l.strip()
                + (script.strip().contains("\n") ? " …" : "")));
        var command = privileged && !root ? "sudo -n sh -c " + quote(script) : "sh -c " + quote(script);
        var r = host.exec(command);
        r.stdout().lines().forEach(output);
        r.stderr().lines().forEach(output);
        return r;
    }

    private static String lastLine(RemoteHost.Result r) {
        var text = r.stderr().isBlank() ? r.stdout() : r.stderr();
        var lines = text.lines().filter(l -> !l.isBlank()).toList();
        return lines.isEmpty() ? "(no output)" : lines.getLast().strip();
    }

    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
