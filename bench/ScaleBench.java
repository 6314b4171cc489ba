// bench/ScaleBench.java — run by bench/scale (single-file source, with director-agent.jar on the
// class path): reloads that change one real server's weight in the file, then realServer.update
// edits of the same real server, against a running agent. Prints Markdown table rows.
import dev.pharos.agent.api.AgentEvent;
import dev.pharos.agent.api.Params;
import dev.pharos.agent.api.Protocol;
import dev.pharos.agent.control.ControlClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

public class ScaleBench {

    static final Duration CALL = Duration.ofSeconds(60);
    /// The real server changed: in the middle of the file (virtual server 1138 of 2277, its ninth).
    static final String VS_LINE = "virtual_server 203.0.113.139 1004 {";
    static final String RS_LINE = "    real_server 198.51.100.147 8008 {";
    static final String VS_ID = "tcp/203.0.113.139:1004";
    static final String RS_ID = "198.51.100.147:8008";
    static final Pattern APPLIED = Pattern.compile("service table \\([^)]*\\): (\\d+) change\\(s\\) applied");

    public static void main(String[] args) throws Exception {
        var socket = Path.of(args[0]);
        var conf = Path.of(args[1]);
        var log = Path.of(args[2]);
        long pid = Long.parseLong(args[3]);
        int reloads = Integer.parseInt(args[4]);
        int edits = Integer.parseInt(args[5]);
        var changes = new LinkedBlockingQueue<AgentEvent.ConfigChanged>();
        try (var c = ControlClient.connect(socket)) {
            c.onEvent(e -> {
                if (e instanceof AgentEvent.ConfigChanged cc) {
                    changes.add(cc);
                }
            });
            c.call(Protocol.EVENTS_SUBSCRIBE, Map.of(), CALL);

            var lines = new ArrayList<>(Files.readAllLines(conf, StandardCharsets.UTF_8));
            int weightLine = weightLine(lines);
            var reloadTimes = new ArrayList<Long>();
            var reloadCpu = new ArrayList<Long>();
            var ops = new ArrayList<Integer>();
            String revision = null;
            // Two more than measured: the first two warm the agent's compiled code.
            for (int i = 0; i < reloads + 2; i++) {
                lines.set(weightLine, "        weight " + (11 + i % 50));
                Files.write(conf, lines, StandardCharsets.UTF_8);
                long logFrom = Files.size(log);
                long cpu0 = cpuNanos(pid);
                long t0 = System.nanoTime();
                new ProcessBuilder("kill", "-HUP", Long.toString(pid)).inheritIO().start();
                var event = changes.poll(120, TimeUnit.SECONDS);
                long t = System.nanoTime() - t0;
                long cpu = cpuNanos(pid) - cpu0;
                if (event == null || !event.source().equals("reload")) {
                    throw new IllegalStateException("no config.changed event from the reload: " + event);
                }
                revision = event.revision();
                if (i >= 2) {
                    reloadTimes.add(t);
                    reloadCpu.add(cpu);
                    ops.add(operations(log, logFrom));
                }
            }
            Collections.sort(reloadTimes);
            Collections.sort(reloadCpu);
            System.out.printf("| reload (SIGHUP) changing one real server's weight → config.changed | p50 %.0f ms, "
                    + "p99 %.0f ms, max %.0f ms | %d reloads; agent CPU per reload p50 %.0f ms, max %.0f ms; "
                    + "table operations per reload: %s |%n",
                    pct(reloadTimes, 50), pct(reloadTimes, 99), pct(reloadTimes, 100), reloadTimes.size(),
                    pct(reloadCpu, 50), pct(reloadCpu, 100), summary(ops));

            var editTimes = new ArrayList<Long>();
            var editCpu = new ArrayList<Long>();
            for (int i = 0; i < edits + 10; i++) {
                long cpu0 = cpuNanos(pid);
                long t0 = System.nanoTime();
                var r = c.call(Protocol.REAL_SERVER_UPDATE, new Params.RealServerUpdate(revision, VS_ID, RS_ID,
                        100 + i % 100, null), CALL);
                long t = System.nanoTime() - t0;
                long cpu = cpuNanos(pid) - cpu0;
                revision = r.get("revision").asText();
                if (i >= 10) {
                    editTimes.add(t);
                    editCpu.add(cpu);
                }
            }
            Collections.sort(editTimes);
            Collections.sort(editCpu);
            System.out.printf("| runtime edit: realServer.update (validate + write file + apply) | p50 %.1f ms, "
                    + "p99 %.1f ms, max %.1f ms | %d edits, one client, one after the other; agent CPU per edit "
                    + "p50 %.0f ms, max %.0f ms |%n",
                    pct(editTimes, 50), pct(editTimes, 99), pct(editTimes, 100), editTimes.size(),
                    pct(editCpu, 50), pct(editCpu, 100));
        }
    }

    /// The agent's CPU time (user + system, all its threads) so far: what a change cost it,
    /// whatever else the machine was doing. /proc counts in clock ticks of 10 ms.
    static long cpuNanos(long pid) throws Exception {
        var stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        var fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10_000_000L;
    }

    static int weightLine(List<String> lines) {
        int vs = lines.indexOf(VS_LINE);
        for (int i = vs; vs >= 0 && i < lines.size(); i++) {
            if (lines.get(i).equals(RS_LINE) && lines.get(i + 1).trim().startsWith("weight ")) {
                return i + 1;
            }
        }
        throw new IllegalStateException("the real server " + RS_ID + " of " + VS_ID + " is not in the file");
    }

    /// The table operations the reload issued, from the agent's log since `from`: the service
    /// table's "N change(s) applied" line (none when nothing changed).
    static int operations(Path log, long from) throws Exception {
        // The event is published after the table was applied and logged; the log line may be flushed a moment later.
        for (int attempt = 0; attempt < 50; attempt++) {
            var bytes = Files.readAllBytes(log);
            var text = new String(bytes, (int) from, bytes.length - (int) from, StandardCharsets.UTF_8);
            if (text.contains("reload: now at revision")) {
                var m = APPLIED.matcher(text);
                return m.find() ? Integer.parseInt(m.group(1)) : 0;
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("the agent's log does not show the reload");
    }

    static String summary(List<Integer> ops) {
        var sorted = new ArrayList<>(ops);
        Collections.sort(sorted);
        return sorted.getFirst().equals(sorted.getLast()) ? "all " + sorted.getFirst()
                : "min " + sorted.getFirst() + ", max " + sorted.getLast();
    }

    static double pct(List<Long> sorted, int p) {
        return sorted.get(Math.min(sorted.size() - 1, Math.max(0, (int) Math.ceil(p / 100.0 * sorted.size()) - 1))) / 1e6;
    }
}
