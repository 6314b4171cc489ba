package dev.pharos.agent.config;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/// `real_server IP PORT { weight; inhibit_on_failure; notify_up/down; uthreshold; lthreshold; checkers… }`.
///
/// @param port `null` when the line has no port (fwmark services)
public record RealServerDef(InetAddress address, Integer port, Integer weight, VirtualServerDef.LbKind lbKind,
        Boolean inhibitOnFailure, String notifyUp, String notifyDown, Integer upperThreshold, Integer lowerThreshold,
        Boolean alpha, Integer retry, Duration delayBeforeRetry, Duration warmup, Duration connectTimeout,
        Duration delayLoop, List<CheckerDef> checkers, List<Extra> extras) {

    public RealServerDef {
        checkers = List.copyOf(checkers);
        extras = List.copyOf(extras);
    }
}
