package dev.pharos.console.connect;

import com.jcraft.jsch.HostKey;
import com.jcraft.jsch.HostKeyRepository;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.UserInfo;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/// JSch's `known_hosts` with the console's rules around it: a known key passes; an unknown one is
/// put to the [HostKeyPolicy] and, if trusted, written to `known_hosts`; a changed one fails, and
/// what was presented is kept so the error can name its fingerprint.
final class StrictHostKeys implements HostKeyRepository {

    private final HostKeyRepository known;
    private final HostKeyPolicy policy;
    private volatile String changedHost;
    private volatile String changedFingerprint;

    StrictHostKeys(HostKeyRepository known, HostKeyPolicy policy) {
        this.known = known;
        this.policy = policy;
    }

    @Override
    public int check(String host, byte[] key) {
        int result = known.check(host, key);
        if (result == OK) {
            return OK;
        }
        if (result == CHANGED) {
            changedHost = host;
            changedFingerprint = fingerprint(key);
            return CHANGED;
        }
        HostKey hk;
        try {
            hk = new HostKey(host, key);
        } catch (JSchException e) {
            return NOT_INCLUDED;
        }
        if (policy.trustUnknown(host, hk.getType(), fingerprint(key))) {
            known.add(hk, null);
            return OK;
        }
        return NOT_INCLUDED;
    }

    String changedHost() {
        return changedHost;
    }

    String changedFingerprint() {
        return changedFingerprint;
    }

    /// `SHA256:` + unpadded base64 of the key blob's SHA-256: OpenSSH's format.
    static String fingerprint(byte[] key) {
        try {
            var d = MessageDigest.getInstance("SHA-256").digest(key);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    @Override
    public void add(HostKey hostkey, UserInfo ui) {
        known.add(hostkey, ui);
    }

    @Override
    public void remove(String host, String type) {
        known.remove(host, type);
    }

    @Override
    public void remove(String host, String type, byte[] key) {
        known.remove(host, type, key);
    }

    @Override
    public String getKnownHostsRepositoryID() {
        return known.getKnownHostsRepositoryID();
    }

    @Override
    public HostKey[] getHostKey() {
        return known.getHostKey();
    }

    @Override
    public HostKey[] getHostKey(String host, String type) {
        return known.getHostKey(host, type);
    }
}
