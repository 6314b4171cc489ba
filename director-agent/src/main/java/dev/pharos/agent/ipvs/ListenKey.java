package dev.pharos.agent.ipvs;

import java.net.InetSocketAddress;

/// Identifies one virtual service of the [UserspaceBalancer]: protocol and virtual address:port.
public record ListenKey(BalancerProtocol protocol, InetSocketAddress address) {

    public ListenKey {
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("virtual address " + address + " is unresolved: give an IP address");
        }
    }

    @Override
    public String toString() {
        return protocol + " " + address.getAddress().getHostAddress() + ":" + address.getPort();
    }
}
