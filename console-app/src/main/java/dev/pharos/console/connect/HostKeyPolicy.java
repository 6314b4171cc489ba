package dev.pharos.console.connect;

/// What to do with a host key `known_hosts` does not have yet: the console asks the operator
/// (showing the SHA-256 fingerprint, as `ssh` does); tests answer for them. A key that differs
/// from the known one is never asked about: the connection stops with the reason.
@FunctionalInterface
public interface HostKeyPolicy {

    /// @param host        as `known_hosts` names it (`[192.0.2.1]:2222` for another port)
    /// @param keyType     `ssh-ed25519`, `ecdsa-sha2-nistp256`, …
    /// @param fingerprint `SHA256:…`, as `ssh-keygen -lf` prints it
    /// @return true to trust the key and remember it in `known_hosts`
    boolean trustUnknown(String host, String keyType, String fingerprint);

    HostKeyPolicy REJECT = (h, t, f) -> false;
}
