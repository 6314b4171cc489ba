package dev.pharos.agent.announce;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/// What the agent announces and through which routing daemon (`/etc/pharos/announce.conf`).
///
/// @param daemon        the routing daemon that speaks BGP for this director
/// @param socket        its control socket (BIRD: `bird.ctl`; FRR: bgpd's `bgpd.vty`)
/// @param recheck       how often the daemon's view is read again and corrected
/// @param warmup        how long a VIP's services must have been healthy before it is announced
/// @param withdrawDelay how long a graceful stop waits after withdrawing, so the router moves new
///                      flows elsewhere before the services stop
/// @param vips          the VIPs, each with the daemon's name for its announcement
/// @param sloppyTcp     set the kernel IPVS's `net.ipv4.vs.sloppy_tcp` (and `sloppy_sctp`) when the agent
///                      serves through it: a director the router moves an established flow to then
///                      schedules the flow's next packet instead of dropping it, and with `mh` picks the
///                      real server the previous director picked (default on)
public record AnnounceConfig(Daemon daemon, Path socket, Duration recheck, Duration warmup, Duration withdrawDelay,
        List<Vip> vips, boolean sloppyTcp) {

    /// keepalived's default configuration directory's neighbour: Pharos's own files.
    public static final Path DEFAULT_FILE = Path.of("/etc/pharos/announce.conf");
    static final Duration DEFAULT_RECHECK = Duration.ofSeconds(5);
    static final Duration DEFAULT_WARMUP = Duration.ofSeconds(3);
    static final Duration DEFAULT_WITHDRAW_DELAY = Duration.ofSeconds(2);

    public AnnounceConfig {
        vips = List.copyOf(vips);
    }

    /// Settings with `sloppy_tcp` on, its default.
    public AnnounceConfig(Daemon daemon, Path socket, Duration recheck, Duration warmup, Duration withdrawDelay,
            List<Vip> vips) {
        this(daemon, socket, recheck, warmup, withdrawDelay, vips, true);
    }

    /// The routing daemons Pharos drives.
    public enum Daemon {
        /// BIRD 2, through its control socket ([BirdDaemon]).
        BIRD,
        /// FRR's bgpd, through its vty socket ([FrrDaemon]).
        FRR
    }

    /// The daemon this configuration names, answering within `timeout` or failing.
    public RoutingDaemon routingDaemon(Duration timeout) {
        return switch (daemon) {
            case BIRD -> new BirdDaemon(socket, timeout);
            case FRR -> new FrrDaemon(socket, timeout);
        };
    }

    /// One announced address.
    ///
    /// @param address  the VIP (announced as a host route, /32 or /128)
    /// @param protocol BIRD: the `protocol static` that holds its route, `disabled` in bird.conf;
    ///                 unused with FRR
    public record Vip(InetAddress address, String protocol) {
    }
}
