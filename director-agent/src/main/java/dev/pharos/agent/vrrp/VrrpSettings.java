package dev.pharos.agent.vrrp;

import dev.pharos.agent.api.Addresses;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/// Everything one VRRP instance needs (keepalived's `vrrp_instance` block). The config package
/// builds these; this package never reads a file.
///
/// @param name             instance name, e.g. `VI_1` (used in logs and notify arguments)
/// @param interfaceName    the interface adverts are sent on and VIPs are added to
/// @param vrid             `virtual_router_id`, 1–255
/// @param version          `version 2|3`
/// @param priority         base `priority`, 1–255 (255: address owner)
/// @param advertInterval   `advert_int`; v2 whole seconds, v3 whole centiseconds
/// @param preempt          false for `nopreempt`
/// @param preemptDelay     `preempt_delay`, [Duration#ZERO] for none
/// @param initialState     `state MASTER|BACKUP`
/// @param authType         v2 `auth_type` ([AuthType#NONE] for v3)
/// @param authPassword     v2 `auth_pass` (first 8 bytes used), empty unless PASS
/// @param virtualAddresses `virtual_ipaddress`, all IPv4 or all IPv6: the instance's family
///                         (keepalived's `vrrp->family`, set by the first address); then
///                         `virtual_ipaddress_excluded` ([VirtualAddress#excluded]), of either family
/// @param unicastSource    `unicast_src_ip`, or null to use the interface's primary address
///                         (IPv6: its link-local address)
/// @param unicastPeers     `unicast_peer`; empty means multicast to 224.0.0.18 or ff02::12
/// @param garp             `garp_master_*`
/// @param trackInterfaces  `track_interface`
/// @param trackScripts     `track_script`
/// @param notifyCommands   `notify_*` and `notify` commands
/// @param authHmac         keepalived 2.4's `auth_hmac`, or null for none
/// @param trackBfds        `track_bfd`
/// @param answers          what a master sends when it hears another master
public record VrrpSettings(String name, String interfaceName, int vrid, VrrpVersion version,
        int priority, Duration advertInterval, boolean preempt, Duration preemptDelay,
        InitialState initialState, AuthType authType, String authPassword,
        List<VirtualAddress> virtualAddresses, InetAddress unicastSource,
        List<InetAddress> unicastPeers, GarpSettings garp, List<TrackInterface> trackInterfaces,
        List<TrackScript> trackScripts, NotifyCommands notifyCommands, AuthHmacSettings authHmac,
        List<TrackBfd> trackBfds, MasterAnswers answers) {

    /// Settings with keepalived's default answers ([MasterAnswers#KEEPALIVED_DEFAULTS]).
    public VrrpSettings(String name, String interfaceName, int vrid, VrrpVersion version, int priority,
            Duration advertInterval, boolean preempt, Duration preemptDelay, InitialState initialState,
            AuthType authType, String authPassword, List<VirtualAddress> virtualAddresses, InetAddress unicastSource,
            List<InetAddress> unicastPeers, GarpSettings garp, List<TrackInterface> trackInterfaces,
            List<TrackScript> trackScripts, NotifyCommands notifyCommands, AuthHmacSettings authHmac,
            List<TrackBfd> trackBfds) {
        this(name, interfaceName, vrid, version, priority, advertInterval, preempt, preemptDelay, initialState,
                authType, authPassword, virtualAddresses, unicastSource, unicastPeers, garp, trackInterfaces,
                trackScripts, notifyCommands, authHmac, trackBfds, MasterAnswers.KEEPALIVED_DEFAULTS);
    }

    /// Settings that track no BFD session.
    public VrrpSettings(String name, String interfaceName, int vrid, VrrpVersion version, int priority,
            Duration advertInterval, boolean preempt, Duration preemptDelay, InitialState initialState,
            AuthType authType, String authPassword, List<VirtualAddress> virtualAddresses, InetAddress unicastSource,
            List<InetAddress> unicastPeers, GarpSettings garp, List<TrackInterface> trackInterfaces,
            List<TrackScript> trackScripts, NotifyCommands notifyCommands, AuthHmacSettings authHmac) {
        this(name, interfaceName, vrid, version, priority, advertInterval, preempt, preemptDelay, initialState,
                authType, authPassword, virtualAddresses, unicastSource, unicastPeers, garp, trackInterfaces,
                trackScripts, notifyCommands, authHmac, List.of());
    }

    public VrrpSettings {
        if (name.isBlank()) {
            throw new IllegalArgumentException("a VRRP instance needs a name");
        }
        if (vrid < 1 || vrid > 255) {
            throw new IllegalArgumentException("(" + name + ") virtual_router_id " + vrid + " is outside 1–255");
        }
        if (priority < 1 || priority > 255) {
            throw new IllegalArgumentException("(" + name + ") priority " + priority + " is outside 1–255");
        }
        long advertised = virtualAddresses.stream().filter(v -> !v.excluded()).count();
        if (advertised > 255) {
            throw new IllegalArgumentException("(" + name + ") " + advertised
                    + " virtual addresses; one advert carries at most 255");
        }
        if (preemptDelay.isNegative()) {
            throw new IllegalArgumentException("(" + name + ") preempt_delay is negative");
        }
        if (authHmac != null && authType != AuthType.NONE) {
            throw new IllegalArgumentException("(" + name + ") auth_hmac replaces the authentication block; remove auth_type");
        }
        boolean ipv6 = ipv6(virtualAddresses);
        for (var vip : virtualAddresses) {
            if (!vip.excluded() && vip.address() instanceof Inet6Address != ipv6) {
                throw new IllegalArgumentException("(" + name + ") virtual address " + vip
                        + " is not of the instance's family (its first address's)");
            }
        }
        for (var a : unicastSource == null ? unicastPeers : concat(unicastSource, unicastPeers)) {
            if (a instanceof Inet6Address != ipv6) {
                throw new IllegalArgumentException("(" + name + ") unicast address " + a
                        + " is not of the family of virtual_ipaddress");
            }
        }
        if (ipv6 && version == VrrpVersion.V2) {
            throw new IllegalArgumentException("(" + name + ") VRRPv2 is IPv4 only (RFC 3768); set version 3");
        }
        if (version == VrrpVersion.V3 && authType != AuthType.NONE) {
            throw new IllegalArgumentException("(" + name + ") VRRPv3 has no authentication; remove auth_type");
        }
        // The codec checks the interval range for the version; fail here, naming the instance.
        try {
            if (version == VrrpVersion.V3) {
                VrrpPacket.v3(vrid, priority, advertInterval, List.of());
            } else {
                VrrpPacket.v2(vrid, priority, advertInterval, AuthType.NONE, "", List.of());
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("(" + name + ") advert_int: " + e.getMessage(), e);
        }
        virtualAddresses = List.copyOf(virtualAddresses);
        unicastPeers = List.copyOf(unicastPeers);
        trackInterfaces = List.copyOf(trackInterfaces);
        trackScripts = List.copyOf(trackScripts);
        trackBfds = List.copyOf(trackBfds);
        Objects.requireNonNull(answers, "answers");
    }

    private static List<InetAddress> concat(InetAddress first, List<InetAddress> rest) {
        var all = new ArrayList<InetAddress>(rest.size() + 1);
        all.add(first);
        all.addAll(rest);
        return all;
    }

    /// Whether the instance runs VRRPv3 over IPv6 (its advertised virtual addresses are IPv6).
    public boolean ipv6() {
        return ipv6(virtualAddresses);
    }

    private static boolean ipv6(List<VirtualAddress> vips) {
        return vips.stream().filter(v -> !v.excluded()).findFirst()
                .map(v -> v.address() instanceof Inet6Address).orElse(false);
    }

    /// Settings with keepalived's defaults for everything but the essentials: preempt on, no
    /// delay, `state BACKUP`, no authentication, multicast, default GARP, no tracking or notify.
    public static VrrpSettings of(String name, String interfaceName, int vrid, VrrpVersion version,
            int priority, Duration advertInterval, List<VirtualAddress> virtualAddresses) {
        return new VrrpSettings(name, interfaceName, vrid, version, priority, advertInterval, true,
                Duration.ZERO, InitialState.BACKUP, AuthType.NONE, "", virtualAddresses, null,
                List.of(), GarpSettings.KEEPALIVED_DEFAULTS, List.of(), List.of(), NotifyCommands.NONE, null);
    }

    public VrrpSettings withPreempt(boolean preempt, Duration preemptDelay) {
        return new VrrpSettings(name, interfaceName, vrid, version, priority, advertInterval, preempt,
                preemptDelay, initialState, authType, authPassword, virtualAddresses, unicastSource,
                unicastPeers, garp, trackInterfaces, trackScripts, notifyCommands, authHmac, trackBfds, answers);
    }

    public VrrpSettings withInitialState(InitialState initialState) {
        return new VrrpSettings(name, interfaceName, vrid, version, priority, advertInterval, preempt,
                preemptDelay, initialState, authType, authPassword, virtualAddresses, unicastSource,
                unicastPeers, garp, trackInterfaces, trackScripts, notifyCommands, authHmac, trackBfds, answers);
    }

    public VrrpSettings withAuth(AuthType authType, String authPassword) {
        return new VrrpSettings(name, interfaceName, vrid, version, priority, advertInterval, preempt,
                preemptDelay, initialState, authType, authPassword, virtualAddresses, unicastSource,
                unicastPeers, garp, trackInterfaces, trackScripts, notifyCommands, authHmac, trackBfds, answers);
    }

    public VrrpSettings withTracking(List<TrackInterface> trackInterfaces, List<TrackScript> trackScripts) {
        return new VrrpSettings(name, interfaceName, vrid, version, priority, advertInterval, preempt,
                preemptDelay, initialState, authType, authPassword, virtualAddresses, unicastSource,
                unicastPeers, garp, trackInterfaces, trackScripts, notifyCommands, authHmac, trackBfds, answers);
    }

    public VrrpSettings withNotify(NotifyCommands notifyCommands) {
        return new VrrpSettings(name, interfaceName, vrid, version, priority, advertInterval, preempt,
                preemptDelay, initialState, authType, authPassword, virtualAddresses, unicastSource,
                unicastPeers, garp, trackInterfaces, trackScripts, notifyCommands, authHmac, trackBfds, answers);
    }

    public VrrpSettings withTrackBfds(List<TrackBfd> trackBfds) {
        return new VrrpSettings(name, interfaceName, vrid, version, priority, advertInterval, preempt,
                preemptDelay, initialState, authType, authPassword, virtualAddresses, unicastSource,
                unicastPeers, garp, trackInterfaces, trackScripts, notifyCommands, authHmac, trackBfds, answers);
    }

    /// `unicast_src_ip` (null: the interface's address) and `unicast_peer` (empty: multicast).
    public VrrpSettings withUnicast(InetAddress unicastSource, List<? extends InetAddress> unicastPeers) {
        return new VrrpSettings(name, interfaceName, vrid, version, priority, advertInterval, preempt,
                preemptDelay, initialState, authType, authPassword, virtualAddresses, unicastSource,
                List.copyOf(unicastPeers), garp, trackInterfaces, trackScripts, notifyCommands, authHmac, trackBfds, answers);
    }

    /// keepalived 2.4's `auth_hmac` (null: none).
    public VrrpSettings withAuthHmac(AuthHmacSettings authHmac) {
        return new VrrpSettings(name, interfaceName, vrid, version, priority, advertInterval, preempt,
                preemptDelay, initialState, authType, authPassword, virtualAddresses, unicastSource,
                unicastPeers, garp, trackInterfaces, trackScripts, notifyCommands, authHmac, trackBfds, answers);
    }

    /// `lower_prio_no_advert` and `higher_prio_send_advert` as keepalived resolves them.
    public VrrpSettings withAnswers(MasterAnswers answers) {
        return new VrrpSettings(name, interfaceName, vrid, version, priority, advertInterval, preempt,
                preemptDelay, initialState, authType, authPassword, virtualAddresses, unicastSource,
                unicastPeers, garp, trackInterfaces, trackScripts, notifyCommands, authHmac, trackBfds, answers);
    }

    public VrrpSettings withGarp(GarpSettings garp) {
        return new VrrpSettings(name, interfaceName, vrid, version, priority, advertInterval, preempt,
                preemptDelay, initialState, authType, authPassword, virtualAddresses, unicastSource,
                unicastPeers, garp, trackInterfaces, trackScripts, notifyCommands, authHmac, trackBfds, answers);
    }

    /// What a master sends when it hears another router's advert that does not make it step down,
    /// or one that does (keepalived's `lower_prio_no_advert` and `higher_prio_send_advert`, per
    /// instance or as `vrrp_*` in `global_defs`; strict mode sets the first and clears the second,
    /// RFC 5798's behaviour).
    ///
    /// @param lowerPrioNoAdvert    true: a lower priority advert is dropped, as RFC 5798 §6.4.3 says;
    ///                             false (keepalived's default): it is answered at once with an
    ///                             advert of ours and the Adver_Timer starts again, so the other
    ///                             router steps down sooner (RFC 9568 allows it)
    /// @param higherPrioSendAdvert true: before stepping down for a higher priority, the master
    ///                             sends one last advert of its own priority (keepalived, off by
    ///                             default; for a peer that missed ours)
    public record MasterAnswers(boolean lowerPrioNoAdvert, boolean higherPrioSendAdvert) {
        public static final MasterAnswers KEEPALIVED_DEFAULTS = new MasterAnswers(false, false);
    }

    /// The addresses an advert carries, in configuration order (not the excluded ones).
    public List<InetAddress> advertisedAddresses() {
        return virtualAddresses.stream().filter(v -> !v.excluded()).map(VirtualAddress::address).toList();
    }

    /// A `virtual_ipaddress` entry: `192.0.2.100/24` or `2001:db8::100/64` (prefix 32 or 128 when
    /// keepalived's line has none).
    ///
    /// @param excluded a `virtual_ipaddress_excluded` entry: added, removed and announced with the
    ///                 others but not carried in adverts, and of either family (keepalived's `evip`)
    public record VirtualAddress(InetAddress address, int prefixLength, boolean excluded) {
        public VirtualAddress(InetAddress address, int prefixLength) {
            this(address, prefixLength, false);
        }

        public VirtualAddress {
            int max = address instanceof Inet6Address ? 128 : 32;
            if (prefixLength < 0 || prefixLength > max) {
                throw new IllegalArgumentException("prefix /" + prefixLength + " is outside 0–" + max);
            }
        }

        @Override
        public String toString() {
            return Addresses.text(address) + "/" + prefixLength;
        }
    }

    /// keepalived's gratuitous ARP timing for a new master: `garp_master_repeat` ARPs at once,
    /// the same again after `garp_master_delay` (none when zero), and then, when
    /// `garp_master_refresh` is not zero, `garp_master_refresh_repeat` ARPs every refresh interval.
    /// IPv6 addresses get unsolicited neighbour advertisements on the same timing, each at least
    /// `naInterval` after the one before (keepalived's `vrrp_gna_interval`; zero: back to back).
    public record GarpSettings(Duration masterDelay, int masterRepeat, Duration masterRefresh,
            int masterRefreshRepeat, Duration naInterval) {
        /// keepalived's defaults: delay 5 s, repeat 5, refresh off, refresh repeat 1, no NA interval.
        public static final GarpSettings KEEPALIVED_DEFAULTS =
                new GarpSettings(Duration.ofSeconds(5), 5, Duration.ZERO, 1);

        public GarpSettings(Duration masterDelay, int masterRepeat, Duration masterRefresh, int masterRefreshRepeat) {
            this(masterDelay, masterRepeat, masterRefresh, masterRefreshRepeat, Duration.ZERO);
        }

        public GarpSettings {
            if (masterRepeat < 1 || masterRefreshRepeat < 1) {
                throw new IllegalArgumentException("garp_master_repeat and garp_master_refresh_repeat must be ≥ 1");
            }
            if (masterDelay.isNegative() || masterRefresh.isNegative() || naInterval.isNegative()) {
                throw new IllegalArgumentException("garp_master_delay, garp_master_refresh and vrrp_gna_interval"
                        + " must be ≥ 0");
            }
        }
    }

    /// A `track_interface` entry. keepalived: weight 0 puts the instance in FAULT while the
    /// interface is down; a positive weight is added while it is up; a negative one while it is down.
    /// `reverse` (keepalived's `weight_reverse`, a multiplier of −1 in vrrp_track.c) subtracts the
    /// weight under the same condition, and with weight 0 puts the instance in FAULT while the
    /// interface is up.
    public record TrackInterface(String name, int weight, boolean reverse) {
        public TrackInterface(String name, int weight) {
            this(name, weight, false);
        }
    }

    /// A `track_script` entry with its `vrrp_script` definition. The weight and reverse rule is the
    /// one of [TrackInterface], with "up" meaning the script's last `rise` runs succeeded
    /// (vrrp_track.c `process_script_update_priority`).
    ///
    /// @param command argv, run without a shell
    public record TrackScript(String name, List<String> command, Duration interval, Duration timeout,
            int weight, boolean reverse, int rise, int fall) {
        public TrackScript(String name, List<String> command, Duration interval, Duration timeout, int weight,
                int rise, int fall) {
            this(name, command, interval, timeout, weight, false, rise, fall);
        }

        public TrackScript {
            command = List.copyOf(command);
            if (command.isEmpty()) {
                throw new IllegalArgumentException("vrrp_script " + name + " has no script");
            }
            if (rise < 1 || fall < 1) {
                throw new IllegalArgumentException("vrrp_script " + name + ": rise and fall must be ≥ 1");
            }
            if (!interval.isPositive() || !timeout.isPositive()) {
                throw new IllegalArgumentException("vrrp_script " + name + ": interval and timeout must be > 0");
            }
            if (weight < -253 || weight > 253) {
                throw new IllegalArgumentException("vrrp_script " + name + ": weight " + weight + " is outside -253–253");
            }
        }
    }

    /// A `track_bfd` entry: the weight and reverse rule of [TrackInterface], with "up" meaning
    /// the `bfd_instance`'s session is Up; a session counts as down until it first comes Up
    /// (keepalived `vrrp_track.c` `initialise_track_bfd_state`, `vrrp_scheduler.c`
    /// `vrrp_handle_bfd_event`).
    public record TrackBfd(String name, int weight, boolean reverse) {
    }

    /// keepalived's notify commands as argv lists (empty: none), run without a shell.
    /// `generic` is keepalived's `notify`: it gets `INSTANCE|GROUP name state priority` appended;
    /// the others get nothing.
    public record NotifyCommands(List<String> master, List<String> backup, List<String> fault,
            List<String> stop, List<String> generic) {
        public static final NotifyCommands NONE =
                new NotifyCommands(List.of(), List.of(), List.of(), List.of(), List.of());

        public NotifyCommands {
            master = List.copyOf(master);
            backup = List.copyOf(backup);
            fault = List.copyOf(fault);
            stop = List.copyOf(stop);
            generic = List.copyOf(generic);
        }
    }
}
