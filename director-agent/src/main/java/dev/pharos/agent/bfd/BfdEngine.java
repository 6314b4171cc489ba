package dev.pharos.agent.bfd;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/// Runs `bfd_instance` sessions on one platform thread (`bfd-engine`), as keepalived's BFD process
/// does: it waits in `poll` on the receiving socket until the next session deadline, reads every
/// datagram waiting, and only then handles due transmissions and expiries — so a packet that has
/// arrived is never declared missing because another thread was slow to hand it over (measured
/// under load with a separate receiving thread: sessions at 50 ms × 3 expired with the
/// neighbor's packets already in the socket, bench/bfd). A packet finds its session by Your
/// Discriminator, or, while that is zero, by the neighbor's address (RFC 5880 §6.8.6).
public final class BfdEngine implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(BfdEngine.class.getName());
    /// The longest wait in `poll`: how soon a change of sessions is taken up.
    private static final long MAX_WAIT_NANOS = Duration.ofMillis(50).toNanos();

    /// One session with what the engine keeps beside it.
    private static final class Running {
        final BfdSession session;
        final BfdTransport.Sender sender;
        long lastReceived;
        boolean sendFailing;

        Running(BfdSession session, BfdTransport.Sender sender) {
            this.session = session;
            this.sender = sender;
        }
    }

    private final BfdTransport transport;
    private final Random random = new Random();
    private final Thread thread;
    private final Queue<Runnable> inbox = new ConcurrentLinkedQueue<>();
    private final List<Consumer<BfdStateChange>> listeners = new CopyOnWriteArrayList<>();
    // Engine-thread confined.
    private final Map<String, Running> byName = new LinkedHashMap<>();
    private final Map<Integer, Running> byDiscr = new HashMap<>();
    // Read by status callers on any thread.
    private volatile Map<String, BfdState> states = Map.of();
    private volatile boolean running = true;

    public BfdEngine(BfdTransport transport) {
        this.transport = transport;
        this.thread = Thread.ofPlatform().name("bfd-engine").daemon().unstarted(this::loop);
    }

    /// Listeners run on the engine thread, in order; they must not block.
    public void addListener(Consumer<BfdStateChange> listener) {
        listeners.add(listener);
    }

    /// Starts the engine thread with `sessions`.
    public void start(List<BfdSettings> sessions) throws IOException {
        thread.start();
        apply(sessions);
    }

    /// Brings the sessions to `sessions`: an unchanged one keeps its state, a removed one says
    /// AdminDown and stops, an added or changed one starts Down.
    public void apply(List<BfdSettings> sessions) throws IOException {
        var done = new CompletableFuture<Void>();
        inbox.add(() -> {
            try {
                change(sessions);
                done.complete(null);
            } catch (IOException | RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        try {
            done.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while changing BFD sessions", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("the BFD sessions could not be changed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("the BFD engine did not change its sessions within 10 s", e);
        }
    }

    private void change(List<BfdSettings> sessions) throws IOException {
        var wanted = new LinkedHashMap<String, BfdSettings>();
        sessions.forEach(s -> wanted.put(s.name(), s));
        for (var r : List.copyOf(byName.values())) {
            var s = r.session.settings();
            if (!s.equals(wanted.get(s.name()))) {
                stop(r);
            }
        }
        for (var s : wanted.values()) {
            if (!byName.containsKey(s.name())) {
                var r = new Running(new BfdSession(s, newDiscriminator(), random), transport.open(s));
                byName.put(s.name(), r);
                byDiscr.put(r.session.localDiscr(), r);
                LOG.log(Level.INFO, "({0}) BFD session to {1} starting", s.name(), s.neighbor().getHostAddress());
                run(r, new BfdSession.Event.Start());
            }
        }
        publishStates();
    }

    /// Each session's state, in configuration order.
    public Map<String, BfdState> states() {
        return states;
    }

    private int newDiscriminator() {
        int d;
        do {
            d = random.nextInt();
        } while (d == 0 || byDiscr.containsKey(d));
        return d;
    }

    private void stop(Running r) {
        run(r, new BfdSession.Event.Stop());
        r.sender.close();
        byName.remove(r.session.settings().name());
        byDiscr.remove(r.session.localDiscr());
    }

    private void run(Running r, BfdSession.Event event) {
        run(r, event, System.nanoTime());
    }

    private void run(Running r, BfdSession.Event event, long now) {
        for (var action : r.session.handle(event, now)) {
            switch (action) {
                case BfdSession.Action.Send send -> send(r, send.packet());
                case BfdSession.Action.StateChanged c -> changed(r, c, now);
                case BfdSession.Action.Discarded d -> LOG.log(Level.DEBUG, "({0}) discarded a packet: {1}",
                        r.session.settings().name(), d.why());
            }
        }
    }

    private void send(Running r, BfdPacket packet) {
        try {
            r.sender.send(packet.encode());
            if (r.sendFailing) {
                r.sendFailing = false;
                LOG.log(Level.INFO, "({0}) sending works again", r.session.settings().name());
            }
        } catch (IOException e) {
            // keepalived logs the first failure of a run and keeps trying at the same pace.
            if (!r.sendFailing) {
                r.sendFailing = true;
                LOG.log(Level.WARNING, "({0}) error sending a BFD packet: {1}", r.session.settings().name(),
                        e.getMessage());
            }
        }
    }

    private void changed(Running r, BfdSession.Action.StateChanged c, long now) {
        var name = r.session.settings().name();
        if (c.diagnostic() == BfdDiagnostic.CONTROL_DETECTION_TIME_EXPIRED) {
            LOG.log(Level.WARNING, "({0}) Expired after {1} ms", name,
                    Long.toString(Duration.ofNanos(now - r.lastReceived).toMillis()));
        }
        if (c.to() == BfdState.DOWN || c.to() == BfdState.ADMIN_DOWN) {
            LOG.log(Level.WARNING, "({0}) Entering {1} state (Local diagnostic - {2}, Remote state - {3})", name,
                    c.to().rfcName(), c.diagnostic().text(), r.session.remoteState().rfcName());
        } else {
            LOG.log(Level.INFO, "({0}) Entering {1} state", name, c.to().rfcName());
        }
        publishStates();
        var change = new BfdStateChange(name, c.from(), c.to(), c.diagnostic(), c.failure());
        for (var l : listeners) {
            try {
                l.accept(change);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "BFD state listener failed", e);
            }
        }
    }

    private void publishStates() {
        var m = new LinkedHashMap<String, BfdState>();
        byName.forEach((name, r) -> m.put(name, r.session.state()));
        states = Map.copyOf(m);
    }

    private void loop() {
        while (running) {
            try {
                for (Runnable task; (task = inbox.poll()) != null; ) {
                    task.run();
                }
                long wait = Math.clamp(nextDeadline() - System.nanoTime(), 0, MAX_WAIT_NANOS);
                // poll counts whole milliseconds: round up rather than spin through the last one.
                // Everything that has arrived is read before any deadline is acted on.
                var d = transport.receive(Duration.ofMillis((wait + 999_999) / 1_000_000));
                // The deadlines are checked against the time before the socket is drained: had the
                // thread been descheduled after draining it, a packet that came meanwhile would go
                // unread while its session expired.
                long now = System.nanoTime();
                while (d.isPresent()) {
                    deliver(d.get());
                    d = transport.receive(Duration.ZERO);
                }
                for (var r : List.copyOf(byName.values())) {
                    if (r.session.nextDeadline() <= now) {
                        run(r, new BfdSession.Event.Tick(), now);
                    }
                }
            } catch (IOException e) {
                if (running) {
                    LOG.log(Level.WARNING, "BFD receive failed: {0}", e.getMessage());
                    LockSupport.parkNanos(MAX_WAIT_NANOS);
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "BFD engine error", e);
            }
        }
    }

    private long nextDeadline() {
        long next = Long.MAX_VALUE;
        for (var r : byName.values()) {
            next = Math.min(next, r.session.nextDeadline());
        }
        return next;
    }

    private void deliver(BfdTransport.Datagram d) {
        BfdPacket p;
        try {
            p = BfdPacket.decode(d.payload());
        } catch (MalformedPacketException e) {
            LOG.log(Level.DEBUG, "discarding a packet from {0}: {1}", d.source().getHostAddress(), e.getMessage());
            return;
        }
        var r = p.yourDiscriminator() != 0 ? byDiscr.get(p.yourDiscriminator()) : byNeighbor(d);
        if (r == null) {
            LOG.log(Level.DEBUG, "discarding a packet from {0}: no session (Your Discriminator {1})",
                    d.source().getHostAddress(), Integer.toUnsignedString(p.yourDiscriminator()));
            return;
        }
        r.lastReceived = System.nanoTime();
        run(r, new BfdSession.Event.Received(p, d.ttl()));
    }

    private Running byNeighbor(BfdTransport.Datagram d) {
        for (var r : byName.values()) {
            if (r.session.settings().neighbor().equals(d.source())) {
                return r;
            }
        }
        return null;
    }

    /// Stops every session (each tells its neighbor AdminDown), then the thread.
    @Override
    public void close() {
        if (!running) {
            return;
        }
        try {
            apply(List.of());
        } catch (IOException e) {
            LOG.log(Level.WARNING, "stopping BFD sessions: {0}", e.getMessage());
        }
        halt();
    }

    /// A crash: the thread stops and nothing more is sent, so neighbors detect the silence.
    public void kill() {
        if (running) {
            halt();
            byName.values().forEach(r -> r.sender.close());
        }
    }

    private void halt() {
        running = false;
        transport.close();
        try {
            thread.join(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
