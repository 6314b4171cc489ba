package dev.pharos.agent.ipvs.table;

import dev.pharos.agent.api.Addresses;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Objects;

/// An address and port: where a destination (real server) listens. Port 0 means "the service's
/// port" for fwmark services and direct routing, as in IPVS.
public record Endpoint(InetAddress address, int port) {

    public Endpoint {
        Objects.requireNonNull(address, "address");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port " + port + " is outside 0–65535");
        }
    }

    public AddressFamily family() {
        return AddressFamily.of(address);
    }

    @Override
    public String toString() {
        var a = Addresses.text(address);
        return (address instanceof Inet6Address ? "[" + a + "]" : a) + ":" + port;
    }
}
