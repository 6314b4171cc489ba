package dev.pharos.console.bench;

import dev.pharos.agent.api.AgentEvent;
import dev.pharos.agent.api.AgentState;
import dev.pharos.agent.api.Hello;
import dev.pharos.agent.api.JsonRpc;
import dev.pharos.agent.api.Params;
import dev.pharos.agent.api.Protocol;
import dev.pharos.agent.control.Dispatcher;
import dev.pharos.agent.control.EventJournal;
import dev.pharos.agent.control.InMemoryChannel;
import dev.pharos.agent.control.Method;
import dev.pharos.console.ConsoleWindow;
import dev.pharos.console.configedit.ConfigEditorViewModel;
import dev.pharos.console.connect.AgentLink;
import dev.pharos.console.connect.DirectorConnection;
import dev.pharos.console.connect.DirectorEndpoint;
import dev.pharos.console.edit.EditService;
import dev.pharos.console.model.ClusterModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javafx.animation.AnimationTimer;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;

/// bench/console's driver: a synthetic cluster of 50 directors (25 pairs), 200 virtual servers
/// (each carried by one pair) and 2,000 real servers, in-process agents speaking the real protocol
/// over in-memory channels, 200 health events per second in total. Measures frame intervals
/// (AnimationTimer) while events stream and while panning, event → pixels (the event's time at the
/// agent → the pulse at which its real server's node shows the new health), cold start to the first
/// frame with every real server drawn, and heap. Prints one Markdown table.
public final class ConsoleBench {

    static final int PAIRS = 25;
    static final int VS_PER_PAIR = 8;
    static final int RS_PER_VS = 10;

    record Pending(String key, String health, long publishedNanos) {
    }

    static <T> T onFx(java.util.concurrent.Callable<T> task) throws Exception {
        var result = new java.util.concurrent.CompletableFuture<T>();
        Platform.runLater(() -> {
            try {
                result.complete(task.call());
            } catch (Exception e) {
                result.completeExceptionally(e);
            }
        });
        return result.get(30, TimeUnit.SECONDS);
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int soakSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        // Timed from the JVM's start (not main's): class loading before main is part of a cold start.
        var started = System.nanoTime() - java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(
                System.currentTimeMillis() - java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime());
        var ready = new CountDownLatch(1);
        Platform.startup(ready::countDown);
        ready.await();
        long toolkitUp = System.nanoTime() - started;
        var cluster = ClusterModel.onFxThread("bench");
        var connections = new LinkedHashMap<String, DirectorConnection>();
        var edits = EditService.onFxThread(cluster, connections);
        var windowRef = new ConsoleWindow[1];
        var shown = new CountDownLatch(1);
        Platform.runLater(() -> {
            windowRef[0] = new ConsoleWindow(cluster, edits,
                    new ConfigEditorViewModel(connections, task -> Thread.ofVirtual().start(task)));
            var stage = new Stage();
            stage.setScene(new Scene(windowRef[0], 1280, 800));
            stage.getScene().getStylesheets().addAll(ConsoleWindow.stylesheets());
            stage.show();
            shown.countDown();
        });
        shown.await();
        long windowShown = System.nanoTime() - started;
        var agents = new ArrayList<Synthetic>();
        for (int p = 0; p < PAIRS; p++) {
            for (int side = 0; side < 2; side++) {
                agents.add(new Synthetic("d" + p + (side == 0 ? "a" : "b"), p));
            }
        }
        // The model changes on the FX thread only (adding directors from here raced the topology's
        // update: a ConcurrentModificationException at start): all 50 in one turn of the FX thread.
        var listeners = onFx(() -> agents.stream().map(a -> cluster.listenerFor(a.name)).toList());
        for (int i = 0; i < agents.size(); i++) {
            var a = agents.get(i);
            var endpoint = new DirectorEndpoint(a.name, "bench", 0, null, null, null, null);
            connections.put(a.name, new DirectorConnection(endpoint, a::connect, listeners.get(i), Duration.ofSeconds(1),
                    Duration.ofSeconds(30)).start());
        }
        var window = windowRef[0];
        // cold start: until every real server is drawn
        long coldStart = -1;
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            var drawn = new java.util.concurrent.atomic.AtomicBoolean();
            var probe = new CountDownLatch(1);
            Platform.runLater(() -> {
                drawn.set(window.topology().nodeFor("tcp/192.0.2." + (PAIRS - 1) + ":" + (8000 + VS_PER_PAIR - 1)
                        + "|198.51.100." + (RS_PER_VS - 1) + ":80").isPresent());
                probe.countDown();
            });
            probe.await();
            if (drawn.get()) {
                coldStart = System.nanoTime() - started;
                break;
            }
            Thread.sleep(20);
        }
        // frame intervals and event→pixel
        var frames = new ConcurrentLinkedQueue<Long>();
        // The newest unseen event per real server; a newer one for the same server overtakes it.
        var pending = new java.util.concurrent.ConcurrentHashMap<String, Pending>();
        var overtaken = new java.util.concurrent.atomic.AtomicLong();
        var latencies = new ConcurrentLinkedQueue<Long>();
        var phase = new String[] {"idle"};
        var panning = new boolean[1];
        // During the soak the harness keeps nothing per event (its own growth would read as the console's).
        var soaking = new boolean[1];
        var timer = new AnimationTimer() {
            long last;

            @Override
            public void handle(long now) {
                if (last != 0) {
                    frames.add(now - last);
                }
                last = now;
                if (panning[0]) {
                    var canvas = window.topology().canvas().getParent();
                    canvas.setTranslateX(Math.sin(now / 3e8) * 200);
                }
                for (var p : pending.values()) {
                    var node = window.topology().nodeFor(p.key());
                    if (node.isPresent() && node.get().getStyleClass().contains("health-" + p.health())
                            && pending.remove(p.key(), p) && !soaking[0]) {
                        latencies.add(System.nanoTime() - p.publishedNanos());
                    }
                }
            }
        };
        Platform.runLater(timer::start);
        var rows = new ArrayList<String>();
        rows.add(measure("idle", frames, seconds / 4));
        var heaps = new ArrayList<Long>();
        heaps.add(heapAfterGc());
        var random = new Random(7);
        var streaming = new boolean[] {true};
        var published = new java.util.concurrent.atomic.AtomicLong();
        var emitter = Thread.ofPlatform().name("bench events").start(() -> {
            long next = System.nanoTime();
            while (streaming[0]) {
                var a = agents.get(random.nextInt(agents.size()));
                int vs = random.nextInt(VS_PER_PAIR);
                int rs = random.nextInt(RS_PER_VS);
                var health = random.nextBoolean() ? "up" : "down";
                var key = "tcp/192.0.2." + a.pair + ":" + (8000 + vs) + "|198.51.100." + rs + ":80";
                // The console draws the worst health its directors report: what this event must
                // make visible is the worst over the pair once it is applied.
                var other = agents.get(agents.indexOf(a) ^ 1);
                var expected = health.equals("down") || other.healthOf(vs, rs).equals("down") ? "down" : "up";
                if (pending.put(key, new Pending(key, expected, System.nanoTime())) != null) {
                    overtaken.incrementAndGet();
                }
                published.incrementAndGet();
                a.flip(vs, rs, health);
                next += 5_000_000; // 200/s
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
            }
        });
        rows.add(measure("200 events/s", frames, seconds));
        heaps.add(heapAfterGc());
        panning[0] = true;
        rows.add(measure("200 events/s while panning", frames, seconds));
        heaps.add(heapAfterGc());
        panning[0] = false;
        // What the phases published (event → pixels does not count the soak's events).
        long publishedInPhases = published.get();
        long overtakenInPhases = overtaken.get();
        soaking[0] = true;
        var soak = soakSeconds > 0 ? soak(frames, soakSeconds) : null;
        streaming[0] = false;
        emitter.join();
        screenshot(window, Path.of("console-app", "target", "screenshots", "console-bench.png"));
        var lat = new ArrayList<>(latencies);
        Collections.sort(lat);
        var heap = heapAfterGc();
        System.out.println("| what | frames | median ms | p99 ms | max ms | frames that missed a pulse (> 25 ms) |");
        System.out.println("|---|---|---|---|---|---|");
        rows.forEach(System.out::println);
        System.out.printf("%nEvent → pixels: %d events seen drawn, median %.1f ms, p99 %.1f ms (of %d published; "
                + "%d overtaken by a newer event for the same server before a frame showed them are not counted). "
                + "Seen drawn: the server's card shows the worst health over its pair of directors, as the event "
                + "leaves it.%n",
                lat.size(), pct(lat, 50), pct(lat, 99), publishedInPhases, overtakenInPhases);
        System.out.printf("Cold start (JVM start → every real server's node exists and is current, those in view in the "
                + "scene graph; off-screen cards are culled): %.2f s (JavaFX toolkit up at %.2f s, "
                + "empty window shown at %.2f s; the rest is 50 connections, their states, and drawing).%n",
                coldStart / 1e9, toolkitUp / 1e9, windowShown / 1e9);
        System.out.printf("Heap in use after the run (after a GC): %d MB; after the idle, events and panning phases: "
                + "%s MB.%n", heap >> 20, String.join(", ", heaps.stream().map(h -> Long.toString(h >> 20)).toList()));
        if (soak != null) {
            System.out.println();
            System.out.println(soak);
        }
        Platform.runLater(timer::stop);
        connections.values().forEach(DirectorConnection::close);
        edits.close();
        Platform.exit();
        System.exit(0);
    }

    /// One and a half 60 Hz pulses.
    static final long MISSED_PULSE_NANOS = 25_000_000;

    static String measure(String what, ConcurrentLinkedQueue<Long> frames, int seconds) throws InterruptedException {
        // Marks the phase in -Djavafx.pulseLogger's output (stderr), to split its figures by phase.
        System.err.println("BENCH PHASE: " + what);
        frames.clear();
        Thread.sleep(Duration.ofSeconds(seconds));
        var f = new ArrayList<>(frames);
        Collections.sort(f);
        // A frame that took more than one and a half pulses missed a pulse: 60 fps was not held.
        long missed = f.stream().filter(x -> x > MISSED_PULSE_NANOS).count();
        return String.format("| %s | %d | %.1f | %.1f | %.1f | %.2f %% |", what, f.size(), pct(f, 50), pct(f, 99),
                f.isEmpty() ? Double.NaN : f.getLast() / 1e6, f.isEmpty() ? Double.NaN : 100.0 * missed / f.size());
    }

    /// Heap over a long stream of events: heap in use after a full GC every [#SOAK_SAMPLE], from
    /// the soak's start, while 200 events/s flow (not panning); and the frames over the whole soak.
    /// A least-squares slope over the samples says whether something keeps what it should drop.
    static String soak(ConcurrentLinkedQueue<Long> frames, int seconds) throws InterruptedException {
        System.err.println("BENCH PHASE: soak");
        frames.clear();
        // Frame intervals in 0.1 ms buckets up to 2 s (the last one: longer): fixed memory however long the soak.
        var histogram = new long[20_001];
        var samples = new ArrayList<Long>();
        long began = System.nanoTime();
        long end = began + Duration.ofSeconds(seconds).toNanos();
        samples.add(heapAfterGc());
        for (int i = 1; System.nanoTime() < end; i++) {
            long wake = began + SOAK_SAMPLE.toNanos() * i;
            long wait = Math.min(wake, end) - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(Duration.ofNanos(wait));
            }
            for (Long f; (f = frames.poll()) != null;) {
                histogram[(int) Math.min(histogram.length - 1, f / 100_000)]++;
            }
            samples.add(heapAfterGc());
        }
        double minutes = SOAK_SAMPLE.toSeconds() / 60.0;
        double slope = slopePerStep(samples) / (1 << 20) / minutes;
        var mb = samples.stream().map(h -> Long.toString(h >> 20)).toList();
        long count = java.util.Arrays.stream(histogram).sum();
        return String.format("Heap over %d s of 200 events/s (after a GC, every %d s): first %d MB, last %d MB, "
                + "max %d MB, slope %+.2f MB/min; samples (MB): %s. Frames over the soak: %d, median %.1f ms, "
                + "p99 %.1f ms, max %.1f ms.", seconds, SOAK_SAMPLE.toSeconds(), samples.getFirst() >> 20,
                samples.getLast() >> 20, samples.stream().mapToLong(Long::longValue).max().orElse(0) >> 20, slope,
                String.join(", ", mb), count, bucket(histogram, count, 50), bucket(histogram, count, 99),
                bucket(histogram, count, 100));
    }

    /// The `p`th percentile of a histogram of 0.1 ms buckets, in ms (the upper edge of its bucket).
    static double bucket(long[] histogram, long count, int p) {
        long rank = Math.max(1, (long) Math.ceil(p / 100.0 * count));
        long seen = 0;
        for (int i = 0; i < histogram.length; i++) {
            seen += histogram[i];
            if (seen >= rank) {
                return (i + 1) / 10.0;
            }
        }
        return Double.NaN;
    }

    static final Duration SOAK_SAMPLE = Duration.ofSeconds(30);

    /// Least-squares slope of `ys` against their index (bytes per sample).
    static double slopePerStep(List<Long> ys) {
        int n = ys.size();
        if (n < 2) {
            return 0;
        }
        double meanX = (n - 1) / 2.0;
        double meanY = ys.stream().mapToLong(Long::longValue).average().orElse(0);
        double num = 0;
        double den = 0;
        for (int i = 0; i < n; i++) {
            num += (i - meanX) * (ys.get(i) - meanY);
            den += (i - meanX) * (i - meanX);
        }
        return num / den;
    }

    /// The window as it looks at the end of the run, to check by eye that the view still draws right.
    static void screenshot(ConsoleWindow window, Path file) throws Exception {
        Files.createDirectories(file.getParent());
        var done = new java.util.concurrent.CompletableFuture<Void>();
        Platform.runLater(() -> {
            try {
                var snap = window.getScene().getRoot().snapshot(null, null);
                var out = new java.awt.image.BufferedImage((int) snap.getWidth(), (int) snap.getHeight(),
                        java.awt.image.BufferedImage.TYPE_INT_ARGB);
                for (int y = 0; y < out.getHeight(); y++) {
                    for (int x = 0; x < out.getWidth(); x++) {
                        out.setRGB(x, y, snap.getPixelReader().getArgb(x, y));
                    }
                }
                javax.imageio.ImageIO.write(out, "png", file.toFile());
                done.complete(null);
            } catch (Exception | Error e) {
                done.completeExceptionally(e);
            }
        });
        done.get(30, TimeUnit.SECONDS);
    }

    /// Heap in use after a full collection (System.gc() is honoured by G1 unless disabled).
    static long heapAfterGc() {
        System.gc();
        return Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
    }

    static double pct(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1)) / 1e6;
    }

    /// One synthetic director: its state (its pair's virtual servers), health flips as events.
    static final class Synthetic {
        final String name;
        final int pair;
        /// The agents' replay buffers share the console's heap in this harness: small, so that they
        /// are full (4 events/s each) before the soak and their filling does not read as the console's growth.
        final EventJournal journal = new EventJournal(Clock.systemUTC(), 256);
        final Map<String, String> health = new java.util.concurrent.ConcurrentHashMap<>();

        Synthetic(String name, int pair) {
            this.name = name;
            this.pair = pair;
        }

        String healthOf(int vs, int rs) {
            return health.getOrDefault("tcp/192.0.2." + pair + ":" + (8000 + vs) + "|198.51.100." + rs + ":80", "up");
        }

                void flip(int vs, int rs, String h) {
            var vsId = "tcp/192.0.2." + pair + ":" + (8000 + vs);
            var rsId = "198.51.100." + rs + ":80";
            health.put(vsId + "|" + rsId, h);
            journal.publish((seq, at) -> new AgentEvent.HealthChanged(seq, at, vsId, rsId, h, h.equals("down")
                    ? "status 503" : null, h.equals("down") ? -1 : 1));
        }

        AgentState state() {
            var servers = new ArrayList<AgentState.VirtualServer>();
            for (int v = 0; v < VS_PER_PAIR; v++) {
                var vsId = "tcp/192.0.2." + pair + ":" + (8000 + v);
                var real = new ArrayList<AgentState.RealServer>();
                for (int r = 0; r < RS_PER_VS; r++) {
                    var rsId = "198.51.100." + r + ":80";
                    var h = health.getOrDefault(vsId + "|" + rsId, "up");
                    real.add(new AgentState.RealServer(rsId, "198.51.100." + r, 80, 1, 1, h, null, null,
                            List.of("HTTP_GET"), AgentState.Traffic.NONE));
                }
                servers.add(new AgentState.VirtualServer(vsId, "TCP", "192.0.2." + pair, 8000 + v, null, null, "wrr",
                        "NAT", "userspace", null, 0, 1, true, null, real));
            }
            var vrrp = List.of(new AgentState.VrrpInstance("VI_" + pair, 1 + pair, "eth0", 2,
                    name.endsWith("a") ? "MASTER" : "BACKUP", 100, 100, null, List.of("192.0.2." + pair + "/32"), 1000,
                    Instant.now(), 1, List.of(), Map.of()));
            return new AgentState("r1", name, Instant.now(), journal.lastSequence(),
                    new AgentState.Balancer("userspace", "bench"), vrrp, servers);
        }

        AgentLink connect(DirectorEndpoint endpoint, Duration timeout) throws IOException {
            var methods = new LinkedHashMap<String, Method>();
            var hello = new Hello(Protocol.VERSION, "bench", name, new Hello.Capabilities("userspace", List.of(2),
                    List.of("eth0"), Protocol.METHODS));
            methods.put(Protocol.HELLO, (p, s) -> hello);
            methods.put(Protocol.STATE_GET, (p, s) -> state());
            methods.put(Protocol.EVENTS_SUBSCRIBE, (p, s) -> s.subscribe(JsonRpc.params(p, Params.Subscribe.class)
                    .afterSequence()));
            return new AgentLink(endpoint, InMemoryChannel.open(name, new Dispatcher(methods), journal), hello);
        }
    }

    private ConsoleBench() {
    }
}
