package dev.pharos.console.connect;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

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

    /// This policy asked once per host and key: directors that share a host (two agents behind one
    /// address, or one host reached under two names that `known_hosts` spells alike) and connect
    /// at the same moment share the one answer instead of asking the operator twice. Safe from any
    /// thread; a second asker waits for the first's answer.
    default HostKeyPolicy askingOnce() {
        var answers = new ConcurrentHashMap<String, CompletableFuture<Boolean>>();
        return (host, type, fingerprint) -> {
            var mine = new CompletableFuture<Boolean>();
            var first = answers.putIfAbsent(host + " " + type + " " + fingerprint, mine);
            if (first != null) {
                return first.join();
            }
            try {
                mine.complete(trustUnknown(host, type, fingerprint));
            } catch (RuntimeException e) {
                mine.completeExceptionally(e);
                throw e;
            }
            return mine.join();
        };
    }
}
