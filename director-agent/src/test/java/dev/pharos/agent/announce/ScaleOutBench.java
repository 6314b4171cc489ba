package dev.pharos.agent.announce;

import static dev.pharos.agent.announce.ScaleOutLab.DEADLINE;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pharos.testing.Frr;
import dev.pharos.testing.Netns;
import dev.pharos.testing.Nginx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// bench/scaleout: three active directors behind an ECMP router ([ScaleOutLab]), measured: the
/// spread of new connections; how long the router takes to drop a director whose link died, per
/// BGP timer or BFD setting, and how many new connections failed meanwhile; the same for a graceful
/// stop (withdraw first); how many long-lived connections a director's removal and return break
/// with an ordinary multipath route and with a resilient nexthop group. Writes its sections of
/// bench/results/scaleout.md (or `-Dpharos.bench.results=FILE`), leaving the others as they are.
/// Tagged `bench`: not part of the test suite.
@Tag("bench")
class ScaleOutBench {

    static final int RUNS = Integer.getInteger("pharos.bench.runs", 3);
    /// Long-lived connections held through a membership change, and new ones after a re-add.
    static final int HELD = 300;
    static final int NEW_CONNECTIONS = 300;
    /// The resilient group's: more buckets than held connections, so that many stay idle.
    static final int BUCKETS = 512;
    static final int IDLE_TIMER = 5;

    @TempDir
    Path dir;

    /// @param window seconds the failure can take to be noticed: the client keeps connecting for
    ///     that and 8 s more
    record Setting(String name, String routerNeighbor, String birdBgp, String frrNeighbor, ScaleOutLab.Bfd bfd,
            int window) {
    }

    /// @param failed new connections that could not be opened
    /// @param broken connections opened, then reset (moved to another director) or unanswered
    record Outcome(double seconds, int failed, int broken, int requests) {
    }

    @Test
    void measure() throws Exception {
        assumeTrue(Netns.available() && Frr.bfdAvailable() && Files.isExecutable(Bird.BIRD)
                && Nginx.available(), "needs root, ip, FRR with bfdd, BIRD 2 and nginx");
        var load = Files.readString(Path.of("/proc/loadavg")).strip();
        var settings = List.of(
                new Setting("BGP keepalive 3 s, hold 9 s", "timers 3 9", "hold time 9; keepalive time 3;", "timers 3 9",
                        ScaleOutLab.Bfd.OFF, 9),
                new Setting("BGP keepalive 10 s, hold 30 s", "timers 10 30", "hold time 30; keepalive time 10;",
                        "timers 10 30", ScaleOutLab.Bfd.OFF, 30),
                new Setting("BFD 300 ms × 3 (BGP hold 180 s)", "", "", "", new ScaleOutLab.Bfd(300, 3), 4),
                new Setting("BFD 50 ms × 3 (BGP hold 180 s)", "", "", "", new ScaleOutLab.Bfd(50, 3), 4));
        var rows = new ArrayList<String>();
        var notConverged = new ArrayList<String>();
        var bfdLost = new ArrayList<String>();
        String spreadRow = null;
        for (var s : settings) {
            var dead = new ArrayList<Outcome>();
            var stops = new ArrayList<Outcome>();
            var lost = new ArrayList<String>();
            for (int run = 0; run < RUNS; run++) {
                try (var lab = new ScaleOutLab(dir.resolve(s.name().replaceAll("\\W", "") + run), s.routerNeighbor(),
                        s.birdBgp(), s.frrNeighbor(), s.bfd())) {
                    if (!Netns.await(DEADLINE, () -> lab.paths() == 3 && (!s.bfd().on() || lab.bfdUp() == 3))) {
                        // on a loaded host short hold times and BFD intervals flap: say so instead of a figure
                        notConverged.add(s.name());
                        continue;
                    }
                    if (spreadRow == null) {
                        var spread = lab.hammer(3000);
                        spreadRow = "| 3,000 connections | %d | %d | %d | %d |".formatted(
                                spread.getOrDefault("192.0.2.1", 0), spread.getOrDefault("192.0.2.2", 0),
                                spread.getOrDefault("192.0.2.3", 0), spread.getOrDefault("errors", 0));
                    }
                    stops.add(gracefulStop(lab, s.window()));
                    lab.restartAgent(3);
                    if (!Netns.await(DEADLINE, () -> lab.paths() == 3)) {
                        notConverged.add(s.name() + " (after d3's restart)");
                        continue;
                    }
                    dead.add(deadLink(lab, s.window()));
                    if (s.bfd().on()) {
                        // d1's and d3's sessions had no cause to go down: every loss is a flap
                        lost.add(String.valueOf(lab.bfdDownEvents("192.0.2.1") + lab.bfdDownEvents("192.0.2.3")));
                    }
                }
            }
            if (!dead.isEmpty()) {
                rows.add(row("link of d2 cut (BIRD)", s.name(), dead));
                rows.add(row("d3 stopped (SIGTERM, FRR)", s.name(), stops));
            }
            if (!lost.isEmpty()) {
                bfdLost.add("%s: %s".formatted(s.name(), String.join(", ", lost)));
            }
        }
        writeLeaves(load, spreadRow, rows, notConverged, bfdLost);
    }

    /// d2's link goes down; the client keeps connecting meanwhile.
    Outcome deadLink(ScaleOutLab lab, int window) throws Exception {
        var log = lab.dir.resolve("dead.log");
        var hammer = lab.client.start(log, lab.hammerCommand(window + 8.0));
        Thread.sleep(500); // the client is connecting before the link dies
        long t0 = System.nanoTime();
        lab.directors.get(1).exec("ip", "link", "set", lab.directors.get(1).ifname(), "down");
        Netns.await(DEADLINE, () -> lab.paths() == 2);
        double seconds = (System.nanoTime() - t0) / 1e9;
        hammer.waitFor(60, TimeUnit.SECONDS);
        lab.directors.get(1).exec("ip", "link", "set", lab.directors.get(1).ifname(), "up");
        return outcome(seconds, log);
    }

    /// d3 stops gracefully (it withdraws, waits withdraw_delay, then stops).
    Outcome gracefulStop(ScaleOutLab lab, int window) throws Exception {
        var log = lab.dir.resolve("stop.log");
        var hammer = lab.client.start(log, lab.hammerCommand(window + 8.0));
        Thread.sleep(500);
        long t0 = System.nanoTime();
        var stopping = Thread.ofVirtual().start(() -> lab.agents.get(2).stop());
        Netns.await(DEADLINE, () -> lab.paths() == 2);
        double seconds = (System.nanoTime() - t0) / 1e9;
        stopping.join(DEADLINE);
        hammer.waitFor(60, TimeUnit.SECONDS);
        return outcome(seconds, log);
    }

    /// The client's count of answers and failures (-1: it printed none).
    static Outcome outcome(double seconds, Path log) throws IOException {
        var text = Files.exists(log) ? Files.readString(log) : "";
        var counts = ScaleOutLab.counts(text);
        int broken = counts.getOrDefault("broken", 0);
        int errors = counts.getOrDefault("errors", -1);
        int total = counts.entrySet().stream().filter(e -> !e.getKey().equals("broken"))
                .mapToInt(Map.Entry::getValue).sum();
        return new Outcome(seconds, errors < 0 ? -1 : errors - broken, broken, total);
    }

    static String row(String what, String setting, List<Outcome> outcomes) {
        var seconds = outcomes.stream().mapToDouble(Outcome::seconds).sorted().toArray();
        var failed = outcomes.stream().map(o -> o.failed() < 0 ? "–" : String.valueOf(o.failed())).toList();
        var broken = outcomes.stream().map(o -> String.valueOf(o.broken())).toList();
        return "| %s | %s | %.2f | %.2f | %s | %s |".formatted(what, setting, seconds[seconds.length / 2],
                seconds[seconds.length - 1], String.join(", ", failed), String.join(", ", broken));
    }

    /// The membership changes measured for long-lived connections: the router's route driven by
    /// hand as an ordinary multipath route or a resilient nexthop group, a director removed and
    /// then re-added while the client keeps [#HELD] connections alive.
    @Test
    void longLivedConnections() throws Exception {
        assumeTrue(Netns.available() && Frr.available() && Files.isExecutable(Bird.BIRD)
                && Nginx.available(), "needs root, ip, FRR, BIRD 2 and nginx");
        var load = Files.readString(Path.of("/proc/loadavg")).strip();
        var results = new LinkedHashMap<String, List<Change>>();
        for (int run = 0; run < RUNS; run++) {
            try (var lab = new ScaleOutLab(dir.resolve("longlived" + run), "", "", "", ScaleOutLab.Bfd.OFF)) {
                if (!Netns.await(DEADLINE, () -> lab.paths() == 3)) {
                    continue;
                }
                lab.routeByHand();
                for (var resilient : List.of(false, true)) {
                    for (int removed = 1; removed <= 3; removed++) {
                        var key = (resilient ? "resilient, %d buckets, idle_timer %d s".formatted(BUCKETS, IDLE_TIMER)
                                : "ordinary multipath route") + " | d" + removed;
                        results.computeIfAbsent(key, k -> new ArrayList<>()).add(change(lab, resilient, removed));
                        lab.clearRoute();
                    }
                }
            }
        }
        var rows = new ArrayList<String>();
        results.forEach((key, changes) -> rows.add("| %s | %s | %s | %s | %s |".formatted(key,
                join(changes, Change::onRemoved), join(changes, Change::brokenOnRemoval),
                join(changes, Change::brokenOnReAdd), join(changes, Change::shareAfterReAdd))));
        writeLongLived(load, rows);
    }

    /// @param onRemoved of the [#HELD] connections open over all three, those on the removed director
    /// @param brokenOnRemoval of those, broken when it was removed
    /// @param brokenOnReAdd of [#HELD] connections opened while it was out, broken when it came back
    /// @param shareAfterReAdd of [#NEW_CONNECTIONS] new connections after its return, those it took
    record Change(int onRemoved, int brokenOnRemoval, int brokenOnReAdd, int shareAfterReAdd) {
    }

    /// One director removed from the router's route with [#HELD] connections open over all three;
    /// then, with [#HELD] connections opened while it is out, added back. Each connection carries a
    /// request every 200 ms or so.
    Change change(ScaleOutLab lab, boolean resilient, int removed) throws Exception {
        var all = List.of(1, 2, 3);
        var rest = all.stream().filter(n -> n != removed).toList();
        var name = "keepalive-%s-d%d".formatted(resilient ? "resilient" : "ordinary", removed);
        route(lab, resilient, all);
        var removal = held(lab, lab.dir.resolve(name + "-removal.log"), () -> route(lab, resilient, rest));
        // the connections open now all avoid the removed director: its return is what moves them
        var reAdd = held(lab, lab.dir.resolve(name + "-readd.log"), () -> route(lab, resilient, all));
        var share = lab.hammer(NEW_CONNECTIONS).getOrDefault("192.0.2." + removed, 0);
        return new Change(removal.before().getOrDefault("192.0.2." + removed, 0), removal.broken(), reAdd.broken(),
                share);
    }

    /// The client's report before a change and the connections the change broke.
    record Held(Map<String, Integer> before, int broken) {
    }

    /// [#HELD] connections opened, `change` made, the broken ones counted once every connection
    /// has carried a few more requests — and, since a resilient group moves an idle bucket only
    /// after `idle_timer`, not before that has passed.
    Held held(ScaleOutLab lab, Path log, Runnable change) throws Exception {
        var client = lab.client.start(log, lab.keepAliveCommand(HELD, 120));
        try {
            if (!Netns.await(DEADLINE, () -> round(log).getOrDefault("round", 0) >= 3)) {
                throw new IllegalStateException("the client reported nothing: " + Files.readString(log));
            }
            var before = round(log);
            change.run();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(IDLE_TIMER + 1);
            Netns.await(DEADLINE, () -> System.nanoTime() - end > 0);
            var after = settle(log);
            return new Held(before, after.get("broken") - before.get("broken"));
        } finally {
            Netns.stop(client, Duration.ofSeconds(5));
        }
    }

    static void route(ScaleOutLab lab, boolean resilient, List<Integer> members) {
        if (resilient) {
            lab.resilientRoute(members, BUCKETS, IDLE_TIMER);
        } else {
            lab.ordinaryRoute(members);
        }
    }

    /// The client's round once eight more have passed: a moved connection is found broken at its
    /// next request.
    static Map<String, Integer> settle(Path log) {
        int now = round(log).getOrDefault("round", 0);
        if (!Netns.await(DEADLINE, () -> round(log).getOrDefault("round", 0) >= now + 8)) {
            throw new IllegalStateException("the long-lived client stopped reporting");
        }
        return round(log);
    }

    /// The client's last complete report.
    static Map<String, Integer> round(Path log) {
        try {
            var lines = Files.readAllLines(log);
            for (int i = lines.size() - 1; i >= 0; i--) {
                var line = lines.get(i);
                if (line.startsWith("round=") && line.contains("broken=")) {
                    return ScaleOutLab.counts(line);
                }
            }
            return Map.of();
        } catch (IOException e) {
            return Map.of();
        }
    }

    static String join(List<Change> changes, ToIntFunction<Change> field) {
        return String.join(", ", changes.stream().map(c -> String.valueOf(field.applyAsInt(c))).toList());
    }

    static Path resultsFile() {
        return Path.of(System.getProperty("pharos.bench.results", "../bench/results/scaleout.md"));
    }

    void writeLeaves(String load, String spreadRow, List<String> rows, List<String> notConverged, List<String> bfdLost)
            throws IOException {
        var intro = new StringBuilder("# Several active directors behind ECMP (bench/scaleout)\n\n")
                .append("Three directors (Pharos agents, user-space balancer; BIRD 2.0.12 on d1 and d2, FRR 8.4 on d3) ")
                .append("announce 203.0.113.10 to a router running FRR's bgpd with `maximum-paths ibgp 8` and ")
                .append("`fib_multipath_hash_policy=1`; a client behind the router (`net.core.txrehash=0`); two ")
                .append("nginx real servers answer with the proxying director's address. Each section says when it ")
                .append("was measured: the machine (2 cores) is shared with other builds and tests, so every figure ")
                .append("was taken on a busy host.\n\n");
        var spread = new StringBuilder(measured(load))
                .append("One connection per request.\n\n| what | d1 | d2 | d3 | failed |\n|---|---:|---:|---:|---:|\n")
                .append(spreadRow == null ? "| (no run converged) | | | | |" : spreadRow).append("\n\n");
        var leaves = new StringBuilder(measured(load))
                .append("Seconds from the event to the router's kernel route losing the ")
                .append("director's path (polled every 50 ms), median and max; per run, the client's new ")
                .append("connections that could not be opened and those opened, then reset or unanswered ")
                .append("(it kept connecting throughout, one connection per request).\n\n")
                .append("| event | detection | median s | max s | failed new connections per run | broken per run |\n")
                .append("|---|---|---:|---:|---|---|\n");
        rows.forEach(r -> leaves.append(r).append('\n'));
        if (!notConverged.isEmpty()) {
            leaves.append("\nRuns whose three sessions never stood together within %d s (flapping on the busy host): %s.\n"
                    .formatted(DEADLINE.toSeconds(), String.join(", ", notConverged)));
        }
        leaves.append("\nBFD sessions of the healthy directors (d1, d3) the router lost during a run (flaps), per run: ")
                .append(bfdLost.isEmpty() ? "(none measured)" : String.join("; ", bfdLost)).append(".\n");
        leaves.append("""

                Notes:

                - Without BFD a cut link is noticed only when the BGP hold time runs out: the time is the hold
                  time (minus the keepalive's phase), and the client's connections hashed to the dead director
                  fail until then (each waits out its own connect timeout of 5 s).
                - With BFD the router's bfdd declares the session down after the detect multiplier's worth of
                  missed packets (0.9 s at 300 ms × 3, 0.15 s at 50 ms × 3), takes the BGP session down, and
                  zebra removes the path; BGP's own timers stay at their defaults (keepalive 60 s, hold 180 s).
                - A graceful stop withdraws first and waits `withdraw_delay` (3 s here) before the services
                  stop: its route leaves the router in well under a second, whatever the timers. A connection
                  open at that instant can still break: the router's ordinary ECMP route hashes anew when a
                  path leaves (next section).
                """.stripIndent());
        var file = resultsFile();
        var text = Files.exists(file) ? Files.readString(file) : "";
        text = replaceIntro(text, intro.toString());
        text = replaceSection(text, "## Spread of new connections", spread.toString());
        text = replaceSection(text, "## A director leaves", leaves.toString());
        save(file, text);
    }

    void writeLongLived(String load, List<String> rows) throws IOException {
        var body = new StringBuilder(measured(load))
                .append("User-space balancer (a terminating proxy). The router's bgpd is stopped and its route to ")
                .append("the VIP set by hand with `ip route` / `ip nexthop`: FRR 8.4 cannot configure resilient ")
                .append("nexthop groups, so these rows show what the router's kernel does with each kind of route. ")
                .append("The client holds %d HTTP/1.1 keep-alive connections through the VIP, a request on each ".formatted(HELD))
                .append("every 200 ms or so. Removal: with connections open over all three directors, one leaves the ")
                .append("route; per run, how many connections were on it and how many broke. Re-add: with new ")
                .append("connections opened while it was out, it comes back; per run, how many broke, and how many of ")
                .append("%d new connections it took then (a third would be even). Broken connections are counted ".formatted(NEW_CONNECTIONS))
                .append("%d s after the change (the resilient group's `idle_timer` and a second).\n\n".formatted(IDLE_TIMER + 1))
                .append("| route | removed | on it | broken at removal | broken at re-add | its share of %d new |\n"
                        .formatted(NEW_CONNECTIONS))
                .append("|---|---|---|---|---|---|\n");
        rows.forEach(r -> body.append(r).append('\n'));
        body.append("""

                Notes:

                - A terminating proxy loses every flow that moves: the director that receives a moved flow's
                  next packet has no socket for it and resets it. So every connection on the removed director
                  breaks whatever the route; the question is what else moves.
                - Linux's ordinary multipath route (hash-threshold: each path owns one contiguous range of
                  the hash, in the order of the route's next hops) shifts the ranges' boundaries when a path
                  leaves or comes back: removing the middle path (d2) moves only its own flows; removing the
                  first or last also moves half as many of its neighbour's (a sixth of all); a return shifts
                  the boundaries back and breaks a third (middle path) to a half (first or last) of all the
                  connections opened meanwhile.
                - A resilient group keeps every bucket on its director unless that director left (its buckets
                  go to the others at once) or the bucket was idle for `idle_timer`: at removal only the
                  removed director's flows move, at its return none of the live ones. The returning director
                  gets only buckets that fell idle: here, with 512 buckets for 300 connections, enough were
                  idle that it took its third of new connections at once; with fewer buckets than busy flows
                  its share comes back only as old flows end. `idle_timer` must exceed the longest silence of
                  a flow that must stay (a flow silent longer moves, and breaks) — this client speaks every
                  200 ms.
                - Kernel IPVS `mh` with `sloppy_tcp`, whose directors can take over a moved flow, is measured
                  in its own section.
                """.stripIndent());
        var file = resultsFile();
        var text = Files.exists(file) ? Files.readString(file) : "";
        save(file, replaceSection(text, "## Long-lived connections through a membership change (user-space balancer)",
                body.toString()));
    }

    static String measured(String load) throws IOException {
        var after = Files.readString(Path.of("/proc/loadavg")).strip();
        return ("Measured %s on %d cores (load average %s before the run, %s after; a shared, busy machine), "
                + "N = %d per row.\n\n").formatted(Instant.now().truncatedTo(ChronoUnit.MINUTES),
                        Runtime.getRuntime().availableProcessors(), load, after, RUNS);
    }

    /// `text` with what comes before its first section replaced.
    static String replaceIntro(String text, String intro) {
        int first = text.startsWith("## ") ? 0 : text.indexOf("\n## ") + 1;
        return first <= 0 && !text.startsWith("## ") ? intro : intro + text.substring(first);
    }

    /// `text` with the section under `heading` (to the next `## `) replaced by `body`, or with it
    /// added at the end: the other sections, such as another bench's, stay as they are.
    static String replaceSection(String text, String heading, String body) {
        var section = heading + "\n\n" + body.strip() + "\n\n";
        int at = text.startsWith(heading + "\n") ? 0 : text.indexOf("\n" + heading + "\n");
        if (at < 0) {
            return text + (text.isEmpty() || text.endsWith("\n\n") ? "" : "\n") + section;
        }
        int start = at == 0 ? 0 : at + 1;
        int next = text.indexOf("\n## ", start + heading.length());
        return text.substring(0, start) + section + (next < 0 ? "" : text.substring(next + 1));
    }

    static void save(Path file, String text) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, text.endsWith("\n\n") ? text.substring(0, text.length() - 1) : text);
        System.out.printf(Locale.ROOT, "wrote %s%n", file.toAbsolutePath());
    }
}
