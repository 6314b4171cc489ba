package dev.pharos.agent.ipvs.table;

import java.net.InetAddress;
import java.util.Objects;

/// A destination (real server) of a virtual service, as IPVS stores it.
///
/// @param weight 0 keeps the server in the table but sends it no new connections
/// @param upperThreshold connections above which IPVS sends no more (0: no limit)
/// @param lowerThreshold connections below which an overloaded server is used again
public record Destination(InetAddress address, int port, int weight, ForwardingMethod forwarding,
        int upperThreshold, int lowerThreshold) {

    public Destination {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(forwarding, "forwarding");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port " + port + " is outside 0–65535");
        }
        if (weight < 0) {
            throw new IllegalArgumentException("weight " + weight + " is negative");
        }
        if (upperThreshold < 0 || lowerThreshold < 0) {
            throw new IllegalArgumentException("thresholds " + upperThreshold + "/" + lowerThreshold + " are negative");
        }
    }

    public Destination(Endpoint endpoint, int weight, ForwardingMethod forwarding) {
        this(endpoint.address(), endpoint.port(), weight, forwarding, 0, 0);
    }

    public Endpoint endpoint() {
        return new Endpoint(address, port);
    }

    public Destination withWeight(int newWeight) {
        return new Destination(address, port, newWeight, forwarding, upperThreshold, lowerThreshold);
    }
}
