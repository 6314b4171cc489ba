package dev.pharos.agent.script;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/// The agent's own effective user and group, and whether a child it starts may switch to
/// another: root keeps every capability across `exec`; any other user passes `CAP_SETUID` and
/// `CAP_SETGID` to a child only through its ambient set (systemd's `AmbientCapabilities=`).
///
/// @param canSetUid whether a started `setpriv` may change its user id
/// @param canSetGid whether it may change its group ids
public record Host(int uid, int gid, boolean canSetUid, boolean canSetGid) {

    private static final int CAP_SETGID = 6;
    private static final int CAP_SETUID = 7;

    /// Read from `/proc/self/status`.
    public static Host current() {
        try {
            int uid = -1;
            int gid = -1;
            long eff = 0;
            long amb = 0;
            for (var line : Files.readAllLines(Path.of("/proc/self/status"))) {
                var f = line.split("\\s+");
                switch (f[0]) {
                    case "Uid:" -> uid = Integer.parseInt(f[2]);
                    case "Gid:" -> gid = Integer.parseInt(f[2]);
                    case "CapEff:" -> eff = Long.parseUnsignedLong(f[1], 16);
                    case "CapAmb:" -> amb = Long.parseUnsignedLong(f[1], 16);
                    default -> {
                    }
                }
            }
            long passed = uid == 0 ? eff : amb;
            return new Host(uid, gid, (passed & (1L << CAP_SETUID)) != 0, (passed & (1L << CAP_SETGID)) != 0);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read the agent's ids from /proc/self/status: " + e.getMessage(), e);
        }
    }

    Identity self() {
        return new Identity("#" + uid, uid, gid);
    }
}
