package dev.pharos.agent.config;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/// `vrrp_instance NAME { … }`. `notifyGeneric` is keepalived's `notify` (a record cannot have a
/// component named `notify`).
/// Absent values are `null`; keepalived's defaults (priority 100, or 255 with `state MASTER`,
/// `advert_int` 1 s, version from `global_defs` or 2, preempt on) are applied by the VRRP engine's
/// settings mapping, not here, so that writing the model back reproduces the file.
/// The notify values (here, in [SyncGroupDef], `notifyUp`/`notifyDown` of [RealServerDef] and
/// `quorumUp`/`quorumDown` of [VirtualServerDef]) are the line's values as written: command, then
/// optionally user and group; [ScriptLine#parse] reads them. `nativeIpv6` is keepalived's
/// `native_ipv6`: the instance is IPv6 (and VRRPv3) whatever its addresses.
public record VrrpInstanceDef(String name, State state, String interfaceName, Integer virtualRouterId,
        Integer priority, Duration advertInterval, Integer version, Authentication authentication,
        List<Vip> virtualIpAddresses, List<Vip> virtualIpAddressesExcluded, boolean nopreempt,
        Duration preemptDelay, InetAddress unicastSrcIp, List<UnicastPeer> unicastPeers, InetAddress mcastSrcIp,
        List<TrackInterface> trackInterfaces, List<TrackScript> trackScripts, String notifyMaster,
        String notifyBackup, String notifyFault, String notifyStop, String notifyGeneric, Duration garpMasterDelay,
        Integer garpMasterRepeat, Duration garpMasterRefresh, Integer garpMasterRefreshRepeat,
        Boolean smtpAlert, Boolean accept, boolean dontTrackPrimary, boolean nativeIpv6, List<Extra> extras) {

    public VrrpInstanceDef {
        virtualIpAddresses = List.copyOf(virtualIpAddresses);
        virtualIpAddressesExcluded = List.copyOf(virtualIpAddressesExcluded);
        unicastPeers = List.copyOf(unicastPeers);
        trackInterfaces = List.copyOf(trackInterfaces);
        trackScripts = List.copyOf(trackScripts);
        extras = List.copyOf(extras);
    }

    /// `state MASTER|BACKUP`: the initial wish only.
    public enum State {
        MASTER, BACKUP
    }

    /// `authentication { auth_type PASS|AH; auth_pass … }`.
    public record Authentication(AuthType type, String password) {
    }

    public enum AuthType {
        PASS, AH
    }

    /// One line of `virtual_ipaddress`: `ADDR[/PREFIX] [brd ADDR] [dev IFACE] [scope SCOPE] [label LABEL]`.
    ///
    /// @param prefixLength `null` when the line has none (keepalived: /32 for IPv4)
    public record Vip(InetAddress address, Integer prefixLength, InetAddress broadcast, String dev, String scope,
            String label) {
    }

    /// `unicast_peer` line: `ADDR [min_ttl N] [max_ttl N]` (vrrp_data.c `alloc_vrrp_unicast_peer`).
    /// The TTL bounds (0–255) are kept for the rewrite; Pharos does not check received TTLs yet.
    ///
    /// @param minTtl null when not given (keepalived: 0)
    /// @param maxTtl null when not given (keepalived: 255)
    public record UnicastPeer(InetAddress address, Integer minTtl, Integer maxTtl) {
    }

    /// `track_interface` line: `IFACE [weight N [reverse]]`.
    ///
    /// @param reverse the weight applies the other way round (keepalived's `weight_reverse`)
    public record TrackInterface(String name, Integer weight, boolean reverse) {
        public TrackInterface {
            if (reverse && weight == null) {
                throw new IllegalArgumentException("track_interface " + name + ": reverse needs a weight");
            }
        }
    }

    /// `track_script` line: `NAME [weight N [reverse|noreverse]]` (the weight, and the reverse
    /// option when given, override the script's own).
    ///
    /// @param reverse null when the line gives neither `reverse` nor `noreverse`
    public record TrackScript(String name, Integer weight, Boolean reverse) {
        public TrackScript {
            if (reverse != null && weight == null) {
                throw new IllegalArgumentException("track_script " + name + ": reverse or noreverse needs a weight");
            }
        }
    }
}
