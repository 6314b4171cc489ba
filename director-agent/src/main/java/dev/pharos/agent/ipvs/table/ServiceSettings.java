package dev.pharos.agent.ipvs.table;

import java.time.Duration;
import java.util.Objects;

/// What the kernel stores about a virtual service besides its key.
///
/// The default forwarding method of a virtual server (`lb_kind`) is not here: IPVS keeps the
/// method per destination only, so it lives in [TableSpec.VirtualServerSpec] and is copied into
/// every [Destination]. Keeping this record to what the kernel reports back lets a table read
/// from the kernel be compared with the desired one by `equals`.
///
/// @param scheduler an IPVS scheduler name (`rr`, `wrr`, `wlc`, …), at most 15 characters
/// @param flags `IP_VS_SVC_F_*` bits a user may set ([#PERSISTENT], [#ONEPACKET], [#SCHED1]…);
///        the kernel's own `IP_VS_SVC_F_HASHED` is never part of it
/// @param persistenceTimeout zero when the service is not persistent
/// @param persistenceNetmask prefix length of the persistence granularity (32 or 128: per client)
public record ServiceSettings(String scheduler, int flags, Duration persistenceTimeout, int persistenceNetmask) {

    /// `IP_VS_SVC_F_PERSISTENT`
    public static final int PERSISTENT = 0x0001;
    /// `IP_VS_SVC_F_HASHED`: set by the kernel on every service it holds; never in [#flags()]
    public static final int HASHED = 0x0002;
    /// `IP_VS_SVC_F_ONEPACKET`: one-packet scheduling (keepalived's `ops`)
    public static final int ONEPACKET = 0x0004;
    /// `IP_VS_SVC_F_SCHED1` (sh/mh: fallback)
    public static final int SCHED1 = 0x0008;
    /// `IP_VS_SVC_F_SCHED2` (sh/mh: use the port)
    public static final int SCHED2 = 0x0010;
    /// `IP_VS_SVC_F_SCHED3`
    public static final int SCHED3 = 0x0020;
    /// `IP_VS_SCHEDNAME_MAXLEN` less the terminating NUL.
    public static final int SCHEDULER_MAX_LENGTH = 15;

    private static final int USER_FLAGS = PERSISTENT | ONEPACKET | SCHED1 | SCHED2 | SCHED3;

    public ServiceSettings {
        Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(persistenceTimeout, "persistenceTimeout");
        if (scheduler.isEmpty() || scheduler.length() > SCHEDULER_MAX_LENGTH || !scheduler.matches("[a-z0-9_]+")) {
            throw new IllegalArgumentException("scheduler '" + scheduler
                    + "' is not an IPVS scheduler name (lower-case letters and digits, at most 15)");
        }
        if ((flags & ~USER_FLAGS) != 0) {
            throw new IllegalArgumentException("service flags 0x" + Integer.toHexString(flags)
                    + " include bits a user may not set (allowed: 0x" + Integer.toHexString(USER_FLAGS) + ")");
        }
        // IPVS keeps whole seconds: a fraction would never read back equal
        if (persistenceTimeout.isNegative() || persistenceTimeout.toSeconds() > 0xffff_ffffL / 2
                || persistenceTimeout.toNanosPart() != 0) {
            throw new IllegalArgumentException("persistence timeout " + persistenceTimeout
                    + " is not a whole number of seconds between 0 and 2147483647");
        }
        if (persistenceNetmask < 0 || persistenceNetmask > 128) {
            throw new IllegalArgumentException("persistence netmask /" + persistenceNetmask + " is outside 0–128");
        }
    }

    /// A non-persistent service with scheduler `scheduler`.
    public static ServiceSettings of(String scheduler) {
        return new ServiceSettings(scheduler, 0, Duration.ZERO, 128);
    }

    /// These settings for a service of `family`: the netmask no longer than its addresses.
    public ServiceSettings forFamily(AddressFamily family) {
        int netmask = Math.min(persistenceNetmask, family.bits());
        return netmask == persistenceNetmask ? this
                : new ServiceSettings(scheduler, flags, persistenceTimeout, netmask);
    }
}
