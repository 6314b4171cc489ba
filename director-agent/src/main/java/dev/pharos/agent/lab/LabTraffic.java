package dev.pharos.agent.lab;

import dev.pharos.agent.api.Addresses;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/// The lab's clients: requests at a chosen rate (per second of the lab's clock) through each VIP, each sent to whichever director
/// holds the VIP at that moment, each result recorded (which director, which real server answered,
/// or why it failed). The gaps in the answers are the failover the class is watching.
public final class LabTraffic implements AutoCloseable {

    /// One request's outcome.
    ///
    /// @param director the director that held the VIP, or null when none did
    /// @param answer   the real server's answer (its name), or null on failure
    /// @param error    why it failed, or null
    public record Result(Instant at, String vip, String director, String answer, String error, Duration took) {
        public boolean ok() {
            return answer != null;
        }
    }

    /// A VIP and port to send to, written as the agent writes a virtual server's address
    /// (`192.0.2.100:80`, `[2001:db8::100]:80`).
    public record Target(InetAddress vip, int port) {
        /// The VIP as it stands before `:port`: `192.0.2.100`, `[2001:db8::100]`.
        public String host() {
            var text = Addresses.text(vip);
            return vip instanceof Inet6Address ? "[" + text + "]" : text;
        }

        @Override
        public String toString() {
            return host() + ":" + port;
        }
    }

    private static final long IDLE_NANOS = Duration.ofMillis(200).toNanos();

    /// How long a client waits, on the lab's clock, for its VIP's first holder.
    public static final Duration START_GRACE = Duration.ofSeconds(15);
    private static final long START_GRACE_NANOS = START_GRACE.toNanos();

    private final Lab lab;
    private final List<Target> targets;
    private final List<Consumer<Result>> listeners = new CopyOnWriteArrayList<>();
    private final List<Thread> clients = new ArrayList<>();
    private volatile double perSecond;
    private volatile boolean closed;

    public LabTraffic(Lab lab, List<Target> targets, double perSecond) {
        this.lab = lab;
        this.targets = List.copyOf(targets);
        this.perSecond = perSecond;
        for (var t : this.targets) {
            clients.add(Thread.ofVirtual().name("lab client " + t).start(() -> run(t)));
        }
    }

    public void addListener(Consumer<Result> listener) {
        listeners.add(listener);
    }

    /// Requests per second of the lab's clock, per VIP (0 pauses).
    public void rate(double value) {
        perSecond = Math.max(0, Math.min(200, value));
    }

    public double rate() {
        return perSecond;
    }

    public List<Target> targets() {
        return targets;
    }

    /// Requests at the rate on the lab's clock: slowed down with it, and none while it stands
    /// still (a step-by-step pause, speed 0) — the lab's whole world stops, so an outage measured
    /// across a pause leaves the pause out.
    ///
    /// A client starts when its VIP first has a route (a director holds it and serves the port),
    /// or after [#START_GRACE] of the lab's clock: the directors' own start (every instance begins
    /// in BACKUP and waits before it takes over) is not a failure to count, and a lab where
    /// nothing ever serves the VIP still shows its failures.
    private void run(Target t) {
        var clock = lab.stepGate();
        clock.attach(Thread.currentThread());
        try {
            long begin = clock.nanoTime();
            boolean started = false;
            long next = begin;
            while (!closed) {
                if (!started) {
                    started = lab.route(t.vip(), t.port()).isPresent() || clock.nanoTime() - begin > START_GRACE_NANOS;
                    if (!started) {
                        LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
                        next = clock.nanoTime();
                        continue;
                    }
                }
                var r = perSecond;
                if (r <= 0 || clock.isPaused()) {
                    if (r <= 0) {
                        LockSupport.parkNanos(IDLE_NANOS);
                    } else {
                        clock.awaitResume(IDLE_NANOS);
                    }
                    next = clock.nanoTime();
                    continue;
                }
                long wait = next - clock.nanoTime();
                if (wait > 0) {
                    // A resume or a new speed unparks this thread: the wait is counted again.
                    LockSupport.parkNanos(Math.min(IDLE_NANOS, clock.realNanos(wait)));
                    continue;
                }
                var result = once(t);
                for (var l : listeners) {
                    l.accept(result);
                }
                next = Math.max(next + (long) (1e9 / r), clock.nanoTime()); // late: no burst to catch up
            }
        } finally {
            clock.detach(Thread.currentThread());
        }
    }

    /// One request now, through the current holder of the VIP.
    public Result once(Target t) {
        var start = System.nanoTime();
        var holder = lab.holder(t.vip()).orElse(null);
        var route = lab.route(t.vip(), t.port());
        if (route.isEmpty()) {
            return new Result(lab.now(), t.toString(), holder, null,
                    holder == null ? "no director holds " + Addresses.text(t.vip()) : "no service on " + holder,
                    Duration.ofNanos(System.nanoTime() - start));
        }
        try (var s = new Socket()) {
            s.connect(route.get(), 2000);
            s.setSoTimeout(3000);
            s.getOutputStream().write(("GET / HTTP/1.0\r\nHost: " + t + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            var text = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int body = text.indexOf("\r\n\r\n");
            var status = text.isEmpty() ? "" : text.substring(0, Math.max(0, text.indexOf('\r')));
            if (body < 0 || !status.contains(" 200")) {
                return new Result(lab.now(), t.toString(), holder, null,
                        text.isEmpty() ? "connection closed without an answer" : "answer: " + status,
                        Duration.ofNanos(System.nanoTime() - start));
            }
            return new Result(lab.now(), t.toString(), holder, text.substring(body + 4).strip(), null,
                    Duration.ofNanos(System.nanoTime() - start));
        } catch (IOException e) {
            return new Result(lab.now(), t.toString(), holder, null, e.getMessage(),
                    Duration.ofNanos(System.nanoTime() - start));
        }
    }

    @Override
    public void close() {
        closed = true;
        clients.forEach(Thread::interrupt);
    }
}
