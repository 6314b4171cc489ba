package dev.pharos.console.adopt;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/// The one read-only shell command a poll runs on an adopted host, and what it printed.
///
/// It finds keepalived's main process in the session's network namespace (its children share its
/// name; another keepalived in another namespace is not this host's), prints its command line and
/// `TMPDIR` (where keepalived writes its dumps) and the IPVS table — through
/// ipvsadm only when `/proc/net/ip_vs` shows IPVS loaded, because ipvsadm would otherwise load the
/// module, and nothing on the host may change. Then it signals keepalived to write its state dump
/// (the JSON signal where the build has one, else SIGUSR1 for the data file), waits up to 3 s for
/// the file to be rewritten and prints it; `ip -j addr` comes last, so the addresses are never
/// older than the state they are checked against. Signalling and reading the dump need root: as another
/// user it uses `sudo -n`, which fails rather than prompts.
public final class HostProbe {

    private HostProbe() {
    }

    static final String MARK = "==pharos:";

    /// The command, for `sh`.
    public static final String COMMAND = """
            LC_ALL=C; export LC_ALL
            asroot() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }
            self=$(readlink /proc/self/ns/net)
            pid=
            for d in /proc/[0-9]*; do
              read -r c < "$d/comm" 2>/dev/null || continue
              [ "$c" = keepalived ] || continue
              pp=$(sed -n 's/^PPid:[[:space:]]*//p' "$d/status" 2>/dev/null)
              read -r pc < "/proc/$pp/comm" 2>/dev/null
              [ "$pc" = keepalived ] && continue
              [ "$(asroot readlink "$d/ns/net" 2>/dev/null)" = "$self" ] || continue
              pid=${d#/proc/}; break
            done
            echo "==pharos:hostname"; uname -n
            echo "==pharos:pid"; echo "$pid"
            # the addresses last, on every way out: after the dump, so a MASTER's VIP is seen with its state
            trap 'echo "==pharos:addr"; ip -j addr show 2>&1' EXIT
            if [ -e /proc/net/ip_vs ]; then
              if command -v ipvsadm >/dev/null 2>&1; then echo "==pharos:ipvsadm"; asroot ipvsadm -Ln --exact 2>&1
              else echo "==pharos:proc-ip-vs"; cat /proc/net/ip_vs; fi
            else echo "==pharos:no-ipvs"; fi
            [ -n "$pid" ] || exit 0
            echo "==pharos:cmdline"; tr '\\0' '\\n' < "/proc/$pid/cmdline"; echo
            exe=$(asroot readlink "/proc/$pid/exe")
            echo "==pharos:version"; "$exe" -v 2>&1 | head -n 1
            tmp=$(asroot cat "/proc/$pid/environ" | tr '\\0' '\\n' | sed -n 's/^TMPDIR=//p')
            case "$tmp" in /*) ;; *) tmp=/tmp ;; esac
            if sig=$("$exe" --signum=JSON 2>/dev/null) && [ -n "$sig" ]; then kind=json; file=$tmp/keepalived.json
            else sig=$("$exe" --signum=DATA 2>/dev/null); sig=${sig:-USR1}; kind=data; file=$tmp/keepalived.data; fi
            before=$(asroot stat -c %y "$file" 2>/dev/null)
            if ! out=$(asroot kill -s "$sig" "$pid" 2>&1) && ! out=$(asroot kill -"$sig" "$pid" 2>&1); then
              echo "==pharos:problem"; echo "cannot signal keepalived (PID $pid): $out"; exit 0
            fi
            i=0
            while [ $i -lt 30 ]; do
              now=$(asroot stat -c %y "$file" 2>/dev/null)
              [ -n "$now" ] && [ "$now" != "$before" ] && break
              sleep 0.1; i=$((i + 1))
            done
            if [ $i -ge 30 ]; then echo "==pharos:problem"; echo "keepalived (PID $pid) did not rewrite $file within 3 s"; exit 0; fi
            sleep 0.05
            echo "==pharos:$kind"; asroot cat "$file"
            """;

    /// What the command printed, by section (`hostname`, `pid`, `addr`, `ipvsadm`, `proc-ip-vs`, `no-ipvs`,
    /// `cmdline`, `version`, `json`, `data`, `problem`).
    public record Output(Map<String, String> sections) {
        public Output {
            sections = Map.copyOf(sections);
        }

        public String get(String section) {
            return sections.get(section);
        }

        public boolean has(String section) {
            return sections.containsKey(section);
        }

        /// keepalived's main PID, or null when none runs in this namespace.
        public String pid() {
            var p = sections.getOrDefault("pid", "").strip();
            return p.isEmpty() ? null : p;
        }

        /// The arguments keepalived was started with (after the program name).
        public List<String> arguments() {
            var lines = new ArrayList<>(sections.getOrDefault("cmdline", "").lines().toList());
            if (!lines.isEmpty()) {
                lines.removeFirst();
            }
            lines.removeIf(String::isEmpty);
            return lines;
        }
    }

    /// Splits the command's output at its section marks.
    public static Output parse(String text) {
        var sections = new LinkedHashMap<String, String>();
        String name = null;
        var body = new StringBuilder();
        for (var line : text.lines().toList()) {
            if (line.startsWith(MARK)) {
                if (name != null) {
                    sections.put(name, body.toString());
                }
                name = line.substring(MARK.length()).strip();
                body.setLength(0);
            } else if (name != null) {
                body.append(line).append('\n');
            }
        }
        if (name != null) {
            sections.put(name, body.toString());
        }
        return new Output(sections);
    }

    /// The configuration file keepalived was started with (`-f FILE`, `--use-file=FILE`), else its
    /// default.
    public static String configFile(List<String> arguments) {
        return option(arguments, "-f", "--use-file").orElse("/etc/keepalived/keepalived.conf");
    }

    /// `--config-id` / `-i`, or null: then keepalived uses the host name up to its first dot.
    public static String configId(List<String> arguments) {
        return option(arguments, "-i", "--config-id").orElse(null);
    }

    private static Optional<String> option(List<String> args, String shortName, String longName) {
        for (int i = 0; i < args.size(); i++) {
            var a = args.get(i);
            if (a.equals(shortName) || a.equals(longName)) {
                return i + 1 < args.size() ? Optional.of(args.get(i + 1)) : Optional.empty();
            }
            if (a.startsWith(longName + "=")) {
                return Optional.of(a.substring(longName.length() + 1));
            }
            if (a.startsWith(shortName) && !a.startsWith("--") && a.length() > 2) {
                return Optional.of(a.substring(2));
            }
        }
        return Optional.empty();
    }
}
