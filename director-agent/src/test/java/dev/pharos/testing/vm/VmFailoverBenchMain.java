package dev.pharos.testing.vm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.regex.Pattern;

/// `bench/vm-failover`: the seed's failover gap in the VM, with and without connection sync,
/// over N boots of [SeedLab]'s script (its checks of the data path left out). Writes a Markdown
/// report to the path given.
///
/// Usage: `VmFailoverBenchMain N REPORT`
public final class VmFailoverBenchMain {

    private static final Pattern TAKEOVER = Pattern.compile("(b-takes-vip1(?:-again)?): after ([0-9.]+) s");

    private VmFailoverBenchMain() {
    }

    /// One boot's figures, in seconds; NaN where there is none.
    record Round(double takeoverNoSync, double takeoverSync, double probeNoSync, double probeSync, double keptSync,
            double resetNoSync, boolean keptWentOnWithoutSync) {
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        var report = Path.of(args[1]);
        var vm = Vm.require();
        var rounds = new ArrayList<Round>();
        int fastClock = 0;
        for (int i = 1; i <= n; i++) {
            var files = SeedLab.files();
            files.put("bench-only", "");
            var run = vm.run(SeedLab.RUN, files, Duration.ofMinutes(14));
            var e = new SeedLab.Evidence(run.files());
            var ratio = SeedLab.clockRatio(run.output(), run.elapsed());
            if (ratio > 1.2) {
                fastClock++;
                System.err.printf(Locale.ROOT, "round %d left out: the guest's clock ran %.1f times as fast as the"
                        + " host's%n", i, ratio);
                continue;
            }
            if (run.output().contains("timed out") || e.file("kill-sync").isBlank()) {
                System.err.println("round " + i + " failed:\n" + run.output());
                continue;
            }
            var takeover = new double[] {Double.NaN, Double.NaN};
            var m = TAKEOVER.matcher(run.output());
            while (m.find()) {
                takeover[m.group(1).endsWith("again") ? 1 : 0] = Double.parseDouble(m.group(2));
            }
            var lost = e.answers("conn-nosync").stream().filter(a -> !a.served()).findFirst();
            var round = new Round(takeover[0], takeover[1], value(e.gap("probe-nosync", "nosync")),
                    value(e.gap("probe-sync", "sync")), value(e.gap("conn-sync", "sync")),
                    lost.map(a -> a.at() - e.killedAt("nosync")).orElse(Double.NaN),
                    lost.isEmpty());
            rounds.add(round);
            System.out.printf(Locale.ROOT, "round %d: %s (boot %.1f s, run %d s)%n", i, round, run.bootSeconds(),
                    run.elapsed().toSeconds());
        }
        Files.writeString(report, markdown(n, rounds, vm.kernelRelease(), fastClock));
        System.out.println("wrote " + report);
    }

    private static double value(OptionalDouble d) {
        return d.isPresent() ? d.getAsDouble() : Double.NaN;
    }

    private static String markdown(int n, List<Round> rounds, String kernel, int fastClock) {
        var b = new StringBuilder();
        b.append("# The seed's failover in a VM, with and without connection sync\n\n");
        b.append(String.format(Locale.ROOT, "bench/vm-failover, %s, %d of %d boots completed. Linux %s (Debian) under"
                + " QEMU TCG, 2 vCPUs, on a shared 2-core host.%s%n%n", LocalDate.now(), rounds.size(), n, kernel,
                fastClock == 0 ? "" : " " + fastClock + " boot(s) left out because the guest's clock ran fast (its TSC"
                        + " calibrated too low under the host's load: its uptime at the end exceeded the host's"
                        + " time for the whole run by more than 20 %), which would make every figure wrong."));
        b.append("**TCG emulates every instruction: the agents, the kernel and the clients run many times slower"
                + " than on hardware, so these figures show the shape of a failover (what survives it, what"
                + " dominates the gap), not the times a real pair of directors would see.**\n\n");
        b.append("The seed post's two directors (LVS-DR, dual master, `advert_int 1`; VI_1's backup has priority 98,"
                + " so Master_Down_Interval is 3 × 1 s + 0.617 s) in namespaces inside the guest, with two nginx real"
                + " servers. A client keeps an HTTP keep-alive connection through VIP1 (a request every 0.2 s) and a"
                + " probe opens a new connection every 0.25 s (1 s timeout) while the master director is lost: first"
                + " without `lvs_sync_daemon` (the post's files as they are; the master's link goes down), then, after"
                + " both agents reloaded with `lvs_sync_daemon ens33 VI_1` and VI_1 went back to the first director,"
                + " with it (its agent `kill -9` and its link down). For the backup and the client the two losses are"
                + " the same: the master falls silent at once. Times in seconds, on the guest's clock (a boot whose"
                + " clock ran fast is left out).\n\n");
        b.append("- takeover: from the loss until the backup holds VIP1 (polled every 0.3 s);\n");
        b.append("- new connections: the longest wait between two of the probe's answers across the loss;\n");
        b.append("- kept connection: the same for the keep-alive connection (TCP's retransmission back-off is part of"
                + " it); without sync it does not go on: the backup has no entry for it and answers its next segment"
                + " with a reset.\n\n");
        b.append("| boot | takeover, no sync | takeover, sync | new connections, no sync | new connections, sync |"
                + " kept connection, sync | kept connection, no sync |\n|---|---|---|---|---|---|---|\n");
        int i = 1;
        for (var r : rounds) {
            b.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s | %s | %s |%n", i++, f(r.takeoverNoSync()),
                    f(r.takeoverSync()), f(r.probeNoSync()), f(r.probeSync()), f(r.keptSync()),
                    r.keptWentOnWithoutSync() ? "went on (unexpected)"
                            : "reset " + f(r.resetNoSync()) + " s after the kill"));
        }
        b.append(String.format(Locale.ROOT, "| median | %s | %s | %s | %s | %s | |%n",
                f(median(rounds.stream().mapToDouble(Round::takeoverNoSync).toArray())),
                f(median(rounds.stream().mapToDouble(Round::takeoverSync).toArray())),
                f(median(rounds.stream().mapToDouble(Round::probeNoSync).toArray())),
                f(median(rounds.stream().mapToDouble(Round::probeSync).toArray())),
                f(median(rounds.stream().mapToDouble(Round::keptSync).toArray()))));
        return b.toString();
    }

    private static double median(double[] values) {
        var v = Arrays.stream(values).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static String f(double d) {
        return Double.isNaN(d) ? "–" : String.format(Locale.ROOT, "%.1f", d);
    }
}
