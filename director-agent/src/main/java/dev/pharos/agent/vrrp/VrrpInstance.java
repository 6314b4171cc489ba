package dev.pharos.agent.vrrp;

import dev.pharos.agent.api.Addresses;
import dev.pharos.agent.vrrp.VrrpAction.AddVips;
import dev.pharos.agent.vrrp.VrrpAction.AnnounceVips;
import dev.pharos.agent.vrrp.VrrpAction.ArmAdverTimer;
import dev.pharos.agent.vrrp.VrrpAction.ArmMasterDownTimer;
import dev.pharos.agent.vrrp.VrrpAction.CancelTimer;
import dev.pharos.agent.vrrp.VrrpAction.RemoveVips;
import dev.pharos.agent.vrrp.VrrpAction.SendAdvert;
import dev.pharos.agent.vrrp.VrrpAction.StateChanged;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/// One running VRRP instance: its [VrrpRouter], transport, timers, counters and receive checks.
/// Confined to the engine thread; the only thing read from elsewhere is [#status()].
public final class VrrpInstance {

    private static final System.Logger LOG = System.getLogger(VrrpInstance.class.getName());
    /// One log line per distinct receive problem per this interval (keepalived rate-limits too).
    static final Duration LOG_EVERY = Duration.ofSeconds(60);

    /// What the engine offers an instance; all of it runs on or posts to the engine thread.
    interface Host {
        Instant now();

        EngineLoop.Timer schedule(Duration after, Runnable task);

        /// [EngineLoop#schedule(Duration, Runnable, Runnable)]: `prepare` runs shortly before `task`.
        default EngineLoop.Timer schedule(Duration after, Runnable task, Runnable prepare) {
            return schedule(after, task);
        }

        /// Runs address work on the plumbing worker, in submission order. `what` describes it
        /// for a log line, should it fail; it is not built otherwise.
        void plumbing(Supplier<String> what, PlumbingTask task);

        /// Like [#plumbing], but on the calling thread when no address work is pending (order is
        /// kept): a new master's first VIPs and gratuitous ARPs, as keepalived does them.
        default void plumbingNow(Supplier<String> what, PlumbingTask task) {
            plumbing(what, task);
        }

        /// A takeover adding `vips` is probably due ([AddressPlumbing#prepareToAdd]).
        default void prepareToAdd(String interfaceName, List<VrrpSettings.VirtualAddress> vips) {
        }

        /// The transition's log line is the host's to write (the engine writes keepalived's).
        void stateChanged(VrrpInstance instance, StateChanged change, VrrpEvent cause);
    }

    @FunctionalInterface
    interface PlumbingTask {
        void run(AddressPlumbing plumbing) throws IOException;
    }

    /// Replaced only by [#rekey] (engine thread); read by the engine's reload on its caller's thread.
    private volatile VrrpSettings settings;
    private final VrrpRouter router;
    private final VrrpTransport transport;
    private final Host host;
    private final VrrpCounters counters = new VrrpCounters();
    private final byte[] expectedAuth;
    /// keepalived 2.4's `auth_hmac`, or null when not configured.
    private HmacAuthenticator hmac;
    private final EnumMap<ReceiveCheck, Instant> lastLogged = new EnumMap<>(ReceiveCheck.class);
    private final List<EngineLoop.Timer> garpTimers = new ArrayList<>();
    private VrrpRouter.RouterState state;
    private EngineLoop.Timer timer;
    private Instant lastChange;
    private volatile VrrpInstanceStatus status;
    private final List<InetAddress> destinations;
    /// Encoded adverts by priority, one per destination; filled on first use. Engine thread only.
    private final byte[][][] adverts = new byte[256][][];
    // The address work and timer tasks of this instance, made once: a takeover then creates no
    // lambda (made by interpreted code after seconds idle, each took 20–35 µs of the way to the
    // first gratuitous ARP, bench/failover).
    private final Work[] addVips;
    private final Work[] removeVips;
    private final Burst masterGarps;
    private final Burst refreshGarps;
    private final Runnable onAdverTimer = () -> fired(new VrrpEvent.AdverTimerExpired());
    private final Runnable onMasterDownTimer = () -> fired(new VrrpEvent.MasterDownTimerExpired());
    private final Runnable prepareMasterDown = () -> prepare(new VrrpEvent.MasterDownTimerExpired());

    /// One piece of address work and what to call it in a log line should it fail.
    private record Work(Supplier<String> what, PlumbingTask task) {
    }

    VrrpInstance(VrrpSettings settings, VrrpTransport transport, Host host) {
        this.settings = settings;
        this.transport = transport;
        this.host = host;
        this.router = new VrrpRouter(settings, transport.sourceAddress());
        this.state = router.initialState();
        this.expectedAuth = VrrpPacket.passwordBytes(settings.authPassword());
        this.hmac = authenticator(settings);
        this.destinations = settings.unicastPeers().isEmpty()
                ? List.of(VrrpTransport.multicastGroup(settings.ipv6())) : settings.unicastPeers();
        this.lastChange = host.now();
        var vips = settings.virtualAddresses();
        var ifname = settings.interfaceName();
        var garp = settings.garp();
        this.addVips = work(vips, "add ", vip -> p -> p.addAddress(ifname, vip));
        this.removeVips = work(vips, "remove ", vip -> p -> p.removeAddress(ifname, vip));
        this.masterGarps = burst(vips, ifname, garp.masterRepeat(), garp.naInterval());
        this.refreshGarps = burst(vips, ifname, garp.masterRefreshRepeat(), garp.naInterval());
        publish();
    }

    private static HmacAuthenticator authenticator(VrrpSettings settings) {
        return settings.authHmac() == null ? null
                : new HmacAuthenticator(settings.authHmac(), InstantSource.system(), settings.unicastPeers());
    }

    /// A reload that changes nothing but `auth_hmac` (a key rotation, a rollout step): the new
    /// keys and mode apply from the next advert and the state stays, so the step is hitless. The
    /// replay marks start afresh, as a restarted keepalived's do. Engine thread only.
    void rekey(VrrpSettings next) {
        if (!settings.withAuthHmac(next.authHmac()).equals(next)) {
            throw new IllegalArgumentException("(" + name() + ") a rekey changes auth_hmac only");
        }
        settings = next;
        hmac = authenticator(next);
        Arrays.fill(adverts, null); // with or without room for a trailer now
    }

    private static Work[] work(List<VrrpSettings.VirtualAddress> vips, String verb,
            Function<VrrpSettings.VirtualAddress, PlumbingTask> task) {
        return vips.stream()
                .map(vip -> new Work(() -> verb + Addresses.text(vip.address()), task.apply(vip)))
                .toArray(Work[]::new);
    }

    /// One announcement burst: tasks run at once (each VIP's gratuitous ARPs or neighbour
    /// advertisements), then single neighbour advertisements paced by `vrrp_gna_interval`.
    private record Burst(Work[] atOnce, Work[] paced) {
    }

    /// The burst of `repeat` announcements per VIP. With an NA interval the IPv6 ones are single
    /// tasks in keepalived's order (`vrrp_send_link_update`: each round over every VIP), to be
    /// spaced by it. Deviation from keepalived: the spacing is per instance, where keepalived keeps
    /// it per interface across instances (`vrrp_ndisc.c`, `gna_next_time`).
    private static Burst burst(List<VrrpSettings.VirtualAddress> vips, String ifname, int repeat, Duration naInterval) {
        if (naInterval.isZero()) {
            return new Burst(garps(vips, ifname, repeat), new Work[0]);
        }
        var v4 = vips.stream().filter(v -> !(v.address() instanceof Inet6Address)).toList();
        var v6 = vips.stream().filter(v -> v.address() instanceof Inet6Address).toList();
        var paced = new ArrayList<Work>();
        for (int round = 0; round < repeat; round++) {
            paced.addAll(List.of(garps(v6, ifname, 1)));
        }
        return new Burst(garps(v4, ifname, repeat), paced.toArray(Work[]::new));
    }

    /// `repeat` gratuitous ARPs (IPv6: unsolicited neighbour advertisements) for each VIP on
    /// `ifname`, a task per VIP. keepalived's `garp_master_*` settings time both.
    private static Work[] garps(List<VrrpSettings.VirtualAddress> vips, String ifname, int repeat) {
        return work(vips, "announce ", vip -> p -> {
            for (int i = 0; i < repeat; i++) {
                p.announce(ifname, vip.address());
            }
        });
    }

    public String name() {
        return settings.name();
    }

    public VrrpSettings settings() {
        return settings;
    }

    /// The latest status; safe from any thread.
    public VrrpInstanceStatus status() {
        return status;
    }

    VrrpState state() {
        return state.state();
    }

    VrrpTransport transport() {
        return transport;
    }

    /// Feeds one event through the router and runs the resulting actions in order.
    void handle(VrrpEvent event) {
        var t = router.handle(state, event, host.now());
        state = t.state();
        for (var action : t.actions()) {
            if (action instanceof SendAdvert a) {
                // The advert first and directly: a pattern switch dispatches through a
                // method-handle chain that cost 65 µs of a takeover on a cold cache (bench/failover).
                send(a.priority());
            } else {
                run(action, event);
            }
        }
        publish();
    }

    private void run(VrrpAction action, VrrpEvent cause) {
        switch (action) {
            case SendAdvert a -> send(a.priority());
            case ArmAdverTimer a -> {
                cancelTimer();
                // A master's advert timer runs every interval, warm: a second park before it
                // (a prepare task) only added to the adverts' jitter.
                timer = host.schedule(a.after(), onAdverTimer);
            }
            case ArmMasterDownTimer a -> {
                cancelTimer();
                // Only a takeover fires after seconds idle: prepared.
                timer = host.schedule(a.after(), onMasterDownTimer, prepareMasterDown);
            }
            case CancelTimer a -> cancelTimer();
            case AddVips a -> {
                for (var w : addVips) {
                    host.plumbingNow(w.what(), w.task());
                }
            }
            case RemoveVips a -> {
                cancelGarps();
                for (var w : removeVips) {
                    host.plumbing(w.what(), w.task());
                }
            }
            case AnnounceVips a -> scheduleGarps();
            case StateChanged c -> {
                lastChange = c.at();
                if (c.to() == VrrpState.MASTER) {
                    counters.becameMaster.incrementAndGet();
                } else if (c.from() == VrrpState.MASTER) {
                    counters.releasedMaster.incrementAndGet();
                }
                host.stateChanged(this, c, cause);
            }
        }
    }

    private void fired(VrrpEvent expiry) {
        timer = null;
        handle(expiry);
    }

    /// Run by the engine loop just before this instance's timer fires: the pure part of what the
    /// firing will do — the router's transition and the advert's bytes — with the result dropped,
    /// so the firing finds that code and data in the CPU's caches. After seconds idle they are
    /// cold: the router alone took 80 µs of a takeover, 4–10 µs prepared (bench/failover). Before a
    /// takeover the address plumbing looks the interface up and builds its requests likewise.
    private void prepare(VrrpEvent onExpiry) {
        var t = router.handle(state, onExpiry, host.now());
        for (var action : t.actions()) {
            if (action instanceof SendAdvert a) {
                encoded(a.priority());
            } else if (action instanceof AddVips) {
                host.prepareToAdd(settings.interfaceName(), settings.virtualAddresses());
            }
        }
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    /// keepalived's garp_master_*: a burst now, one more after the delay, then refreshes.
    private void scheduleGarps() {
        cancelGarps();
        var garp = settings.garp();
        garpBurst(masterGarps, true);
        if (garp.masterDelay().isPositive()) {
            garpTimers.add(host.schedule(garp.masterDelay(), () -> garpBurst(masterGarps, false)));
        }
        if (garp.masterRefresh().isPositive()) {
            scheduleRefresh();
        }
    }

    private void scheduleRefresh() {
        var garp = settings.garp();
        garpTimers.add(host.schedule(garp.masterRefresh(), () -> {
            if (state.state() == VrrpState.MASTER) {
                garpBurst(refreshGarps, false);
                scheduleRefresh();
            }
        }));
    }

    /// A burst of announcements ([#masterGarps] or [#refreshGarps]); `now`: the takeover's, see
    /// [Host#plumbingNow]. Paced ones after the first wait on timers, cancelled with the others.
    private void garpBurst(Burst burst, boolean now) {
        for (var w : burst.atOnce()) {
            announce(w, now);
        }
        var paced = burst.paced();
        var interval = settings.garp().naInterval();
        for (int k = 0; k < paced.length; k++) {
            var w = paced[k];
            if (k == 0) {
                announce(w, now);
            } else {
                garpTimers.add(host.schedule(interval.multipliedBy(k), () -> host.plumbing(w.what(), w.task())));
            }
        }
    }

    private void announce(Work w, boolean now) {
        if (now) {
            host.plumbingNow(w.what(), w.task());
        } else {
            host.plumbing(w.what(), w.task());
        }
    }

    private void cancelGarps() {
        garpTimers.forEach(EngineLoop.Timer::cancel);
        garpTimers.clear();
    }

    /// Cancels every timer without sending anything: the instance is being killed.
    void abandon() {
        cancelTimer();
        cancelGarps();
    }

    /// The adverts at `priority`, one per destination, encoded on first use.
    private byte[][] encoded(int priority) {
        var encoded = adverts[priority];
        if (encoded == null) {
            encoded = encodeAdverts(priority);
            adverts[priority] = encoded;
        }
        return encoded;
    }

    private void send(int priority) {
        var encoded = encoded(priority);
        if (hmac != null && hmac.signs()) {
            sign(encoded);
        }
        for (int i = 0; i < encoded.length; i++) {
            try {
                transport.send(destinations.get(i), encoded[i]);
                counters.advertsSent.incrementAndGet();
                if (priority == VrrpRouter.PRIORITY_STOP) {
                    counters.priorityZeroSent.incrementAndGet();
                }
            } catch (IOException e) {
                counters.sendErrors.incrementAndGet();
                LOG.log(Level.WARNING, "({0}) cannot send advert to {1} on {2}: {3} [VRID {4}]",
                        settings.name(), Addresses.text(destinations.get(i)), settings.interfaceName(),
                        e.getMessage(), settings.vrid());
            }
        }
    }

    /// Signs one advert: every destination's copy gets the same trailer (keepalived 2.4.3 signs
    /// once per advert; the HMAC leaves out the checksum, the only byte a destination changes).
    private void sign(byte[][] encoded) {
        var first = encoded[0];
        int pduLength = first.length - AuthTrailer.LENGTH;
        hmac.sign(first, 0, pduLength, transport.sourceAddress(), settings.version().wireValue(), settings.vrid());
        for (int i = 1; i < encoded.length; i++) {
            System.arraycopy(first, pduLength, encoded[i], pduLength, AuthTrailer.LENGTH);
        }
    }

    /// An instance's adverts differ only by priority (settings, source and destinations are fixed
    /// for its life), so each is encoded once: a takeover then goes from timer to `sendto` without
    /// building a packet (bench/failover: 30 µs of a takeover's path on a cold cache).
    private byte[][] encodeAdverts(int priority) {
        var packet = switch (settings.version()) {
            case V2 -> VrrpPacket.v2(settings.vrid(), priority, settings.advertInterval(),
                    settings.authType(), settings.authPassword(), settings.advertisedAddresses());
            case V3 -> VrrpPacket.v3(settings.vrid(), priority, settings.advertInterval(),
                    settings.advertisedAddresses());
        };
        var out = new byte[destinations.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = packet.encode(transport.sourceAddress(), destinations.get(i));
            if (hmac != null && hmac.signs()) {
                out[i] = Arrays.copyOf(out[i], out[i].length + AuthTrailer.LENGTH); // room for the trailer
            }
        }
        return out;
    }

    /// A datagram from the transport: codec, then the semantic checks keepalived's
    /// `vrrp_check_packet` makes, then the router.
    void received(byte[] datagram, int length) {
        VrrpPacket.Received r;
        try {
            r = VrrpPacket.decode(datagram, length);
        } catch (MalformedPacketException e) {
            fail(ReceiveCheck.of(e.reason()), sourceOf(datagram, length) + e.getMessage());
            publish();
            return;
        }
        var p = r.packet();
        var from = r.ip().source();
        if (from.equals(transport.sourceAddress())) {
            return; // our own advert looped back
        }
        var problem = check(r, datagram);
        if (problem != null) {
            publish();
            return;
        }
        counters.advertsReceived.incrementAndGet();
        if (p.priority() == VrrpRouter.PRIORITY_STOP) {
            counters.priorityZeroReceived.incrementAndGet();
        }
        handle(new VrrpEvent.AdvertReceived(from, p.priority(), p.maxAdverInterval()));
    }

    /// "from 192.0.2.1: " when the IP header is readable, else nothing.
    private static String sourceOf(byte[] datagram, int length) {
        try {
            return "from " + Addresses.text(IpHeader.decode(datagram, length).source()) + ": ";
        } catch (MalformedPacketException e) {
            return "";
        }
    }

    /// The failing dropping check, or null when the advert is to be used.
    private ReceiveCheck check(VrrpPacket.Received r, byte[] datagram) {
        var p = r.packet();
        var from = r.ip().source();
        var destination = r.ip().destination();
        var src = Addresses.text(from);
        boolean unicast = !settings.unicastPeers().isEmpty();
        if (destination.isMulticastAddress() == unicast) {
            return fail(ReceiveCheck.CAST_MISMATCH, "expected " + (unicast ? "unicast" : "multicast")
                    + " adverts but received " + (unicast ? "multicast" : "unicast") + " from " + src
                    + "; check unicast_peer on both routers");
        }
        if (p.version() != settings.version()) {
            return fail(ReceiveCheck.VERSION_MISMATCH, "VRRPv" + p.version().wireValue() + " advert from "
                    + src + ", this instance speaks v" + settings.version().wireValue());
        }
        if (p.vrid() != settings.vrid()) {
            return fail(ReceiveCheck.VRID, "advert for VRID " + p.vrid() + " from " + src);
        }
        var auth = authenticate(r, datagram, unicast);
        if (auth != null) {
            return auth;
        }
        if (settings.version() == VrrpVersion.V2) {
            if (p.authType() != settings.authType()) {
                return fail(ReceiveCheck.AUTH_TYPE_MISMATCH, "received " + p.authType() + " auth from "
                        + src + ", expecting " + settings.authType() + "; check auth_type on both routers");
            }
            if (settings.authType() == AuthType.PASS && !p.authDataEquals(expectedAuth)) {
                return fail(ReceiveCheck.AUTH_FAILURE, "received an invalid password from " + src
                        + "; check auth_pass on both routers");
            }
            if (!p.maxAdverInterval().equals(settings.advertInterval())) {
                return fail(ReceiveCheck.INTERVAL, "advertisement interval mismatch with " + src
                        + ": mine " + settings.advertInterval().toSeconds() + " s, received "
                        + p.maxAdverInterval().toSeconds() + " s");
            }
        } else if (!p.maxAdverInterval().equals(settings.advertInterval())) {
            fail(ReceiveCheck.INTERVAL, "advertisement interval mismatch with " + src + ": mine "
                    + settings.advertInterval().toMillis() / 10 + " cs, received "
                    + p.maxAdverInterval().toMillis() / 10 + " cs (following the master's)");
        }
        if (!new HashSet<>(p.addresses()).equals(new HashSet<>(settings.advertisedAddresses()))
                || p.addresses().size() != settings.advertisedAddresses().size()) {
            fail(ReceiveCheck.ADDRESS_LIST, "address list from " + src + " "
                    + p.addresses().stream().map(Addresses::text).toList()
                    + " differs from ours; check virtual_ipaddress on both routers");
        }
        if (p.priority() == VrrpRouter.PRIORITY_OWNER && state.effectivePriority() == VrrpRouter.PRIORITY_OWNER) {
            fail(ReceiveCheck.OWNER_CONFLICT, src + " advertises priority 255 too: two address owners on the"
                    + " link (RFC 9568 §8.3.2); give one of them a priority below 255");
        }
        return null;
    }

    /// keepalived 2.4's `auth_hmac` check, made before any field reaches the router; a trailer
    /// where none is configured is a length error, as keepalived says ("packet too long").
    private ReceiveCheck authenticate(VrrpPacket.Received r, byte[] datagram, boolean unicast) {
        var src = Addresses.text(r.ip().source());
        if (hmac == null) {
            return r.trailed() ? fail(ReceiveCheck.LENGTH, "advert from " + src + " carries an auth_hmac trailer"
                    + " but this instance has no auth_hmac; configure the same auth_hmac on both routers") : null;
        }
        var p = r.packet();
        var failure = hmac.verify(datagram, r.ip().headerLength(), p.length(), r.trailed(), r.ip().source(),
                p.version().wireValue(), p.vrid(), unicast);
        if (failure == null) {
            return null;
        }
        return fail(failure.check(), "advert from " + src + " " + hmac.describe(failure));
    }

    /// Counts a failed check, logs it rate-limited, returns it if it drops the advert.
    private ReceiveCheck fail(ReceiveCheck check, String message) {
        long n = counters.failed(check);
        var now = host.now();
        var last = lastLogged.get(check);
        if (last == null || !now.isBefore(last.plus(LOG_EVERY))) {
            lastLogged.put(check, now);
            var level = check == ReceiveCheck.VRID ? Level.DEBUG : Level.WARNING;
            LOG.log(level, "({0}) {1} ({2} so far; next report in {3} s at the earliest) [VRID {4}]",
                    settings.name(), message, n, LOG_EVERY.toSeconds(), settings.vrid());
        }
        return check.dropped() ? check : null;
    }

    private void publish() {
        status = new VrrpInstanceStatus(settings.name(), settings.vrid(), state.state(),
                state.basePriority(), state.effectivePriority(), state.masterAdverInterval(),
                state.master(), state.faults(), lastChange, state.transitions(), counters.snapshot());
    }
}
