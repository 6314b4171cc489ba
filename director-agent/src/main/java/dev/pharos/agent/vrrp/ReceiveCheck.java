package dev.pharos.agent.vrrp;

/// Why a received datagram was not used as it came, one counter each in [VrrpCounters]. The
/// first group mirrors the codec's [MalformedPacketException.Reason]; the second is the
/// instance's semantic checks against its settings (keepalived `vrrp_check_packet`). Each failure
/// is logged at most once a minute per check (RFC 9568 §7.1: logged, rate-limited).
public enum ReceiveCheck {
    IP_HEADER(true),
    NOT_VRRP(true),
    AH_NOT_SUPPORTED(true),
    TOO_SHORT(true),
    TTL(true),
    VERSION(true),
    CHECKSUM(true),
    TYPE(true),
    AUTH_TYPE(true),
    LENGTH(true),
    ADDRESS(true),
    /// A multicast advert to a unicast instance or the other way round (keepalived drops it).
    CAST_MISMATCH(true),
    /// A well-formed advert of the other VRRP version.
    VERSION_MISMATCH(true),
    /// Another virtual router on the same segment: normal, counted, not logged as a warning.
    VRID(true),
    /// RFC 3768 §7.1: the authentication type is not ours.
    AUTH_TYPE_MISMATCH(true),
    /// RFC 3768 §7.1: the PASS data is not ours.
    AUTH_FAILURE(true),
    /// RFC 3768 §7.1: v2 adverts with another interval are dropped. v3 only logs and counts
    /// (RFC 5798 §7.1 lets the backup learn the master's interval), see [#dropped].
    INTERVAL(true),
    /// RFC 5798 §7.1 MAY: the address list differs from ours; keepalived logs, counts and accepts.
    ADDRESS_LIST(false),
    /// RFC 9568 §8.3.2: an advert with priority 255 while this router owns the addresses too. Logged
    /// (rate-limited) and counted; the advert is still used, as keepalived does by default (RFC 9568
    /// §7.1 as published discards it; erratum 8298 makes that a SHOULD verify and log).
    OWNER_CONFLICT(false),
    /// `auth_hmac` in mode enforce: the advert has no trailer.
    AUTH_HMAC_MISSING(true),
    /// `auth_hmac` with unicast peers: the sender is not one of them, so no replay state anchors it.
    AUTH_HMAC_NOT_A_PEER(true),
    /// `auth_hmac`: the trailer's type is not HMAC-SHA256 or its reserved field is not zero.
    AUTH_HMAC_MALFORMED(true),
    /// `auth_hmac`: the trailer names a key id this instance does not have.
    AUTH_HMAC_UNKNOWN_KEY(true),
    /// `auth_hmac`: the HMAC does not verify (another key, or the advert was altered).
    AUTH_HMAC_BAD_HMAC(true),
    /// `auth_hmac` with `anti_replay time`: the sequence's seconds are outside the time window.
    AUTH_HMAC_STALE(true),
    /// `auth_hmac`: the sequence does not grow past the sender's last one.
    AUTH_HMAC_REPLAY(true);

    private final boolean dropped;

    ReceiveCheck(boolean dropped) {
        this.dropped = dropped;
    }

    /// Whether failing this check drops the advert (else it is logged, counted and used).
    public boolean dropped() {
        return dropped;
    }

    static ReceiveCheck of(MalformedPacketException.Reason reason) {
        return switch (reason) {
            case IP_HEADER_TRUNCATED, BAD_IP_VERSION -> IP_HEADER;
            case NOT_VRRP -> NOT_VRRP;
            case AH_NOT_SUPPORTED -> AH_NOT_SUPPORTED;
            case TOO_SHORT -> TOO_SHORT;
            case BAD_TTL -> TTL;
            case BAD_VERSION -> VERSION;
            case BAD_CHECKSUM -> CHECKSUM;
            case BAD_TYPE -> TYPE;
            case BAD_AUTH_TYPE -> AUTH_TYPE;
            case BAD_LENGTH -> LENGTH;
            case BAD_ADDRESS -> ADDRESS;
            case BAD_AUTH_TRAILER -> AUTH_HMAC_MALFORMED;
        };
    }
}
