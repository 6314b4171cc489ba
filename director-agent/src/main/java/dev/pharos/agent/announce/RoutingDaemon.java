package dev.pharos.agent.announce;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;

/// A routing daemon that announces VIPs by BGP for this director: announce, withdraw, and read
/// back what it announces now (it may have restarted, or an operator changed it by hand).
public interface RoutingDaemon {

    /// Which of `vips` the daemon announces now, and why it cannot announce others (its
    /// configuration lacks their announcement). Throws when the daemon cannot be asked.
    View view(List<AnnounceConfig.Vip> vips) throws IOException;

    /// What the daemon announces, and the VIPs it cannot, each with the reason.
    record View(Set<InetAddress> announced, Map<InetAddress, String> problems) {
        public View {
            announced = Set.copyOf(announced);
            problems = Map.copyOf(problems);
        }
    }

    void announce(AnnounceConfig.Vip vip) throws IOException;

    void withdraw(AnnounceConfig.Vip vip) throws IOException;
}
