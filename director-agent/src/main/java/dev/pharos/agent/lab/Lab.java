package dev.pharos.agent.lab;

import dev.pharos.agent.api.Addresses;
import dev.pharos.agent.config.ConfigException;
import dev.pharos.agent.config.ConfigLoader;
import dev.pharos.agent.config.KeepalivedConfig;
import dev.pharos.agent.config.VirtualServerDef;
import dev.pharos.agent.control.ControlClient;
import dev.pharos.agent.control.InMemoryChannel;
import dev.pharos.agent.daemon.Daemon;
import dev.pharos.agent.sim.SimAddressPlumbing;
import dev.pharos.agent.sim.SimVrrpBus;
import dev.pharos.agent.vrrp.StepGate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/// The training lab: a director pair running the real agent code in this JVM, on an in-memory
/// VRRP bus, with real HTTP servers on loopback as real servers. The trainer stops or kills a
/// director, fails a real server or cuts the link between the directors, and watches the VIP move
/// and the traffic follow. Works on any OS, without root.
///
/// The lab's configurations use documentation addresses; [SimPlatform] maps them onto loopback:
/// each director's virtual services listen on loopback ports of their own, and [#route] sends a
/// VIP's traffic to the port of the director that holds the VIP now — as a LAN's ARP table would.
/// The LAN is dual-stack ([LabLan]): IPv6 instances advertise VRRPv3 from the directors'
/// link-local addresses, IPv6 virtual services listen on `::1`, and each real server answers at
/// its IPv6 address too.
public final class Lab implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Lab.class.getName());

    /// The seed's dual-master pair, shipped with the agent.
    public static final List<String> SEED = List.of("lvs-master", "lvs-backup");

    /// A VRRP advert one director sent, as the lab's motion draws it.
    ///
    /// @param heard whether the other directors can hear it (not while the link is cut)
    public record Advert(String from, int vrid, int priority, boolean heard) {
    }

    /// One director of the lab: its configuration text and its address on the lab's LAN.
    public record DirectorDef(String name, String configText, Inet4Address address) {

        /// Its IPv6 link-local address, which its IPv6 VRRP instances advertise from:
        /// `fe80::192:0:2:1` for 192.0.2.1 ([LabLan]).
        public Inet6Address linkLocal() {
            return LabLan.linkLocal(address);
        }
    }

    /// A real server of the lab: the address the configurations use, and what it answers.
    public record RealServerDef(InetAddress address, String label) {
    }

    private final Path dir;
    private final SimVrrpBus bus = new SimVrrpBus(1);
    private final SimAddressPlumbing vips = new SimAddressPlumbing();
    private final StepGate gate = new StepGate();
    private final Map<String, DirectorDef> defs = new LinkedHashMap<>();
    private final Map<String, KeepalivedConfig> configs = new LinkedHashMap<>();
    private final Map<String, Daemon> directors = new ConcurrentHashMap<>();
    private final Map<InetAddress, LabRealServer> realServers = new LinkedHashMap<>();
    /// Where a real server the lab has no server for is checked: a loopback port nothing listens
    /// on, so its checks fail with "connection refused" inside the lab, as for a host that does
    /// not exist, and never reach the host's own network.
    private final LabRealServer absent = LabRealServer.start("absent");
    private final Map<String, Integer> servicePorts = new ConcurrentHashMap<>();
    private final Map<String, List<ControlClient>> clients = new ConcurrentHashMap<>();
    private volatile boolean partitioned;

    private Lab(Path dir) {
        this.dir = dir;
        absent.fail();
    }

    /// The seed scenario: lvs-master and lvs-backup in dual-master (VI_1 VRID 90, VI_2 VRID 93),
    /// two virtual servers with `wrr`, `lb_kind DR`, `persistence_timeout 120` and the seed's
    /// HTTP_GET timings, two real servers, and a third that no virtual server has yet (a spare for
    /// the class to add: the seed's two are in both virtual servers already, so a first move of
    /// one was always refused as a duplicate). The configurations are resources of this package.
    public static Lab seed() throws IOException, ConfigException {
        var master = resource("lvs-master.conf");
        var backup = resource("lvs-backup.conf");
        return start(List.of(new DirectorDef("lvs-master", master, (Inet4Address) InetAddress.getByName("192.0.2.1")),
                new DirectorDef("lvs-backup", backup, (Inet4Address) InetAddress.getByName("192.0.2.2"))),
                List.of(new RealServerDef(InetAddress.getByName("198.51.100.66"), "web-1 (172.17.0.66 in the post)"),
                        new RealServerDef(InetAddress.getByName("198.51.100.41"), "web-2 (172.17.250.41 in the post)"),
                        new RealServerDef(InetAddress.getByName("198.51.100.67"), "web-3 (the lab's spare)")));
    }

    /// The text of one of the lab's shipped configurations (`lvs-master.conf`, `lvs-backup.conf`).
    public static String resource(String name) throws IOException {
        try (var in = Lab.class.getResourceAsStream("seed/" + name)) {
            if (in == null) {
                throw new IOException("the lab's " + name + " is missing from the agent's resources");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /// Starts a lab from configuration texts (a trainer's own pair). Every text is parsed and
    /// validated first: a broken one is a [ConfigException] with `file:line:col`, and nothing starts.
    public static Lab start(List<DirectorDef> directors, List<RealServerDef> realServers)
            throws IOException, ConfigException {
        var parsed = new LinkedHashMap<String, KeepalivedConfig>();
        for (var d : directors) {
            parsed.put(d.name(), ConfigLoader.parse(Path.of(d.name() + ".conf"), d.configText(), "").config());
        }
        var lab = new Lab(Files.createTempDirectory("pharos-lab"));
        lab.configs.putAll(parsed);
        try {
            for (var r : realServers) {
                lab.realServers.put(r.address(), LabRealServer.start(r.label()));
            }
            for (var d : directors) {
                lab.defs.put(d.name(), d);
                lab.startDirector(d.name());
            }
            return lab;
        } catch (IOException | ConfigException | RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    /// Starts (or restarts, after a stop or a kill) a director from its configuration file.
    public synchronized void startDirector(String name) throws IOException, ConfigException {
        var d = defs.get(name);
        if (d == null) {
            throw new IllegalArgumentException("no director " + name + " in this lab");
        }
        var running = directors.get(name);
        if (running != null && !running.stopped()) {
            return;
        }
        var file = dir.resolve(name + ".conf");
        if (!Files.exists(file)) {
            Files.writeString(file, d.configText(), StandardCharsets.UTF_8);
        }
        var platform = new SimPlatform(name, d.address(), d.linkLocal(), bus, vips, key -> servicePort(name, key),
                address -> Optional.of(realServerAt(address).orElse(absent).port()), gate);
        var daemon = new Daemon(new Daemon.Options(file, "", null, null, dir.resolve(name + ".state"), null, "userspace"),
                platform);
        daemon.start();
        directors.put(name, daemon);
        LOG.log(Level.INFO, "lab: {0} started", name);
    }

    /// Graceful stop (SIGTERM): masters send priority 0, the backup takes over after Skew_Time.
    public void stopDirector(String name) {
        var d = directors.get(name);
        if (d != null) {
            d.stop();
        }
        disconnect(name);
    }

    /// A stopped director's control channel goes with it, as a real one's socket would.
    private void disconnect(String name) {
        var list = clients.remove(name);
        if (list != null) {
            list.forEach(ControlClient::close);
        }
    }

    /// A crash (power cut): no priority 0; the backup takes over after Master_Down_Interval.
    public void killDirector(String name) {
        var d = directors.get(name);
        if (d != null) {
            d.kill();
            vips.dropNode(name);
        }
        disconnect(name);
    }

    public boolean running(String name) {
        var d = directors.get(name);
        return d != null && !d.stopped();
    }

    /// Cuts the link between the directors (VRRP adverts no longer pass): both become master of
    /// everything — a split brain, shown as such.
    public void partition() {
        bus.partition(Set.of(defs.keySet().toArray(String[]::new)[0]),
                Set.copyOf(new ArrayList<>(defs.keySet()).subList(1, defs.size())));
        partitioned = true;
    }

    public void heal() {
        bus.heal();
        partitioned = false;
    }

    /// `listener` hears every VRRP advert a director sends, on the sending engine's thread, when
    /// it is sent (so on the lab's clock, at the protocol's rate); it must return quickly.
    public void onAdvert(Consumer<Advert> listener) {
        bus.addTap(datagram -> {
            // IPv4: a header of IHL words, the source at 12; IPv6: 40 bytes, the source at 8
            boolean v6 = (datagram[0] & 0xf0) == 0x60;
            int header = v6 ? 40 : (datagram[0] & 0x0f) * 4;
            if (datagram.length < header + 3) {
                return;
            }
            var source = v6 ? Arrays.copyOfRange(datagram, 8, 24) : Arrays.copyOfRange(datagram, 12, 16);
            for (var d : defs.values()) {
                if (Arrays.equals((v6 ? d.linkLocal() : d.address()).getAddress(), source)) {
                    listener.accept(new Advert(d.name(), datagram[header + 1] & 0xff, datagram[header + 2] & 0xff,
                            !partitioned));
                    return;
                }
            }
        });
    }

    /// `listener` hears each VIP whose holders changed (a takeover, a stop, a crash), on the
    /// thread that changed them; it must return quickly.
    public void onVipChange(Consumer<InetAddress> listener) {
        vips.addListener(listener);
    }

    /// The lab's one clock: the time less every step-by-step pause, standing still during one, and
    /// running at the lab's speed ([StepGate#speed(double)]).
    /// The directors stamp their transitions with it, and the lab's traffic and scenarios are
    /// stamped with it too, so the timeline keeps one order.
    public Instant now() {
        return gate.now();
    }

    /// [#now()] as a [Clock], for code that takes one (the console's timeline).
    public Clock clock() {
        return gate.clock();
    }

    /// The lab's VRRP clock: [StepGate#stepping(boolean)] makes every director pause at the next
    /// VRRP transition, on any of them, until [StepGate#resume()].
    public StepGate stepGate() {
        return gate;
    }

    public void failRealServer(InetAddress address) {
        realServer(address).fail();
    }

    public void restoreRealServer(InetAddress address) {
        realServer(address).restore();
    }

    private LabRealServer realServer(InetAddress address) {
        return realServerAt(address)
                .orElseThrow(() -> new IllegalArgumentException("no lab real server " + Addresses.text(address)));
    }

    /// The lab's real servers by their IPv4 addresses (each answers at its IPv6 one too:
    /// [#realServerAt]).
    public Map<InetAddress, LabRealServer> realServers() {
        return Map.copyOf(realServers);
    }

    /// The lab's real server at `address`: its own, or the IPv6 address [LabLan] gives it
    /// (`2001:db8::198:51:100:66` for 198.51.100.66).
    public Optional<LabRealServer> realServerAt(InetAddress address) {
        var own = realServers.get(address);
        return own != null ? Optional.of(own) : LabLan.ipv4(address).map(realServers::get);
    }

    public List<String> directorNames() {
        return List.copyOf(defs.keySet());
    }

    /// A control client of a running director, over the in-memory channel (the same protocol as SSH).
    public ControlClient connect(String name) throws IOException {
        var d = directors.get(name);
        if (d == null || d.stopped()) {
            throw new IOException(name + " is not running");
        }
        var client = InMemoryChannel.open(name, d.dispatcher(), d.events());
        clients.computeIfAbsent(name, k -> new CopyOnWriteArrayList<>()).add(client);
        return client;
    }

    /// The directors that hold `vip` now: one normally, none during a takeover, two in a split brain.
    public Set<String> holders(InetAddress vip) {
        return vips.holders(vip);
    }

    /// Where a packet for `vip:port` goes now: the loopback port of the holder's virtual service
    /// (on `::1` for an IPv6 VIP).
    public Optional<InetSocketAddress> route(InetAddress vip, int port) {
        var holders = holders(vip);
        for (var name : directorNames()) {
            if (holders.contains(name) && running(name)) {
                var p = servicePorts.get(name + " " + Addresses.text(vip) + ":" + port);
                if (p != null) {
                    return Optional.of(new InetSocketAddress(SimPlatform.loopback(vip), p));
                }
            }
        }
        return Optional.empty();
    }

    /// The first holder of `vip`, for the traffic view.
    public Optional<String> holder(InetAddress vip) {
        var holders = holders(vip);
        return directorNames().stream().filter(holders::contains).findFirst();
    }

    private int servicePort(String director, VirtualServerDef.Key.Address key) {
        synchronized (servicePorts) {
            return servicePorts.computeIfAbsent(director + " " + Addresses.text(key.address()) + ":" + key.port(),
                    k -> freePort());
        }
    }

    /// A loopback port free now and not yet given to another of the lab's services: the port is
    /// only bound later, by the balancer, and the kernel may hand a port just closed out again (two
    /// services once got the same one).
    private int freePort() {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                if (!servicePorts.containsValue(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("no free loopback port for the lab", e);
            }
        }
        throw new IllegalStateException("no loopback port for the lab that its services do not use already");
    }

    @Override
    public void close() {
        gate.stepping(false);
        for (var d : directors.values()) {
            d.stop();
        }
        realServers.values().forEach(LabRealServer::close);
        absent.close();
        bus.close();
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "lab directory {0} not removed: {1}", dir, e.getMessage());
        }
    }

    /// The lab's real servers that no director's configuration names (yet): a class can add them.
    public Set<InetAddress> spares() {
        var named = new HashSet<InetAddress>();
        configs.values().forEach(c -> c.virtualServers().forEach(v -> v.realServers().forEach(r -> named.add(r.address()))));
        var out = new LinkedHashSet<>(realServers.keySet());
        out.removeAll(named);
        return out;
    }

    /// The configuration director `name` started from, as [#start] parsed it (for the lab view's
    /// labels and the clients' VIPs: no file is read, so the FX thread may ask; runtime edits
    /// since are in the director's own file).
    public Optional<KeepalivedConfig> config(String name) {
        return Optional.ofNullable(configs.get(name));
    }
}
