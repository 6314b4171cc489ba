package dev.pharos.agent.vrrp;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/// The HMAC of an `auth_hmac` trailer, made with one key (draft-cassen-vrrp-auth-hmac, as
/// keepalived 2.4.2 and later compute it in `vrrp_auth_hmac.c` `pdu_hmac`): HMAC-SHA256,
/// truncated to its first 16 bytes, over
///
/// 1. a 20-byte pseudo-header: IP version (4 or 6), VRRP version, VRID, a zero byte, then the
///    sender's address (4 or 16 bytes), zero-padded. It binds the advert to its instance and to
///    its claimed source; the IP header itself is not covered (its fields change on the way);
/// 2. the VRRP PDU with its checksum read as zero (the kernel writes the IPv6 checksum after
///    signing, so both sides leave it out; 2.4.0 and 2.4.1 hashed it and do not interoperate);
/// 3. the trailer's first 12 bytes (type, key id, reserved, sequence);
/// 4. 16 zero bytes where the HMAC goes.
///
/// The destination is not covered, so one HMAC serves every unicast peer's copy. Not thread-safe:
/// one per key per instance, used on the engine thread.
final class AuthHmac {

    /// Length of the pseudo-header (`VRRP_AUTH_HMAC_PSEUDO_LEN`).
    static final int PSEUDO_LENGTH = 20;
    private static final int CHECKSUM_OFFSET = 6;
    private static final byte[] ZEROS = new byte[AuthTrailer.HMAC_LENGTH];

    private final Mac mac;
    private final byte[] pseudo = new byte[PSEUDO_LENGTH];
    private final byte[] digest = new byte[32];

    AuthHmac(byte[] key) {
        try {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            // Every Java platform must provide HmacSHA256 (javax.crypto.Mac's Javadoc).
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }

    /// The 16-byte HMAC of the PDU at `buf[pduOffset, pduOffset + pduLength)` followed by the
    /// trailer's prefix, as sent by `source` for `vrid` in VRRP `version`. The buffer is only read.
    byte[] compute(InetAddress source, int version, int vrid, byte[] buf, int pduOffset, int pduLength) {
        if (pduLength < VrrpPacket.HEADER_LENGTH) {
            throw new IllegalArgumentException("a VRRP PDU has at least 8 bytes, not " + pduLength);
        }
        Arrays.fill(pseudo, (byte) 0);
        pseudo[0] = (byte) (source instanceof Inet6Address ? 6 : 4);
        pseudo[1] = (byte) version;
        pseudo[2] = (byte) vrid;
        var address = source.getAddress();
        System.arraycopy(address, 0, pseudo, 4, address.length);
        mac.update(pseudo);
        mac.update(buf, pduOffset, CHECKSUM_OFFSET);
        mac.update(ZEROS, 0, 2);
        int rest = pduOffset + CHECKSUM_OFFSET + 2;
        mac.update(buf, rest, pduOffset + pduLength + AuthTrailer.PREFIX_LENGTH - rest);
        mac.update(ZEROS);
        try {
            mac.doFinal(digest, 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC output buffer", e);
        }
        return Arrays.copyOf(digest, AuthTrailer.HMAC_LENGTH);
    }
}
