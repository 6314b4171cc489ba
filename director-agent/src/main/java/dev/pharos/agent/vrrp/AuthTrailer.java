package dev.pharos.agent.vrrp;

import static dev.pharos.agent.vrrp.MalformedPacketException.Reason.BAD_AUTH_TRAILER;

import java.util.Arrays;
import java.util.HexFormat;

/// The 28-byte authentication trailer keepalived 2.4.2 and later append after a VRRP PDU when
/// `auth_hmac` is configured (draft-cassen-vrrp-auth-hmac; keepalived `vrrp_auth_hmac.h`,
/// `vrrp_auth_ext_t`), and its pure codec. Neither IP version nor VRRP version appears here: the
/// trailer is the same after an IPv4 or an IPv6 PDU, v2 or v3.
///
/// ```
///  0      1      2      3
/// +------+------+------+------+
/// | type |keyid | reserved(0) |   type 1: HMAC-SHA256 truncated to 128 bits
/// +------+------+------+------+
/// |   seconds (UTC, big-endian) |
/// +------+------+------+------+
/// | 1/65536 s   |  counter    |   with the seconds: the 64-bit sequence
/// +------+------+------+------+
/// |   HMAC (16 bytes)           |
/// ```
///
/// The sequence number is one 64-bit value (seconds << 32 | fraction << 16 | counter) compared
/// with serial number arithmetic (RFC 1982), so its split into three fields matters only for the
/// freshness window, which reads the seconds.
///
/// @param keyId    the key that made the HMAC, 1–255 (0 is never a configured key)
/// @param sequence the 64-bit sequence number
/// @param hmac     the 16 HMAC bytes; copied
public record AuthTrailer(int keyId, long sequence, byte[] hmac) {

    /// The trailer's length on the wire.
    public static final int LENGTH = 28;
    /// The only scheme defined: HMAC-SHA256 truncated to 128 bits (`VRRP_AUTH_HMAC_TYPE_SHA256`).
    public static final int TYPE_HMAC_SHA256 = 1;
    /// The truncated HMAC's length.
    public static final int HMAC_LENGTH = 16;
    /// The bytes before the HMAC (type, key id, reserved, sequence): they are inside the HMAC.
    public static final int PREFIX_LENGTH = LENGTH - HMAC_LENGTH;

    public AuthTrailer {
        if (keyId < 0 || keyId > 255) {
            throw new IllegalArgumentException("key id " + keyId + " is outside 0–255");
        }
        if (hmac.length != HMAC_LENGTH) {
            throw new IllegalArgumentException("the HMAC is " + HMAC_LENGTH + " bytes, not " + hmac.length);
        }
        hmac = hmac.clone();
    }

    /// The sequence's whole seconds (UTC seconds since the epoch, modulo 2^32).
    public long seconds() {
        return sequence >>> 32;
    }

    @Override
    public byte[] hmac() {
        return hmac.clone();
    }

    /// Decodes the trailer at `off` in `b` (which holds at least [#LENGTH] bytes from there).
    /// keepalived calls a trailer of another type, or with reserved bits set, malformed.
    public static AuthTrailer decode(byte[] b, int off) throws MalformedPacketException {
        if (b.length - off < LENGTH) {
            throw new MalformedPacketException(BAD_AUTH_TRAILER, "authentication trailer of "
                    + (b.length - off) + " bytes, " + LENGTH + " needed");
        }
        int type = b[off] & 0xff;
        if (type != TYPE_HMAC_SHA256) {
            throw new MalformedPacketException(BAD_AUTH_TRAILER, "authentication trailer type " + type
                    + ", expected " + TYPE_HMAC_SHA256 + " (HMAC-SHA256)");
        }
        int reserved = ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
        if (reserved != 0) {
            throw new MalformedPacketException(BAD_AUTH_TRAILER, "authentication trailer reserved field 0x"
                    + HexFormat.of().toHexDigits((short) reserved) + ", must be zero");
        }
        long sequence = 0;
        for (int i = 4; i < PREFIX_LENGTH; i++) {
            sequence = (sequence << 8) | (b[off + i] & 0xff);
        }
        return new AuthTrailer(b[off + 1] & 0xff, sequence,
                Arrays.copyOfRange(b, off + PREFIX_LENGTH, off + LENGTH));
    }

    /// Writes type, key id, zero reserved field and sequence at `off`: the part the HMAC covers.
    static void writePrefix(byte[] b, int off, int keyId, long sequence) {
        b[off] = TYPE_HMAC_SHA256;
        b[off + 1] = (byte) keyId;
        b[off + 2] = 0;
        b[off + 3] = 0;
        for (int i = PREFIX_LENGTH - 1; i >= 4; i--) {
            b[off + i] = (byte) sequence;
            sequence >>>= 8;
        }
    }

    /// The trailer's 28 bytes.
    public byte[] encode() {
        var b = new byte[LENGTH];
        writePrefix(b, 0, keyId, sequence);
        System.arraycopy(hmac, 0, b, PREFIX_LENGTH, HMAC_LENGTH);
        return b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AuthTrailer t && keyId == t.keyId && sequence == t.sequence
                && Arrays.equals(hmac, t.hmac);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * keyId + Long.hashCode(sequence)) + Arrays.hashCode(hmac);
    }

    @Override
    public String toString() {
        return "AuthTrailer[keyId=" + keyId + ", sequence=0x" + HexFormat.of().toHexDigits(sequence)
                + ", hmac=" + HexFormat.of().formatHex(hmac) + "]";
    }
}
