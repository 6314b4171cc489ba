package dev.pharos.agent.check;

import dev.pharos.agent.api.Addresses;
import java.net.InetAddress;
import java.util.Objects;

/// One real server of one virtual server: the unit whose health the checker reports (the same
/// address in two virtual servers is two real servers, as in keepalived).
///
/// @param virtualServer the virtual server as keepalived names it: `192.0.2.10:80`,
///                      `fwmark 1` or `group NAME`
/// @param port          0 for a real server without a port (fwmark services)
public record RealServerId(String virtualServer, InetAddress address, int port) {

    public RealServerId {
        Objects.requireNonNull(virtualServer, "virtualServer");
        Objects.requireNonNull(address, "address");
    }

    /// `192.0.2.2:80 of 192.0.2.10:80`
    @Override
    public String toString() {
        var a = Addresses.text(address);
        return (a.contains(":") ? "[" + a + "]" : a) + ":" + port + " of " + virtualServer;
    }
}
