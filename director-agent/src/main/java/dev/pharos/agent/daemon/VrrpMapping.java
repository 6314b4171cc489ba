package dev.pharos.agent.daemon;

import dev.pharos.agent.api.Addresses;
import dev.pharos.agent.config.AdvertAnswers;
import dev.pharos.agent.config.Argv;
import dev.pharos.agent.config.BfdConfig;
import dev.pharos.agent.config.BfdInstanceDef;
import dev.pharos.agent.config.ConfigException;
import dev.pharos.agent.config.Diagnostic;
import dev.pharos.agent.config.GlobalDefs;
import dev.pharos.agent.config.KeepalivedConfig;
import dev.pharos.agent.config.ScriptLine;
import dev.pharos.agent.config.StartingState;
import dev.pharos.agent.config.VrrpInstanceDef;
import dev.pharos.agent.script.ScriptPolicy;
import dev.pharos.agent.vrrp.AuthHmacSettings;
import dev.pharos.agent.vrrp.AuthType;
import dev.pharos.agent.vrrp.InitialState;
import dev.pharos.agent.vrrp.VrrpSettings;
import dev.pharos.agent.vrrp.VrrpSyncGroup;
import dev.pharos.agent.vrrp.VrrpVersion;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/// From the configuration model to the VRRP engine's settings, applying keepalived's defaults
/// (priority 100, `advert_int` 1 s, version from `global_defs` or 2, preempt on, GARP 5 × at once
/// and again after 5 s, `vrrp_script` interval 1 s, rise and fall 1).
public final class VrrpMapping {

    /// The engine's view of one configuration.
    public record Vrrp(List<VrrpSettings> instances, List<VrrpSyncGroup> syncGroups) {
    }

    private VrrpMapping() {
    }

    /// The mapping with this agent's script policy (its users, capabilities and files).
    public static Vrrp map(KeepalivedConfig config) throws ConfigException {
        return map(config, policy(config));
    }

    /// The script policy `global_defs` asks for, on this agent.
    public static ScriptPolicy policy(KeepalivedConfig config) {
        var g = config.globalDefs();
        var user = g.scriptUser() == null ? List.<String>of() : Argv.split(g.scriptUser());
        return ScriptPolicy.forAgent(Boolean.TRUE.equals(g.enableScriptSecurity()), user.isEmpty() ? null : user.getFirst(),
                user.size() > 1 ? user.get(1) : null);
    }

    /// The mapping; `scripts` decides who runs each script and refuses unsafe ones, as keepalived
    /// does when it loads a configuration (`vrrp.c`, `check_vrrp_script_security`).
    public static Vrrp map(KeepalivedConfig config, ScriptPolicy scripts) throws ConfigException {
        var problems = new ArrayList<Diagnostic>();
        var tracked = trackScripts(config, scripts);
        var bfd = BfdConfig.of(config);
        var instances = new ArrayList<VrrpSettings>();
        for (var i : config.vrrpInstances()) {
            try {
                instances.add(instance(config, i, tracked, scripts).withTrackBfds(trackBfds(bfd, i.name())));
            } catch (IllegalArgumentException e) {
                problems.add(Diagnostic.error(null, e.getMessage()));
            }
        }
        var groups = new ArrayList<VrrpSyncGroup>();
        for (var g : config.syncGroups()) {
            try {
                groups.add(new VrrpSyncGroup(g.name(), g.group(), false, new VrrpSettings.NotifyCommands(
                        notify(scripts, g.notifyMaster()), notify(scripts, g.notifyBackup()),
                        notify(scripts, g.notifyFault()), notify(scripts, g.notifyStop()),
                        notify(scripts, g.notifyGeneric()))));
            } catch (IllegalArgumentException e) {
                problems.add(Diagnostic.error(null, "vrrp_sync_group " + g.name() + ": " + e.getMessage()));
            }
        }
        if (!config.vrrpInstances().isEmpty()) {
            scripts.finish("scripts");
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new Vrrp(instances, groups);
    }

    /// Each `vrrp_script`'s argv as it will run, or `null` for one keepalived would disable.
    private static Map<String, List<String>> trackScripts(KeepalivedConfig c, ScriptPolicy scripts) {
        var out = new HashMap<String, List<String>>();
        if (c.vrrpInstances().isEmpty()) {
            return out;
        }
        for (var def : c.vrrpScripts()) {
            if (def.script() == null || out.containsKey(def.name())) {
                continue;
            }
            var user = def.user() == null ? List.<String>of() : Argv.split(def.user());
            var verdict = scripts.trackScript(def.name(), Argv.split(def.script()), user.isEmpty() ? null : user.getFirst(),
                    user.size() > 1 ? user.get(1) : null);
            out.put(def.name(), verdict instanceof ScriptPolicy.Run run ? run.argv() : null);
        }
        return out;
    }

    private static VrrpSettings instance(KeepalivedConfig c, VrrpInstanceDef i, Map<String, List<String>> tracked,
            ScriptPolicy scripts) {
        var g = c.globalDefs();
        // keepalived's instance family: IPv6 with native_ipv6, else the first virtual address's
        // (vrrp_parser.c alloc_vrrp_vip, vrrp_native_ipv6_handler).
        boolean nativeIpv6 = i.nativeIpv6();
        boolean ipv6 = nativeIpv6 || !i.virtualIpAddresses().isEmpty()
                && i.virtualIpAddresses().getFirst().address() instanceof Inet6Address;
        if (nativeIpv6 && i.virtualIpAddresses().isEmpty()) {
            throw new IllegalArgumentException("(" + i.name() + ") native_ipv6 with no virtual_ipaddress: Pharos"
                    + " needs at least one IPv6 virtual address to run the instance over IPv6");
        }
        // vrrp.c vrrp_complete_instance: an IPv6 instance is VRRPv3 unless its own block says
        // otherwise (global_defs' vrrp_version is not consulted); native_ipv6 sets version 3.
        int versionNumber = ipv6 ? (i.version() != null && !nativeIpv6 ? i.version() : 3)
                : i.version() != null ? i.version() : g.vrrpVersion() != null ? g.vrrpVersion() : 2;
        if (ipv6 && versionNumber == 2) {
            throw new IllegalArgumentException("(" + i.name() + ") version 2 with IPv6 virtual addresses: VRRPv2"
                    + " is IPv4 only (RFC 3768); use version 3");
        }
        var version = versionNumber == 3 ? VrrpVersion.V3 : VrrpVersion.V2;
        var vips = new ArrayList<VrrpSettings.VirtualAddress>();
        for (var v : i.virtualIpAddresses()) {
            var a = v.address();
            if (a instanceof Inet6Address != ipv6) {
                throw new IllegalArgumentException("(" + i.name() + ") virtual address " + Addresses.text(a) + " is "
                        + (ipv6 ? "IPv4 in an IPv6 instance" : "IPv6 in an IPv4 instance")
                        + " (keepalived ignores it); give it its own vrrp_instance");
            }
            if (v.dev() != null && !v.dev().equals(i.interfaceName())) {
                throw new IllegalArgumentException("(" + i.name() + ") virtual address " + Addresses.text(a)
                        + " dev " + v.dev() + ": Pharos adds VIPs to the instance's interface ("
                        + i.interfaceName() + ") only so far");
            }
            int defaultPrefix = ipv6 ? 128 : 32;
            vips.add(new VrrpSettings.VirtualAddress(a, v.prefixLength() == null ? defaultPrefix : v.prefixLength()));
        }
        for (var v : i.virtualIpAddressesExcluded()) {
            var a = v.address();
            if (v.dev() != null && !v.dev().equals(i.interfaceName())) {
                throw new IllegalArgumentException("(" + i.name() + ") excluded address " + Addresses.text(a)
                        + " dev " + v.dev() + ": Pharos adds VIPs to the instance's interface ("
                        + i.interfaceName() + ") only so far");
            }
            // vrrp_data.c alloc_vrrp_evip: any family, whatever the instance's
            int defaultPrefix = a instanceof Inet6Address ? 128 : 32;
            vips.add(new VrrpSettings.VirtualAddress(a, v.prefixLength() == null ? defaultPrefix : v.prefixLength(),
                    true));
        }
        var peers = new ArrayList<InetAddress>();
        for (var peer : i.unicastPeers()) {
            var p = peer.address();
            if (p instanceof Inet6Address != ipv6) {
                throw new IllegalArgumentException("(" + i.name() + ") unicast_peer " + Addresses.text(p)
                        + " is not of the instance's family (" + (ipv6 ? "IPv6" : "IPv4") + ")");
            }
            peers.add(p);
        }
        var source = i.unicastSrcIp() != null ? i.unicastSrcIp() : i.mcastSrcIp();
        if (source != null && source instanceof Inet6Address != ipv6) {
            throw new IllegalArgumentException("(" + i.name() + ") source address " + Addresses.text(source)
                    + " is not of the instance's family (" + (ipv6 ? "IPv6" : "IPv4") + ")");
        }
        var garp = new VrrpSettings.GarpSettings(
                first(i.garpMasterDelay(), g.vrrpGarpMasterDelay(), Duration.ofSeconds(5)),
                first(i.garpMasterRepeat(), g.vrrpGarpMasterRepeat(), 5),
                first(i.garpMasterRefresh(), g.vrrpGarpMasterRefresh(), Duration.ZERO),
                first(i.garpMasterRefreshRepeat(), g.vrrpGarpMasterRefreshRepeat(), 1),
                first(g.vrrpGnaInterval(), Duration.ZERO));
        var trackIf = i.trackInterfaces().stream()
                .map(t -> new VrrpSettings.TrackInterface(t.name(), t.weight() == null ? 0 : t.weight(), t.reverse()))
                .toList();
        var trackScripts = new ArrayList<VrrpSettings.TrackScript>();
        for (var t : i.trackScripts()) {
            var def = c.script(t.name()).orElseThrow(
                    () -> new IllegalArgumentException("(" + i.name() + ") tracks unknown script " + t.name()));
            var argv = tracked.get(def.name());
            if (argv == null) {
                continue; // keepalived takes a disabled script off every instance that tracks it
            }
            var interval = def.interval() == null ? Duration.ofSeconds(1) : def.interval();
            var weight = t.weight() != null ? t.weight() : def.weight() != null ? def.weight() : 0;
            // alloc_track_script: the line's reverse/noreverse, else the script's own
            var reverse = t.reverse() != null ? t.reverse() : Boolean.TRUE.equals(def.weightReverse());
            trackScripts.add(new VrrpSettings.TrackScript(def.name(), argv, interval,
                    def.timeout() == null ? interval : def.timeout(), weight, reverse,
                    def.rise() == null ? 1 : def.rise(), def.fall() == null ? 1 : def.fall()));
        }
        var notify = new VrrpSettings.NotifyCommands(notify(scripts, i.notifyMaster()), notify(scripts, i.notifyBackup()),
                notify(scripts, i.notifyFault()), notify(scripts, i.notifyStop()), notify(scripts, i.notifyGeneric()));
        var auth = i.authentication() == null ? AuthType.NONE
                : i.authentication().type() == VrrpInstanceDef.AuthType.PASS ? AuthType.PASS : AuthType.AH;
        return new VrrpSettings(i.name(), i.interfaceName(), i.virtualRouterId(), version,
                StartingState.priority(i),
                i.advertInterval() == null ? Duration.ofSeconds(1) : i.advertInterval(),
                !i.nopreempt(), i.preemptDelay() == null ? Duration.ZERO : i.preemptDelay(),
                StartingState.of(g, i) == VrrpInstanceDef.State.MASTER ? InitialState.MASTER : InitialState.BACKUP,
                auth, i.authentication() == null ? "" : i.authentication().password(),
                vips, source, peers, garp, trackIf, trackScripts, notify, authHmac(i))
                .withAnswers(answers(g, i));
    }

    private static VrrpSettings.MasterAnswers answers(GlobalDefs g, VrrpInstanceDef i) {
        var decided = AdvertAnswers.of(g, i);
        return new VrrpSettings.MasterAnswers(decided.lowerPrioNoAdvert(), decided.higherPrioSendAdvert());
    }

    /// `auth_hmac` with keepalived 2.4.3's defaults: mode enforce, anti_replay time, a window
    /// of 3 × advert_int (5–300 s).
    private static AuthHmacSettings authHmac(VrrpInstanceDef i) {
        var h = i.authHmac();
        if (h == null) {
            return null;
        }
        var keys = h.keys().stream().map(k -> new AuthHmacSettings.Key(k.id(), k.material())).toList();
        var mode = h.mode() == null ? AuthHmacSettings.Mode.ENFORCE : switch (h.mode()) {
            case ENFORCE -> AuthHmacSettings.Mode.ENFORCE;
            case PERMISSIVE -> AuthHmacSettings.Mode.PERMISSIVE;
            case RECEIVE_ONLY -> AuthHmacSettings.Mode.RECEIVE_ONLY;
        };
        var antiReplay = h.antiReplay() == VrrpInstanceDef.AntiReplay.MONOTONIC
                ? AuthHmacSettings.AntiReplay.MONOTONIC : AuthHmacSettings.AntiReplay.TIME;
        var window = h.timeWindow() != null ? Duration.ofSeconds(h.timeWindow())
                : AuthHmacSettings.defaultWindow(i.advertInterval() == null ? Duration.ofSeconds(1) : i.advertInterval());
        return new AuthHmacSettings(mode, keys, h.activeKey(), antiReplay, window);
    }

    /// An instance's `track_bfd` lines, the `bfd_instance`'s weight and reverse applying where the
    /// line gives none (`vrrp_track.c` `alloc_track_bfd`).
    private static List<VrrpSettings.TrackBfd> trackBfds(BfdConfig bfd, String instance) {
        var out = new ArrayList<VrrpSettings.TrackBfd>();
        for (var t : bfd.tracks().getOrDefault(instance, List.of())) {
            var def = bfd.instances().stream().filter(b -> b.name().equals(t.name())).findFirst();
            if (def.isPresent() && !def.get().tellsVrrp()) {
                continue; // keepalived's VRRP process does not know a bfd_instance that says only checker
            }
            // A bfd_instance keepalived's BFD process disables (no neighbor_ip…) is still known to
            // VRRP by its name: its session never comes Up.
            int weight = t.weight() != null ? t.weight() : def.map(BfdInstanceDef::weight).orElse(0);
            boolean reverse = t.reverse() != null ? t.reverse() : def.map(BfdInstanceDef::weightReverse).orElse(false);
            out.add(new VrrpSettings.TrackBfd(t.name(), weight, reverse));
        }
        return out;
    }

    /// A notify line as it will run (empty: none, or disabled as keepalived would).
    private static List<String> notify(ScriptPolicy scripts, String line) {
        if (line == null) {
            return List.of();
        }
        var s = ScriptLine.parse(line);
        return scripts.notify("notify", s.command(), s.user(), s.group()) instanceof ScriptPolicy.Run run
                ? run.argv() : List.of();
    }

    @SafeVarargs
    private static <T> T first(T... values) {
        for (var v : values) {
            if (v != null) {
                return v;
            }
        }
        throw new IllegalStateException("no default");
    }
}
