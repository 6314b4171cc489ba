package dev.pharos.agent.ipvs.table;

import java.util.Objects;

/// One real server of one virtual server (keepalived checks the same address:port separately in
/// each virtual server that lists it).
///
/// @param virtualServer the [TableSpec.VirtualServerSpec#name()]
public record RealServerRef(String virtualServer, Endpoint endpoint) {
    public RealServerRef {
        Objects.requireNonNull(virtualServer, "virtualServer");
        Objects.requireNonNull(endpoint, "endpoint");
    }

    @Override
    public String toString() {
        return endpoint + " of " + virtualServer;
    }
}
