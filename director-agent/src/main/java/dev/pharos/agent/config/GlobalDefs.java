package dev.pharos.agent.config;

import java.time.Duration;
import java.util.List;

/// `global_defs { … }`. Absent values are `null`.
///
/// @param vrrpVersion       `vrrp_version`: the default VRRP version of every instance
/// @param vrrpGarpMasterDelay `vrrp_garp_master_delay`, the default of each instance's `garp_master_delay`
/// @param vrrpGnaInterval  `vrrp_gna_interval`: the least time between two unsolicited neighbour
///                         advertisements
/// @param lvsSyncDaemon     `lvs_sync_daemon`: the kernel's connection-synchronisation daemon
/// @param vrrpRtPriority    `vrrp_rt_priority`: the VRRP threads run under `SCHED_RR` at this priority (1–99)
/// @param vrrpNoSwap        `vrrp_no_swap`: the agent is locked in memory
public record GlobalDefs(String routerId, List<String> notificationEmail, String notificationEmailFrom,
        String smtpServer, Duration smtpConnectTimeout, Integer vrrpVersion, Duration vrrpGarpMasterDelay,
        Integer vrrpGarpMasterRepeat, Duration vrrpGarpMasterRefresh, Integer vrrpGarpMasterRefreshRepeat,
        Duration vrrpGnaInterval, Boolean enableScriptSecurity, String scriptUser, LvsSyncDaemon lvsSyncDaemon,
        Integer vrrpRtPriority, Boolean vrrpNoSwap, List<Extra> extras) {

    public static final GlobalDefs EMPTY = new GlobalDefs(null, List.of(), null, null, null, null, null, null,
            null, null, null, null, null, null, null, null, List.of());

    public GlobalDefs {
        notificationEmail = List.copyOf(notificationEmail);
        extras = List.copyOf(extras);
    }

    boolean isEmpty() {
        return equals(EMPTY);
    }
}
