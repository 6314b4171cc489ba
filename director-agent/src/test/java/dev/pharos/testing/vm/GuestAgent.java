package dev.pharos.testing.vm;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/// Shell for a guest script that runs Pharos's agent and waits for the kernel's table.
///
/// The agent starts from the test's own class path (the host's `~/.m2` and `target/` are in the
/// guest's read-only root) with the host's JDK; a JVM takes tens of seconds to start under TCG,
/// so a script should start as few as it can and check much per start.
public final class GuestAgent {

    private GuestAgent() {
    }

    /// Shell functions for a script: `await_table NAME EXPECTED SECONDS` polls `ipvsadm -Sn`
    /// (sorted) until it equals the file EXPECTED, then leaves it in `table-NAME` and prints
    /// `NAME: matched after S s` (or `NAME: timed out after S s`); `uptime_s` prints the guest's
    /// uptime in seconds.
    public static final String FUNCTIONS = """
            uptime_s() { cut -d' ' -f1 /proc/uptime; }
            await_table() {
                name=$1; expected=$2; limit=$3; t0=$(uptime_s)
                while :; do
                    ipvsadm -Sn | sort > "table-$name"
                    now=$(uptime_s)
                    if cmp -s "table-$name" "$expected"; then
                        echo "$name: matched after $(awk "BEGIN{print $now-$t0}") s"; return 0
                    fi
                    if awk "BEGIN{exit !($now-$t0 > $limit)}"; then
                        echo "$name: timed out after $limit s"; return 1
                    fi
                    sleep 0.3
                done
            }
            """;

    /// The command that starts the agent (`run -f CONFIG --balancer BALANCER --state-dir
    /// STATE_DIR` and `extra`; its control socket is the default `/run/pharos/agent.sock`), logging
    /// to `log`; append `&` to run it in the background.
    public static String command(String balancer, String config, String stateDir, String log, String... extra) {
        var words = new ArrayList<>(List.of("run", "-f", config, "--balancer", balancer, "--state-dir", stateDir));
        words.addAll(List.of(extra));
        return java("dev.pharos.agent.cli.Main", words.toArray(String[]::new)) + " > " + quote(log) + " 2>&1";
    }

    /// A `java` command line for `mainClass` with the test's class path and JVM options for a
    /// quick start (C1 only, the serial collector, a small heap).
    static String java(String mainClass, String... arguments) {
        var java = Vm.guestPath(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        var classPath = String.join(":", Arrays.stream(System.getProperty("java.class.path").split(":"))
                .map(Vm::guestPath).toList());
        var words = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-Xmx128m", "-cp", classPath, mainClass));
        words.addAll(List.of(arguments));
        return String.join(" ", words.stream().map(GuestAgent::quote).toList());
    }

    public static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
