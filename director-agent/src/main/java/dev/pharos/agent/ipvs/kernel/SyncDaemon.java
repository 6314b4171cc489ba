package dev.pharos.agent.ipvs.kernel;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Locale;
import java.util.Objects;

/// One of the kernel's connection-synchronisation daemons (`ipvsadm --start-daemon`): a master
/// sends the state of the connections this director balances to a multicast group on
/// `interfaceName`; a backup receives them, so that the connections go on through it should it
/// take over. A kernel runs at most one of each.
///
/// @param syncId        0–255; a backup takes only the messages of its own id (0: all)
/// @param maxLength     the largest UDP payload to send, or 0 for the kernel's choice (from the MTU)
/// @param port          the multicast port, or 0 for the kernel's 8848
/// @param ttl           the multicast TTL, or 0 for the kernel's 1
/// @param group         the multicast group, or null for the kernel's 224.0.0.81
public record SyncDaemon(Role role, String interfaceName, int syncId, int maxLength, int port, int ttl,
        InetAddress group) {

    /// `IP_VS_STATE_MASTER` and `IP_VS_STATE_BACKUP`.
    public enum Role {
        MASTER(1), BACKUP(2);

        private final int wire;

        Role(int wire) {
            this.wire = wire;
        }

        int wireValue() {
            return wire;
        }

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /// `IP_VS_IFNAME_MAXLEN`: 16 bytes with the NUL.
    public static final int MAX_INTERFACE_NAME = 15;

    public SyncDaemon {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(interfaceName, "interfaceName");
        if (interfaceName.isEmpty() || interfaceName.length() > MAX_INTERFACE_NAME) {
            throw new IllegalArgumentException("interface name '" + interfaceName + "' must have 1 to "
                    + MAX_INTERFACE_NAME + " characters");
        }
        check("sync id", syncId, 0, 255);
        check("maxlen", maxLength, 0, 65535 - 20 - 8);
        check("port", port, 0, 65535);
        check("ttl", ttl, 0, 255);
        if (group != null && !group.isMulticastAddress()) {
            throw new IllegalArgumentException("group " + group.getHostAddress() + " is not a multicast address");
        }
    }

    private static void check(String what, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(what + " " + value + " is outside " + min + "–" + max);
        }
    }

    /// The same daemon in the other role.
    public SyncDaemon as(Role other) {
        return new SyncDaemon(other, interfaceName, syncId, maxLength, port, ttl, group);
    }

    boolean ipv4Group() {
        return group instanceof Inet4Address;
    }
}
