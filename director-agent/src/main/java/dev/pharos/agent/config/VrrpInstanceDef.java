package dev.pharos.agent.config;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
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
        Integer priority, Duration advertInterval, Integer version, Authentication authentication, AuthHmac authHmac,
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

    /// `auth_hmac { key ID VALUE; active_key ID; time_window S; anti_replay …; mode … }`
    /// (keepalived 2.4.2 and later). Unset values are null: keepalived's window is 3 × advert_int
    /// (5–300 s), anti_replay time, mode enforce.
    public record AuthHmac(List<HmacKey> keys, int activeKey, Integer timeWindow, AntiReplay antiReplay,
            HmacMode mode) {
        public AuthHmac {
            keys = List.copyOf(keys);
        }
    }

    /// One `key ID VALUE` line: the value as written (`hex:…`, `file:PATH` or ASCII) and the key
    /// bytes it gave when the configuration was read.
    /// The JSON form carries the value only: [#of] reads the bytes again, so a key file's secret
    /// does not travel with the configuration.
    public record HmacKey(int id, String value, byte[] material) {
        public HmacKey {
            material = material.clone();
        }

        /// The key a `key ID VALUE` line gives; [IllegalArgumentException] when the value gives none.
        public static HmacKey of(int id, String value) {
            return new HmacKey(id, value, AuthHmacBlocks.material(value));
        }

        @Override
        public byte[] material() {
            return material.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof HmacKey k && id == k.id && value.equals(k.value) && Arrays.equals(material, k.material);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * id + value.hashCode()) + Arrays.hashCode(material);
        }

        /// A file's key never reaches a log line; an inline one is in the file anyway, but not logged either.
        @Override
        public String toString() {
            return "HmacKey[id=" + id + ", " + (value.startsWith("file:") ? value : material.length + " bytes") + "]";
        }
    }

    /// `anti_replay time|monotonic`.
    public enum AntiReplay {
        TIME, MONOTONIC
    }

    /// `mode enforce|permissive|receive-only`.
    public enum HmacMode {
        ENFORCE("enforce"), PERMISSIVE("permissive"), RECEIVE_ONLY("receive-only");

        private final String keyword;

        HmacMode(String keyword) {
            this.keyword = keyword;
        }

        /// As written in keepalived.conf.
        public String keyword() {
            return keyword;
        }
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
