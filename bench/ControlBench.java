// bench/ControlBench.java — drives an agent's control socket; run by bench/control (single-file
// source, with director-agent.jar on the class path). Prints one Markdown table row per line.
import com.fasterxml.jackson.databind.JsonNode;
import dev.pharos.agent.api.AgentEvent;
import dev.pharos.agent.api.AgentState;
import dev.pharos.agent.api.Params;
import dev.pharos.agent.api.Protocol;
import dev.pharos.agent.control.ControlClient;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

public class ControlBench {

    static final Duration CALL = Duration.ofSeconds(60);

    public static void main(String[] args) throws Exception {
        var socket = Path.of(args[0]);
        int seconds = Integer.parseInt(args[1]);
        // An optional third argument picks rows (parsed,reply,filtered,fanout), to profile one of them.
        var rows = Set.of((args.length > 2 ? args[2] : "parsed,reply,filtered,fanout").split(","));
        // Warm the agent (JIT) before measuring.
        try (var c = ControlClient.connect(socket)) {
            for (int i = 0; i < 30; i++) {
                c.call(Protocol.STATE_GET, null, CALL);
            }
        }
        for (int clients : rows.contains("parsed") ? new int[] {1, 4, 16} : new int[0]) {
            stateGet(socket, clients, seconds);
        }
        for (int clients : rows.contains("reply") ? new int[] {1, 4, 16} : new int[0]) {
            reply(socket, clients, seconds);
        }
        String first;
        try (var c = ControlClient.connect(socket)) {
            first = c.call(Protocol.STATE_GET, null, AgentState.class, CALL).virtualServers().getFirst().id();
        }
        for (int clients : rows.contains("filtered") ? new int[] {1, 16} : new int[0]) {
            filtered(socket, clients, seconds, first);
        }
        if (rows.contains("fanout")) {
            fanOut(socket, 50, 200);
        }
    }

    /// Latency from the request sent to the reply's last byte received, the reply not parsed: the
    /// agent's time (and the socket's), without the client's JSON parsing on the same cores.
    static void reply(Path socket, int clients, int seconds) throws Exception {
        var latencies = Collections.synchronizedList(new ArrayList<Long>());
        var bytes = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        var threads = new ArrayList<Thread>();
        for (int t = 0; t < clients; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try (var ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                    var buffer = ByteBuffer.allocateDirect(1 << 20);
                    for (long id = 1; System.nanoTime() < end; id++) {
                        var request = ByteBuffer.wrap(("{\"jsonrpc\":\"2.0\",\"id\":" + id
                                + ",\"method\":\"state.get\",\"params\":{}}\n").getBytes(StandardCharsets.UTF_8));
                        long t0 = System.nanoTime();
                        while (request.hasRemaining()) {
                            ch.write(request);
                        }
                        long n = 0;
                        boolean last = false;
                        while (!last) {
                            buffer.clear();
                            int r = ch.read(buffer);
                            if (r < 0) {
                                throw new IllegalStateException("the agent closed the connection");
                            }
                            n += r;
                            // One reply per request and no events: the line ends the reply.
                            last = r > 0 && buffer.get(r - 1) == '\n';
                        }
                        latencies.add(System.nanoTime() - t0);
                        bytes.set(n);
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }));
        }
        for (var t : threads) {
            t.join();
        }
        var l = new ArrayList<>(latencies);
        Collections.sort(l);
        System.out.printf("| state.get, the agent's reply (request sent → last byte received, not parsed) | %d | %.1f | %.1f | %.1f | %d kB |%n",
                clients, l.size() / (double) seconds, pct(l, 50), pct(l, 99), bytes.get() / 1024);
    }

    /// `state.get` of one virtual server of the hundred, parsed.
    static void filtered(Path socket, int clients, int seconds, String id) throws Exception {
        var latencies = Collections.synchronizedList(new ArrayList<Long>());
        var bytes = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        var threads = new ArrayList<Thread>();
        for (int t = 0; t < clients; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try (var c = ControlClient.connect(socket)) {
                    while (System.nanoTime() < end) {
                        long t0 = System.nanoTime();
                        JsonNode n = c.call(Protocol.STATE_GET, new Params.StateGet(List.of(id)), CALL);
                        latencies.add(System.nanoTime() - t0);
                        if (bytes.get() == 0) {
                            bytes.set(n.toString().length());
                        }
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }));
        }
        for (var t : threads) {
            t.join();
        }
        var l = new ArrayList<>(latencies);
        Collections.sort(l);
        System.out.printf("| state.get `{\"virtualServers\":[one of 100]}`, parsed | %d | %.1f | %.1f | %.1f | %d kB |%n",
                clients, l.size() / (double) seconds, pct(l, 50), pct(l, 99), bytes.get() / 1024);
    }

    static void stateGet(Path socket, int clients, int seconds) throws Exception {
        var latencies = Collections.synchronizedList(new ArrayList<Long>());
        var bytes = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        var threads = new ArrayList<Thread>();
        for (int t = 0; t < clients; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try (var c = ControlClient.connect(socket)) {
                    while (System.nanoTime() < end) {
                        long t0 = System.nanoTime();
                        JsonNode n = c.call(Protocol.STATE_GET, null, CALL);
                        latencies.add(System.nanoTime() - t0);
                        if (bytes.get() == 0) {
                            bytes.set(n.toString().length());
                        }
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }));
        }
        for (var t : threads) {
            t.join();
        }
        var l = new ArrayList<>(latencies);
        Collections.sort(l);
        System.out.printf("| state.get, parsed by the client (ControlClient → JSON tree) | %d | %.1f | %.1f | %.1f | %d kB |%n", clients, l.size() / (double) seconds,
                pct(l, 50), pct(l, 99), bytes.get() / 1024);
    }

    static void fanOut(Path socket, int subscribers, int events) throws Exception {
        // Each subscriber records when each config.changed event arrived, in order; edits are made
        // one after the other, so the k-th event of every subscriber belongs to the k-th edit.
        var arrivals = new ArrayList<List<Long>>();
        var done = new CountDownLatch(subscribers);
        var clients = new ArrayList<ControlClient>();
        for (int i = 0; i < subscribers; i++) {
            var c = ControlClient.connect(socket);
            var mine = Collections.synchronizedList(new ArrayList<Long>());
            arrivals.add(mine);
            c.onEvent(e -> {
                if (e instanceof AgentEvent.ConfigChanged) {
                    mine.add(System.nanoTime());
                    if (mine.size() == events) {
                        done.countDown();
                    }
                }
            });
            c.call(Protocol.EVENTS_SUBSCRIBE, java.util.Map.of(), CALL);
            clients.add(c);
        }
        var sendTimes = new ArrayList<Long>();
        var edits = new ArrayList<Long>();
        try (var c = ControlClient.connect(socket)) {
            var s = c.call(Protocol.STATE_GET, null, AgentState.class, CALL);
            var vs = s.virtualServers().getFirst();
            var rs = vs.realServers().getFirst();
            var revision = s.revision();
            long start = System.nanoTime();
            for (int i = 0; i < events; i++) {
                long t0 = System.nanoTime();
                sendTimes.add(t0);
                var r = c.call(Protocol.REAL_SERVER_UPDATE, new Params.RealServerUpdate(revision, vs.id(), rs.id(),
                        predict(i), null), CALL);
                edits.add(System.nanoTime() - t0);
                revision = r.get("revision").asText();
            }
            double editWall = (System.nanoTime() - start) / 1e9;
            done.await(60, java.util.concurrent.TimeUnit.SECONDS);
            long lastArrival = 0;
            var all = new ArrayList<Long>();
            int delivered = 0;
            for (var mine : arrivals) {
                synchronized (mine) {
                    delivered += mine.size();
                    for (int k = 0; k < mine.size() && k < sendTimes.size(); k++) {
                        all.add(mine.get(k) - sendTimes.get(k));
                        lastArrival = Math.max(lastArrival, mine.get(k));
                    }
                }
            }
            double fanWall = (lastArrival - start) / 1e9;
            Collections.sort(all);
            Collections.sort(edits);
            System.out.printf("| realServer.update (validate + write file + apply) | 1 | %.1f | %.1f | %.1f | |%n",
                    events / editWall, pct(edits, 50), pct(edits, 99));
            System.out.printf("| event fan-out (edit sent → event at each subscriber) | %d subscribers | %.0f events/s delivered | %.1f | %.1f | %d of %d delivered |%n",
                    subscribers, delivered / fanWall, pct(all, 50), pct(all, 99), delivered,
                    (long) subscribers * events);
        }
        for (var c : clients) {
            c.close();
        }
    }

    /// A new weight each time, so every edit changes something and has its own revision.
    static int predict(int i) {
        return 2 + i;
    }

    static double pct(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1)) / 1e6;
    }
}
