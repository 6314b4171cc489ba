package dev.pharos.agent.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/// Whether this process may open raw sockets and change addresses: CAP_NET_RAW and CAP_NET_ADMIN
/// in its effective set (read from `/proc/self/status`). Being root is not enough by itself: a
/// container or a systemd unit may run root without them.
public final class Privileges {

    private static final int CAP_NET_ADMIN = 12;
    private static final int CAP_NET_RAW = 13;

    private Privileges() {
    }

    /// Empty when the agent has what it needs, else one sentence saying what is missing.
    public static Optional<String> missingForVrrp() {
        long effective = effectiveCapabilities();
        var missing = new StringBuilder();
        if ((effective & (1L << CAP_NET_RAW)) == 0) {
            missing.append("CAP_NET_RAW (VRRP adverts and gratuitous ARP)");
        }
        if ((effective & (1L << CAP_NET_ADMIN)) == 0) {
            if (!missing.isEmpty()) {
                missing.append(" and ");
            }
            missing.append("CAP_NET_ADMIN (virtual addresses)");
        }
        return missing.isEmpty() ? Optional.empty()
                : Optional.of("the agent lacks " + missing + ": run it as root"
                        + (Libc.geteuid() == 0 ? " with these capabilities" : "") + " or from the systemd unit, which grants them");
    }

    static long effectiveCapabilities() {
        try {
            for (var line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    return Long.parseUnsignedLong(line.substring(7).trim(), 16);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}
