package dev.pharos.agent.vrrp;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;

/// An instance's `auth_hmac { … }` block as keepalived 2.4.3 applies it (`vrrp_parser.c`
/// `vrrp_auth_hmac_*_handler`, `vrrp.c` `vrrp_complete_instance`): the keys, which one signs,
/// how freshness is judged and the rollout mode. Keys are the bytes themselves; the config
/// package reads them from the file or the `hex:` text.
///
/// @param mode       `mode`: what is sent and what is accepted
/// @param keys       `key ID VALUE` lines, ids unique
/// @param activeKey  `active_key`: the id that signs; must be one of `keys`
/// @param antiReplay `anti_replay time|monotonic`
/// @param timeWindow `time_window`, whole seconds 1–300 (see [#defaultWindow]); used with
///                   [AntiReplay#TIME] only
public record AuthHmacSettings(Mode mode, List<Key> keys, int activeKey, AntiReplay antiReplay,
        Duration timeWindow) {

    /// Shortest key, bytes (`VRRP_AUTH_HMAC_KEY_MIN`).
    public static final int KEY_MIN = 32;
    /// Longest key, bytes (`VRRP_AUTH_HMAC_KEY_MAX`).
    public static final int KEY_MAX = 64;
    /// Longest `time_window` (`VRRP_AUTH_HMAC_WINDOW_MAX`).
    public static final Duration WINDOW_MAX = Duration.ofSeconds(300);
    private static final Duration WINDOW_FLOOR = Duration.ofSeconds(5);

    /// The rollout modes, in the order a running group moves through them: every node first
    /// verifies without signing, then signs while still accepting unsigned adverts, then
    /// requires signatures. Each sweep is hitless because nobody sends what a peer cannot take.
    public enum Mode {
        /// `receive-only`: verifies a trailer when one comes, accepts adverts without one, signs nothing.
        RECEIVE_ONLY,
        /// `permissive`: signs, verifies a trailer when one comes, accepts adverts without one.
        PERMISSIVE,
        /// `enforce`: signs, and drops every advert without a valid trailer (keepalived's default).
        ENFORCE;

        /// Whether adverts are sent with a trailer.
        public boolean signs() {
            return this != RECEIVE_ONLY;
        }
    }

    /// How replays are refused.
    public enum AntiReplay {
        /// Sequences must grow and their seconds be within the window of the receiver's clock
        /// (needs synchronised clocks; keepalived's default).
        TIME,
        /// Sequences must grow; no clock comparison.
        MONOTONIC
    }

    /// One key.
    ///
    /// @param id       1–255
    /// @param material 32–64 bytes; copied
    public record Key(int id, byte[] material) {
        public Key {
            if (id < 1 || id > 255) {
                throw new IllegalArgumentException("auth_hmac key id " + id + " is outside 1–255");
            }
            if (material.length < KEY_MIN || material.length > KEY_MAX) {
                throw new IllegalArgumentException("auth_hmac key " + id + " is " + material.length
                        + " bytes; keys are " + KEY_MIN + "–" + KEY_MAX + " bytes");
            }
            material = material.clone();
        }

        @Override
        public byte[] material() {
            return material.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && id == k.id && Arrays.equals(material, k.material);
        }

        @Override
        public int hashCode() {
            return 31 * id + Arrays.hashCode(material);
        }

        /// Never the secret, also not in a log line.
        @Override
        public String toString() {
            return "Key[id=" + id + ", " + material.length + " bytes]";
        }
    }

    public AuthHmacSettings {
        keys = List.copyOf(keys);
        var ids = new HashSet<Integer>();
        for (var k : keys) {
            if (!ids.add(k.id())) {
                throw new IllegalArgumentException("auth_hmac key id " + k.id() + " is given twice");
            }
        }
        if (!ids.contains(activeKey)) {
            throw new IllegalArgumentException("auth_hmac active_key " + activeKey + " is not one of the keys "
                    + ids.stream().sorted().toList());
        }
        long s = timeWindow.toSeconds();
        if (s < 1 || !Duration.ofSeconds(s).equals(timeWindow) || timeWindow.compareTo(WINDOW_MAX) > 0) {
            throw new IllegalArgumentException("auth_hmac time_window " + timeWindow + " must be whole seconds 1–300");
        }
    }

    /// keepalived's window when `time_window` is not given: 3 × the advert interval's whole
    /// seconds, at least 5 s, at most 300 s (`vrrp_complete_instance`).
    public static Duration defaultWindow(Duration advertInterval) {
        var w = Duration.ofSeconds(3 * advertInterval.toSeconds());
        return w.compareTo(WINDOW_FLOOR) < 0 ? WINDOW_FLOOR : w.compareTo(WINDOW_MAX) > 0 ? WINDOW_MAX : w;
    }
}
