package dev.pharos.agent.bfd;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/// Runs `bfd_instance` sessions: one engine thread (`bfd-engine`) owns every [BfdSession] and
/// its timers; one platform thread (`bfd-receive`) reads the transport and hands each packet to
/// the engine thread. A packet finds its session by Your Discriminator, or, while that is zero,
/// by the neighbor's address (RFC 5880 §6.8.6).
public final class BfdEngine implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(BfdEngine.class.getName());
    private static final Duration RECEIVE_WAKE = Duration.ofMillis(250);

    /// One session with what the engine keeps beside it.
    private static final class Running {
        final BfdSession session;
        final BfdTransport.Sender sender;
        ScheduledFuture<?> timer;
        long timerAt = Long.MAX_VALUE;
        long lastReceived;
        boolean sendFailing;

        Running(BfdSession session, BfdTransport.Sender sender) {
            this.session = session;
            this.sender = sender;
        }
    }

    private final BfdTransport transport;
    private final Random random = new Random();
    private final ScheduledThreadPoolExecutor loop;
    private final List<Consumer<BfdStateChange>> listeners = new CopyOnWriteArrayList<>();
    // Engine-thread confined.
    private final Map<String, Running> byName = new LinkedHashMap<>();
    private final Map<Integer, Running> byDiscr = new HashMap<>();
    // Read by status callers on any thread.
    private volatile Map<String, BfdState> states = Map.of();
    private final Thread receiver;
    private volatile boolean running = true;

    public BfdEngine(BfdTransport transport) {
        this.transport = transport;
        this.loop = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().name("bfd-engine").daemon().factory());
        loop.setRemoveOnCancelPolicy(true);
        this.receiver = Thread.ofPlatform().name("bfd-receive").daemon().unstarted(this::receiveLoop);
    }

    /// Listeners run on the engine thread, in order; they must not block.
    public void addListener(Consumer<BfdStateChange> listener) {
        listeners.add(listener);
    }

    /// Starts `sessions` and the receiving thread.
    public void start(List<BfdSettings> sessions) throws IOException {
        apply(sessions);
        receiver.start();
    }

    /// Brings the sessions to `sessions`: an unchanged one keeps its state, a removed one says
    /// AdminDown and stops, an added or changed one starts Down.
    public void apply(List<BfdSettings> sessions) throws IOException {
        var result = submit(() -> {
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
            return null;
        });
        if (result instanceof IOException e) {
            throw e;
        }
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
        if (r.timer != null) {
            r.timer.cancel(false);
        }
        r.sender.close();
        byName.remove(r.session.settings().name());
        byDiscr.remove(r.session.localDiscr());
    }

    private void run(Running r, BfdSession.Event event) {
        long now = System.nanoTime();
        for (var action : r.session.handle(event, now)) {
            switch (action) {
                case BfdSession.Action.Send send -> send(r, send.packet());
                case BfdSession.Action.StateChanged c -> changed(r, c, now);
                case BfdSession.Action.Discarded d -> LOG.log(Level.DEBUG, "({0}) discarded a packet: {1}",
                        r.session.settings().name(), d.why());
            }
        }
        schedule(r);
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

    /// Arms the session's one timer for its next deadline, unless it is armed for that already.
    private void schedule(Running r) {
        long at = r.session.nextDeadline();
        if (at == r.timerAt && r.timer != null && !r.timer.isDone()) {
            return;
        }
        if (r.timer != null) {
            r.timer.cancel(false);
            r.timer = null;
        }
        r.timerAt = at;
        if (at != Long.MAX_VALUE && running) {
            long delay = Math.max(0, at - System.nanoTime());
            r.timer = loop.schedule(() -> {
                if (byName.get(r.session.settings().name()) == r) {
                    r.timerAt = Long.MAX_VALUE;
                    run(r, new BfdSession.Event.Tick());
                }
            }, delay, TimeUnit.NANOSECONDS);
        }
    }

    private void receiveLoop() {
        while (running) {
            try {
                var d = transport.receive(RECEIVE_WAKE);
                if (d.isPresent()) {
                    var datagram = d.get();
                    loop.execute(() -> deliver(datagram));
                }
            } catch (IOException e) {
                if (running) {
                    LOG.log(Level.WARNING, "BFD receive failed: {0}", e.getMessage());
                    sleepQuietly();
                }
            } catch (RuntimeException e) {
                if (running) {
                    LOG.log(Level.WARNING, "BFD receive failed", e);
                }
            }
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(RECEIVE_WAKE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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

    /// Runs `task` on the engine thread and waits for it; an [IOException] it throws is returned.
    private Object submit(IoTask task) throws IOException {
        try {
            return loop.submit(() -> {
                try {
                    return task.run();
                } catch (IOException e) {
                    return e;
                }
            }).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while changing BFD sessions", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("the BFD engine did not change its sessions: " + e, e);
        }
    }

    private interface IoTask {
        Object run() throws IOException;
    }

    /// Stops every session (each tells its neighbor AdminDown), then the threads.
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

    /// A crash: the threads stop and nothing more is sent, so neighbors detect the silence.
    public void kill() {
        if (running) {
            halt();
            byName.values().forEach(r -> r.sender.close());
        }
    }

    private void halt() {
        running = false;
        transport.close();
        loop.shutdown();
        try {
            receiver.join(Duration.ofSeconds(2));
            loop.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
