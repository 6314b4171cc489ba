package dev.pharos.agent.ipvs.proxy;

import dev.pharos.agent.ipvs.proxy.schedulers.Scheduler;
import dev.pharos.agent.ipvs.proxy.schedulers.SchedulerFlag;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/// One virtual service of the [UserspaceBalancer] (keepalived's `virtual_server` block).
///
/// @param protocol        TCP or UDP
/// @param listen          the virtual address and port (VIP:port); `0.0.0.0` serves every address
/// @param scheduler       an IPVS scheduler name ([Scheduler#NAMES])
/// @param schedulerFlags  `sh-port`, `sh-fallback`, `mh-port`, `mh-fallback`
/// @param persistence     [Persistence#NONE] or a timeout and granularity
/// @param sorryServer     where connections go when no real server can take one; `null` for none
/// @param connectionLimit most concurrent connections (UDP: flows) of this service; 0 = the balancer's
///                        default cap, derived from the descriptor limit ([UserspaceBalancer#connectionCap()])
/// @param idleTimeout     a connection (flow) with no traffic either way this long is closed
/// @param connectTimeout  how long to wait for a real server to accept; then the client's connection fails
public record BalancerService(BalancerProtocol protocol, InetSocketAddress listen, String scheduler,
        Set<SchedulerFlag> schedulerFlags, Persistence persistence, InetSocketAddress sorryServer, int connectionLimit,
        Duration idleTimeout, Duration connectTimeout) {

    /// IPVS's default TCP established timeout (`ipvsadm --set`: 900 s).
    public static final Duration TCP_IDLE_DEFAULT = Duration.ofSeconds(900);
    /// IPVS's default UDP timeout (300 s).
    public static final Duration UDP_IDLE_DEFAULT = Duration.ofSeconds(300);
    /// keepalived's default `connect_timeout`.
    public static final Duration CONNECT_DEFAULT = Duration.ofSeconds(5);

    public BalancerService {
        scheduler = scheduler.toLowerCase(Locale.ROOT);
        if (!Scheduler.NAMES.contains(scheduler)) {
            throw new IllegalArgumentException("virtual server " + listen + ": unknown scheduler '" + scheduler
                    + "': use one of " + String.join(", ", Scheduler.NAMES));
        }
        schedulerFlags = Set.copyOf(schedulerFlags);
        if (listen.isUnresolved() || listen.getPort() == 0) {
            throw new IllegalArgumentException("virtual server " + listen + ": give an IP address and a port 1–65535");
        }
        if (sorryServer != null && sorryServer.isUnresolved()) {
            throw new IllegalArgumentException("virtual server " + listen + ": sorry server " + sorryServer
                    + " is unresolved: give an IP address");
        }
        if (connectionLimit < 0) {
            throw new IllegalArgumentException("virtual server " + listen + ": connection limit " + connectionLimit
                    + " is negative (0 means the balancer's default cap)");
        }
        if (!idleTimeout.isPositive() || !connectTimeout.isPositive()) {
            throw new IllegalArgumentException("virtual server " + listen + ": idle timeout " + idleTimeout
                    + " and connect timeout " + connectTimeout + " must be positive");
        }
    }

    /// A TCP service with IPVS's defaults: no persistence, no sorry server, the default cap.
    static BalancerService tcp(InetSocketAddress listen, String scheduler) {
        return new BalancerService(BalancerProtocol.TCP, listen, scheduler, Set.of(), Persistence.NONE, null, 0,
                TCP_IDLE_DEFAULT, CONNECT_DEFAULT);
    }

    /// A UDP service with IPVS's defaults.
    static BalancerService udp(InetSocketAddress listen, String scheduler) {
        return new BalancerService(BalancerProtocol.UDP, listen, scheduler, Set.of(), Persistence.NONE, null, 0,
                UDP_IDLE_DEFAULT, CONNECT_DEFAULT);
    }

    ListenKey key() {
        return new ListenKey(protocol, listen);
    }

    BalancerService withScheduler(String name, Set<SchedulerFlag> flags) {
        return new BalancerService(protocol, listen, name, flags, persistence, sorryServer, connectionLimit,
                idleTimeout, connectTimeout);
    }

    BalancerService withPersistence(Persistence p) {
        return new BalancerService(protocol, listen, scheduler, schedulerFlags, p, sorryServer, connectionLimit,
                idleTimeout, connectTimeout);
    }

    /// @param sorry `null` removes the sorry server
    BalancerService withSorryServer(InetSocketAddress sorry) {
        return new BalancerService(protocol, listen, scheduler, schedulerFlags, persistence, sorry, connectionLimit,
                idleTimeout, connectTimeout);
    }

    BalancerService withConnectionLimit(int limit) {
        return new BalancerService(protocol, listen, scheduler, schedulerFlags, persistence, sorryServer, limit,
                idleTimeout, connectTimeout);
    }

    BalancerService withIdleTimeout(Duration idle) {
        return new BalancerService(protocol, listen, scheduler, schedulerFlags, persistence, sorryServer,
                connectionLimit, idle, connectTimeout);
    }

    BalancerService withConnectTimeout(Duration connect) {
        return new BalancerService(protocol, listen, scheduler, schedulerFlags, persistence, sorryServer,
                connectionLimit, idleTimeout, connect);
    }
}
