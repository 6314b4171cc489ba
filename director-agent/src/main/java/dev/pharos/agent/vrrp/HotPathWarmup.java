package dev.pharos.agent.vrrp;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/// Compiles the engine's per-advert code before a takeover needs it.
///
/// At one advert a second the JIT never compiles the engine: a master's every advert, a backup's
/// every receipt and the first advert of a takeover ran interpreted, 0.3–0.5 ms from timer to
/// wire (bench/failover), and cost CPU at rest. Here a master and a backup instance, wired back
/// to back through in-memory transports on the caller's thread, exchange adverts with their
/// timers fired by hand, and the router's takeover decision is evaluated on its own (it is pure).
/// Neither instance changes state during the rounds, so nothing is logged, and nothing touches
/// the network: run it on any thread, beside the real engine.
public final class HotPathWarmup {

    private static final System.Logger LOG = System.getLogger(HotPathWarmup.class.getName());

    private HotPathWarmup() {
    }

    /// Runs at most `rounds` advert exchanges, for at most `budget`; returns the rounds run.
    public static int run(int rounds, Duration budget) {
        long end = System.nanoTime() + budget.toNanos();
        var a4 = Ipv4Header.address(new byte[] {(byte) 192, 0, 2, 1}, 0);
        var b4 = Ipv4Header.address(new byte[] {(byte) 192, 0, 2, 2}, 0);
        var vip = new VrrpSettings.VirtualAddress(Ipv4Header.address(new byte[] {(byte) 192, 0, 2, (byte) 250}, 0), 32);
        var wire = new ArrayList<byte[]>();
        var masterHost = new ManualHost();
        var backupHost = new ManualHost();
        var masterSettings = VrrpSettings.of("warm-up-a", "warm0", 1, VrrpVersion.V2, 200, Duration.ofSeconds(1),
                List.of(vip)).withAuth(AuthType.PASS, "warm").withInitialState(InitialState.MASTER);
        var backupSettings = VrrpSettings.of("warm-up-b", "warm0", 1, VrrpVersion.V2, 100, Duration.ofSeconds(1),
                List.of(vip)).withAuth(AuthType.PASS, "warm");
        var master = new VrrpInstance(masterSettings, new Wire(a4, wire), masterHost);
        var backup = new VrrpInstance(backupSettings, new Wire(b4, wire), backupHost);
        var router = new VrrpRouter(backupSettings, b4);
        int done = 0;
        try {
            master.handle(new VrrpEvent.Startup());
            backup.handle(new VrrpEvent.Startup());
            for (int i = 0; i < 10 && master.state() != VrrpState.MASTER; i++) {
                masterHost.fireAll();
            }
            if (master.state() != VrrpState.MASTER || backup.state() != VrrpState.BACKUP) {
                throw new IllegalStateException("warm-up instances did not settle: " + master.state() + "/"
                        + backup.state());
            }
            var backupState = router.handle(router.initialState(), new VrrpEvent.Startup(), Instant.EPOCH).state();
            while (done < rounds && System.nanoTime() < end) {
                wire.clear();
                masterHost.fireAll(); // the advert timer: one advert
                for (var d : wire) {
                    backup.received(d, d.length); // re-arms its Master_Down timer
                }
                for (var t : backupHost.timers) {
                    if (!t.cancelled() && t.prepare() != null) {
                        t.prepare().run(); // the takeover's preparation: pure
                    }
                }
                backupHost.timers.clear(); // never fired: that would be a takeover
                router.handle(backupState, new VrrpEvent.MasterDownTimerExpired(), Instant.EPOCH);
                done++;
            }
            master.abandon();
            backup.abandon();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "engine warm-up stopped after {0} rounds: {1}", done, e.toString());
        }
        return done;
    }

    /// Timers kept in a list and fired on demand; addresses and transitions ignored.
    private static final class ManualHost implements VrrpInstance.Host {
        final List<EngineLoop.Timer> timers = new ArrayList<>();

        @Override
        public Instant now() {
            return Instant.EPOCH;
        }

        @Override
        public EngineLoop.Timer schedule(Duration after, Runnable task) {
            return schedule(after, task, null);
        }

        @Override
        public EngineLoop.Timer schedule(Duration after, Runnable task, Runnable prepare) {
            var t = EngineLoop.Timer.manual(task, prepare);
            timers.add(t);
            return t;
        }

        @Override
        public void plumbing(Supplier<String> what, VrrpInstance.PlumbingTask task) {
        }

        @Override
        public void stateChanged(VrrpInstance instance, VrrpAction.StateChanged change, VrrpEvent cause) {
        }

        void fireAll() {
            var due = new ArrayList<>(timers);
            timers.clear();
            for (var t : due) {
                if (!t.cancelled() && t.prepare() != null) {
                    t.prepare().run();
                }
                if (!t.cancelled()) {
                    t.task().run();
                }
            }
        }
    }

    /// Puts what is sent on a list as the whole IPv4 datagram a receiver would read.
    private record Wire(Inet4Address source, List<byte[]> sent) implements VrrpTransport {
        @Override
        public void start(Receiver receiver) {
        }

        @Override
        public Inet4Address sourceAddress() {
            return source;
        }

        @Override
        public void send(InetAddress destination, byte[] vrrpPayload) {
            sent.add(IpHeader.datagram(source, destination, Ipv4Header.VRRP_TTL, Ipv4Header.PROTOCOL_VRRP,
                    vrrpPayload));
        }

        @Override
        public void close() {
        }
    }
}
