package dev.pharos.agent.bfd;

/// A received datagram that is not a BFD control packet Pharos accepts. The [Reason] says which
/// RFC 5880 §6.8.6 check failed, in the order [BfdPacket#decode] applies them.
public final class MalformedPacketException extends Exception {

    /// Why a datagram was rejected by the codec.
    public enum Reason {
        /// Shorter than the 24-byte mandatory section.
        TOO_SHORT,
        /// The version is not 1.
        BAD_VERSION,
        /// The Length field is under 24, or more than was received.
        BAD_LENGTH,
        /// Detect Mult is zero.
        ZERO_DETECT_MULT,
        /// The Multipoint bit is set.
        MULTIPOINT,
        /// My Discriminator is zero.
        ZERO_MY_DISCRIMINATOR,
        /// Your Discriminator is zero while State is neither Down nor AdminDown.
        ZERO_YOUR_DISCRIMINATOR,
        /// The Authentication Present bit is set: Pharos, like keepalived, runs no authentication.
        AUTHENTICATION,
        /// Both Poll and Final are set (keepalived `bfd_check_packet`).
        POLL_AND_FINAL,
        /// A diagnostic code RFC 5880 does not define (keepalived `bfd_check_packet`).
        BAD_DIAGNOSTIC
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
