package dev.pharos.agent.config;

import dev.pharos.agent.api.Addresses;
import java.net.Inet6Address;
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

    /// A real server with only an address, a port and a weight (no checkers).
    public static RealServerDef of(InetAddress address, Integer port, Integer weight) {
        return new RealServerDef(address, port, weight, null, null, null, null, null, null, null, null, null, null,
                null, null, List.of(), List.of());
    }

    /// The name the control protocol uses within its virtual server: `198.51.100.11:80`,
    /// `[2001:db8::1]:80`, or the bare address when there is no port.
    public String id() {
        return port == null ? Addresses.text(address) : hostPort(address, port);
    }

    static String hostPort(InetAddress address, int port) {
        var host = Addresses.text(address);
        return (address instanceof Inet6Address ? "[" + host + "]" : host) + ":" + port;
    }

    public RealServerDef withWeight(Integer weight) {
        return new RealServerDef(address, port, weight, lbKind, inhibitOnFailure, notifyUp, notifyDown,
                upperThreshold, lowerThreshold, alpha, retry, delayBeforeRetry, warmup, connectTimeout, delayLoop,
                checkers, extras);
    }

    public RealServerDef withInhibitOnFailure(Boolean inhibit) {
        return new RealServerDef(address, port, weight, lbKind, inhibit, notifyUp, notifyDown,
                upperThreshold, lowerThreshold, alpha, retry, delayBeforeRetry, warmup, connectTimeout, delayLoop,
                checkers, extras);
    }

    public RealServerDef withAddress(InetAddress newAddress, Integer newPort) {
        return new RealServerDef(newAddress, newPort, weight, lbKind, inhibitOnFailure, notifyUp, notifyDown,
                upperThreshold, lowerThreshold, alpha, retry, delayBeforeRetry, warmup, connectTimeout, delayLoop,
                checkers, extras);
    }

    public RealServerDef withPort(Integer port) {
        return new RealServerDef(address, port, weight, lbKind, inhibitOnFailure, notifyUp, notifyDown,
                upperThreshold, lowerThreshold, alpha, retry, delayBeforeRetry, warmup, connectTimeout, delayLoop,
                checkers, extras);
    }

    public RealServerDef withCheckers(List<CheckerDef> checkers) {
        return new RealServerDef(address, port, weight, lbKind, inhibitOnFailure, notifyUp, notifyDown,
                upperThreshold, lowerThreshold, alpha, retry, delayBeforeRetry, warmup, connectTimeout, delayLoop,
                checkers, extras);
    }
}
