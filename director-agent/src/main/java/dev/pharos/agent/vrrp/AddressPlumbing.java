package dev.pharos.agent.vrrp;

import dev.pharos.agent.vrrp.VrrpSettings.VirtualAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.util.List;

/// How the engine adds and removes virtual addresses and announces them: `agent.linux` uses
/// rtnetlink and AF_PACKET, `agent.sim` records who holds which VIP. Called one call at a time, in
/// order: from the engine's plumbing thread, or from the VRRP thread itself for a new master's
/// first VIPs and gratuitous ARPs (or neighbour advertisements) when nothing else is pending ([PlumbingWorker]).
public interface AddressPlumbing {

    /// Adds `vip` to `interfaceName`; adding an address that is present is not an error.
    void addAddress(String interfaceName, VirtualAddress vip) throws IOException;

    /// Removes `vip` from `interfaceName`; removing an absent address is not an error.
    void removeAddress(String interfaceName, VirtualAddress vip) throws IOException;

    /// Announces `address` once on `interfaceName` (RFC 5798 §6.4.1): for IPv4 a gratuitous ARP
    /// (request with sender and target `address`, from the interface's MAC); for IPv6 an
    /// unsolicited Neighbor Advertisement (RFC 4861 §7.2.6: to all-nodes ff02::1, Override set,
    /// the MAC in a target link-layer address option), as keepalived's `vrrp_ndisc.c` sends it.
    void announce(String interfaceName, InetAddress address) throws IOException;

    /// A takeover adding `vips` to `interfaceName` is probably due: do what can be done ahead
    /// without changing anything (look the interface up, build the requests), so the real calls
    /// find their code and data in cache. Optional; errors are the real calls' to report.
    default void prepareToAdd(String interfaceName, List<VirtualAddress> vips) {
    }
}
