package dev.pharos.agent.ipvs.proxy;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/// How many connections the [UserspaceBalancer] takes by default: as many as the process's
/// file-descriptor limit (`RLIMIT_NOFILE`, the soft limit) allows once a reserve is kept for the
/// rest of the agent.
///
/// Why a cap at all: a proxied TCP connection holds two descriptors (the client's and the real
/// server's), a UDP flow one. Without a cap, enough idle clients (issue 13: 10,500 under a limit of
/// 20,000) take every descriptor, and then everything else in the agent that needs one fails at
/// once — health checks, the control socket, netlink, `notify` scripts. The reserve is what those
/// keep: a tenth of the limit, at least 256 (a check is one socket while it runs; the JVM's own jars
/// and the relay's epoll descriptors are a few dozen) and at most 4,096 (beyond that the limit is
/// large enough that a tenth would only waste connections). The rest, halved, is the cap — UDP
/// flows count as connections too, so it is conservative for them.
///
/// The soft limit is read after the JVM started: HotSpot raises it to the hard limit on Linux
/// (`-XX:+MaxFDLimit`), so the figure is what the process really has.
///
/// @param softLimit the descriptor limit the cap was derived from
/// @param reserve   descriptors left for everything but relayed connections
/// @param cap       connections (UDP: flows) the balancer takes at once, over all services
record ConnectionBudget(long softLimit, int reserve, int cap) {

    /// The smallest cap, whatever the limit: a director whose limit is this low has other problems,
    /// and a handful of connections still shows the service working.
    static final int MIN_CAP = 16;
    static final int MIN_RESERVE = 256;
    static final int MAX_RESERVE = 4096;

    /// The budget of a process whose soft descriptor limit is `softLimit`.
    static ConnectionBudget of(long softLimit) {
        if (softLimit <= 0) {
            throw new IllegalArgumentException("file-descriptor limit " + softLimit + " is not positive");
        }
        int reserve = (int) Math.clamp(softLimit / 10, MIN_RESERVE, MAX_RESERVE);
        long cap = Math.max(MIN_CAP, (softLimit - reserve) / 2);
        return new ConnectionBudget(softLimit, reserve, (int) Math.min(Integer.MAX_VALUE, cap));
    }

    /// The budget of this process, from its current soft limit; on a JVM that cannot tell (not a
    /// Unix), from 1,024, the smallest common default.
    static ConnectionBudget ofThisProcess() {
        return of(currentSoftLimit());
    }

    /// Read from `/proc/self/limits` on Linux: the JDK's management beans, which also know it,
    /// load about 60 classes for this one figure (the balancer's footprint, bench/balancer).
    private static long currentSoftLimit() {
        try {
            var fromProc = softLimitIn(Files.readString(Path.of("/proc/self/limits")));
            if (fromProc.isPresent()) {
                return fromProc.getAsLong();
            }
        } catch (IOException | UnsupportedOperationException e) {
            // Not Linux: ask the management beans.
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            long max = unix.getMaxFileDescriptorCount();
            if (max > 0) {
                return max;
            }
        }
        return 1024;
    }

    /// The soft limit on open files in the text of `/proc/PID/limits`, if it names a positive one.
    static OptionalLong softLimitIn(String limits) {
        for (var line : limits.lines().toList()) {
            if (line.startsWith("Max open files")) {
                var soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                try {
                    long value = Long.parseLong(soft);
                    return value > 0 ? OptionalLong.of(value) : OptionalLong.empty();
                } catch (NumberFormatException e) {
                    return OptionalLong.empty();   // "unlimited": not for RLIMIT_NOFILE on Linux
                }
            }
        }
        return OptionalLong.empty();
    }

    /// How the cap was derived, for the log.
    String explain() {
        return "from the file-descriptor limit " + softLimit + ": " + reserve + " kept for checks, the control socket and "
                + "netlink, two per connection for the rest";
    }
}
