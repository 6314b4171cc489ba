package dev.pharos.agent.announce;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;

/// A routing daemon that announces VIPs by BGP for this director: announce, withdraw, and read
/// back what it announces now (it may have restarted, or an operator changed it by hand) and how
/// its BGP sessions to the routers stand.
public interface RoutingDaemon {

    /// Which of `vips` the daemon announces now, and why it cannot announce others (its
    /// configuration lacks their announcement). Throws when the daemon cannot be asked.
    View view(List<AnnounceConfig.Vip> vips) throws IOException;

    /// What the daemon announces, the VIPs it cannot, each with the reason, and its BGP sessions.
    record View(Set<InetAddress> announced, Map<InetAddress, String> problems, List<Session> sessions) {
        public View {
            announced = Set.copyOf(announced);
            problems = Map.copyOf(problems);
            sessions = List.copyOf(sessions);
        }
    }

    /// One BGP session as the daemon sees it: the closest the director gets to the router's view
    /// without asking the router (an announced VIP reaches a router only over an established one).
    ///
    /// @param name        BIRD: the `protocol bgp` name; FRR: the neighbour's address
    /// @param established whether the session is in BGP's Established state
    /// @param state       the daemon's own words (`Established`, `Active`, `Connect socket: …`)
    record Session(String name, boolean established, String state) {
    }

    void announce(AnnounceConfig.Vip vip) throws IOException;

    void withdraw(AnnounceConfig.Vip vip) throws IOException;
}
