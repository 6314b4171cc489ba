package dev.pharos.console.topology;

import dev.pharos.agent.api.Results;
import java.util.Locale;

/// Where one director stands with one VIP it announces through its routing daemon (one of several
/// active directors behind the router's ECMP), as the topology draws the link from the director to
/// the VIP's virtual servers: not the VRRP master/backup pair's solid and dashed lines.
public enum ShownAnnouncement {
    /// Its routing daemon announces the VIP: the router sends it a share of the new flows.
    ANNOUNCED,
    /// Taken out of service by an operator: withdrawn (or being withdrawn) while it serves the flows
    /// it has.
    DRAINING,
    /// Withdrawn because its services are not healthy or not warmed up yet.
    WITHDRAWN,
    /// Not known: the routing daemon could not be read or corrected.
    UNKNOWN;

    /// How `vip` stands in `all`, what its director reported.
    static ShownAnnouncement of(Results.Announcements all, Results.Announcement vip) {
        if (vip.problem() != null || vip.announced() == null) {
            return UNKNOWN;
        }
        if (all.draining()) {
            return DRAINING;
        }
        return vip.announced() ? ANNOUNCED : WITHDRAWN;
    }

    /// The suffix of its style classes: `link-announce-announced`, `announce-draining`…
    String styleSuffix() {
        return name().toLowerCase(Locale.ROOT);
    }
}
