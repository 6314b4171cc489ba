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

    /// Mixed, unlike a record's own `31 * address + port`: real servers numbered together in
    /// address and port (198.51.100.1:9001, .2:9002, …) had hashes 32 apart, which a HashMap puts
    /// in a few buckets of long chains (`state.get` looks ten thousand of them up per call).
    @Override
    public int hashCode() {
        return address.hashCode() * 0x9E3779B9 + port;
    }

    @Override
    public String toString() {
        var a = Addresses.text(address);
        return (address instanceof Inet6Address ? "[" + a + "]" : a) + ":" + port;
    }
}
