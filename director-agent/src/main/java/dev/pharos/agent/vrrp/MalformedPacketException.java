package dev.pharos.agent.vrrp;

/// A received datagram that is not a well-formed VRRP advertisement. The [Reason] says which
/// check failed, in the order [VrrpPacket#decode] applies them; the message says what was seen.
public final class MalformedPacketException extends Exception {

    /// Why a datagram was rejected by the codec; one counter per reason in the instance.
    public enum Reason {
        /// Shorter than an IP header, or the IP header says more than was received.
        IP_HEADER_TRUNCATED,
        /// The IP version nibble is neither 4 nor 6.
        BAD_IP_VERSION,
        /// The IP protocol is neither VRRP (112) nor AH (51).
        NOT_VRRP,
        /// IPsec AH (RFC 2402) wraps the advert; recognised, but its HMAC check is not supported.
        AH_NOT_SUPPORTED,
        /// The VRRP part is shorter than its fixed header.
        TOO_SHORT,
        /// RFC 5798 §7.1: the IPv4 TTL or IPv6 Hop Limit of a multicast advert must be 255.
        BAD_TTL,
        /// The VRRP version is neither 2 nor 3, or 2 over IPv6 (RFC 3768 is IPv4 only).
        BAD_VERSION,
        /// The VRRP checksum does not verify (v3 over the IPv4 or IPv6 pseudo-header).
        BAD_CHECKSUM,
        /// The VRRP type is not ADVERTISEMENT (1).
        BAD_TYPE,
        /// RFC 3768 §5.3.6: an authentication type other than 0, 1 or 2.
        BAD_AUTH_TYPE,
        /// The length does not match the address count (and the v2 authentication data).
        BAD_LENGTH,
        /// An address in the list is unspecified, multicast or broadcast.
        BAD_ADDRESS,
        /// keepalived 2.4's `auth_hmac` trailer has an unknown type or a non-zero reserved field.
        BAD_AUTH_TRAILER
    }

    private final Reason reason;

    public MalformedPacketException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
