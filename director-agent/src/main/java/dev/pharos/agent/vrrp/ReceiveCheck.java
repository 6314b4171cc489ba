package dev.pharos.agent.vrrp;

/// Why a received datagram was not used as it came, one counter each in [VrrpCounters]. The
/// first group mirrors the codec's [MalformedPacketException.Reason]; the second is the
/// instance's semantic checks against its settings (keepalived `vrrp_check_packet`).
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
    ADDRESS_LIST(false);

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
        };
    }
}
