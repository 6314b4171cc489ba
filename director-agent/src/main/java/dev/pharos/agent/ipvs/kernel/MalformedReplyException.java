package dev.pharos.agent.ipvs.kernel;

/// Bytes that are not a well-formed netlink/IPVS message: what was wrong and where
/// (`message 2, IPVS_CMD_ATTR_SERVICE > IPVS_SVC_ATTR_PORT: 3 bytes, expected 2`).
/// The only exception the IPVS decoder throws.
final class MalformedReplyException extends Exception {

    MalformedReplyException(String message) {
        super(message);
    }
}
