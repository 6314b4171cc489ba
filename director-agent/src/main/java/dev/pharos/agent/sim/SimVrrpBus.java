package dev.pharos.agent.sim;

import dev.pharos.agent.vrrp.IpHeader;
import dev.pharos.agent.vrrp.Ipv4Header;
import dev.pharos.agent.vrrp.VrrpTransport;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/// An in-memory Ethernet segment for VRRP: every [VrrpTransport] made by [#transport] sends
/// whole IPv4 datagrams (TTL 255, protocol 112) that the other nodes receive as a raw socket
/// would, on the bus's own delivery thread. Multicast reaches every other node; unicast only
/// the node with that address; a node never hears itself (keepalived turns multicast loop off).
///
/// Faults can be switched at any time: [#setLoss] (probability per datagram and receiver),
/// [#setDelay], and [#partition] (nodes in different cells cannot hear each other).
public final class SimVrrpBus implements AutoCloseable {

    private final List<SimTransport> transports = new CopyOnWriteArrayList<>();
    private final List<Consumer<byte[]>> taps = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService delivery = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("sim-vrrp-bus").daemon().factory());
    private final SplittableRandom random;
    private final AtomicLong dropped = new AtomicLong();
    private volatile double loss;
    private volatile Duration delay = Duration.ZERO;
    private volatile List<Set<String>> cells = List.of();

    /// @param seed seeds the loss decisions, so a lossy run can be repeated
    public SimVrrpBus(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /// A transport for one instance on `node` (a director), sending from `address` (for an IPv6
    /// instance a link-local one). Several instances of one node share its name.
    public VrrpTransport transport(String node, InetAddress address) {
        return new SimTransport(node, address);
    }

    /// A factory for a [dev.pharos.agent.vrrp.VrrpEngine] of `node`.
    public VrrpTransport.Factory factory(String node, InetAddress address) {
        return settings -> transport(node, address);
    }

    /// Each datagram is lost for each receiver with this probability (0 – 1).
    public void setLoss(double probability) {
        if (!(probability >= 0 && probability <= 1)) {
            throw new IllegalArgumentException("loss probability " + probability + " is outside 0–1");
        }
        loss = probability;
    }

    /// Every datagram arrives this much later.
    public void setDelay(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay " + delay + " is negative");
        }
        this.delay = delay;
    }

    /// Splits the segment: nodes in different cells cannot hear each other; a node in no cell
    /// hears everyone. `partition()` with no cells heals.
    @SafeVarargs
    public final void partition(Set<String>... cells) {
        this.cells = List.of(cells).stream().map(Set::copyOf).toList();
    }

    /// Removes every partition.
    public void heal() {
        cells = List.of();
    }

    /// Sees every datagram sent (before loss), e.g. to check a priority 0 advert went out.
    public void addTap(Consumer<byte[]> tap) {
        taps.add(tap);
    }

    public long dropped() {
        return dropped.get();
    }

    @Override
    public void close() {
        delivery.shutdownNow();
    }

    private boolean canHear(String from, String to) {
        var now = cells;
        Set<String> a = null;
        Set<String> b = null;
        for (var cell : now) {
            if (cell.contains(from)) {
                a = cell;
            }
            if (cell.contains(to)) {
                b = cell;
            }
        }
        return a == null || b == null || a == b;
    }

    private boolean lose() {
        double p = loss;
        if (p == 0) {
            return false;
        }
        synchronized (random) {
            return random.nextDouble() < p;
        }
    }

    private void send(SimTransport from, InetAddress destination, byte[] payload) throws IOException {
        if (delivery.isShutdown()) {
            throw new IOException("the simulated segment is shut down");
        }
        var datagram = IpHeader.datagram(from.address, destination, Ipv4Header.VRRP_TTL,
                Ipv4Header.PROTOCOL_VRRP, payload);
        taps.forEach(t -> t.accept(datagram.clone()));
        var receivers = new ArrayList<SimTransport>();
        for (var t : transports) {
            if (t.node.equals(from.node) || t.receiver == null) {
                continue;
            }
            boolean addressed = destination.isMulticastAddress() || destination.equals(t.address);
            if (!addressed) {
                continue;
            }
            if (!canHear(from.node, t.node) || lose()) {
                dropped.incrementAndGet();
                continue;
            }
            receivers.add(t);
        }
        Runnable deliver = () -> {
            for (var t : receivers) {
                var r = t.receiver;
                if (r != null && !t.closed) {
                    r.datagram(datagram.clone(), datagram.length, System.nanoTime());
                }
            }
        };
        try {
            delivery.schedule(deliver, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            throw new IOException("the simulated segment is shut down", e);
        }
    }

    private final class SimTransport implements VrrpTransport {
        private final String node;
        private final InetAddress address;
        private volatile Receiver receiver;
        private volatile boolean closed;

        SimTransport(String node, InetAddress address) {
            this.node = Objects.requireNonNull(node);
            this.address = Objects.requireNonNull(address);
        }

        @Override
        public void start(Receiver receiver) {
            this.receiver = receiver;
            transports.add(this);
        }

        @Override
        public InetAddress sourceAddress() {
            return address;
        }

        @Override
        public void send(InetAddress destination, byte[] vrrpPayload) throws IOException {
            if (closed) {
                throw new IOException("transport of " + node + " is closed");
            }
            SimVrrpBus.this.send(this, destination, vrrpPayload);
        }

        @Override
        public void close() {
            closed = true;
            transports.remove(this);
        }
    }
}
