package dev.pharos.console.connect;

import java.io.IOException;

/// The director presented a host key different from the one `known_hosts` has: possibly an
/// attack, possibly a reinstalled host. Pharos never connects then, and never retries by itself.
public final class HostKeyChangedException extends IOException {

    private final String host;
    private final String fingerprint;

    public HostKeyChangedException(String host, String fingerprint, String knownHostsFile) {
        super("the host key of " + host + " has CHANGED (now " + fingerprint + "). Someone may be intercepting the "
                + "connection, or the host was reinstalled. If you know why, remove its old line from "
                + knownHostsFile + " (ssh-keygen -R '" + host + "') and connect again.");
        this.host = host;
        this.fingerprint = fingerprint;
    }

    public String host() {
        return host;
    }

    public String fingerprint() {
        return fingerprint;
    }
}
