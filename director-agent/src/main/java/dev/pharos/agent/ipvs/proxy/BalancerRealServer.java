package dev.pharos.agent.ipvs.proxy;

import java.net.InetSocketAddress;

/// One real server of a user-space virtual service (keepalived's `real_server` block).
///
/// @param address        where connections are relayed to
/// @param weight         0 = quiescent: existing connections go on, new ones go elsewhere (drain)
/// @param upperThreshold `uthreshold`: at this many connections the server gets no new ones; 0 = no limit
/// @param lowerThreshold `lthreshold`: below this it gets new ones again; 0 = three quarters of
///                       `upperThreshold`, as IPVS does
record BalancerRealServer(InetSocketAddress address, int weight, int upperThreshold, int lowerThreshold) {

    BalancerRealServer {
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("real server " + address + " is unresolved: give an IP address");
        }
        if (weight < 0) {
            throw new IllegalArgumentException("real server " + address + ": weight " + weight + " is negative");
        }
        if (upperThreshold < 0 || lowerThreshold < 0) {
            throw new IllegalArgumentException("real server " + address + ": thresholds must be >= 0, got uthreshold "
                    + upperThreshold + ", lthreshold " + lowerThreshold);
        }
    }

    /// A real server with this weight and no thresholds.
    static BalancerRealServer of(InetSocketAddress address, int weight) {
        return new BalancerRealServer(address, weight, 0, 0);
    }
}
