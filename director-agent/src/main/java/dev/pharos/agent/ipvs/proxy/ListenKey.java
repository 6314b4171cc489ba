package dev.pharos.agent.ipvs.proxy;

import dev.pharos.agent.api.Addresses;
import java.net.InetSocketAddress;

/// Identifies one virtual service of the [UserspaceBalancer]: protocol and virtual address:port.
record ListenKey(BalancerProtocol protocol, InetSocketAddress address) {

    ListenKey {
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("virtual address " + address + " is unresolved: give an IP address");
        }
    }

    @Override
    public String toString() {
        return protocol + " " + Addresses.text(address.getAddress()) + ":" + address.getPort();
    }
}
