package dev.pharos.agent.ipvs.table;

import dev.pharos.agent.api.Addresses;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Objects;

/// What identifies a virtual service in IPVS: protocol, address and port, or a firewall mark
/// within an address family.
public sealed interface ServiceKey permits ServiceKey.ByAddress, ServiceKey.ByFwmark {

    AddressFamily family();

    /// `virtual_server 192.0.2.10 80` with `protocol TCP`.
    record ByAddress(Protocol protocol, InetAddress address, int port) implements ServiceKey {
        public ByAddress {
            Objects.requireNonNull(protocol, "protocol");
            Objects.requireNonNull(address, "address");
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port " + port + " is outside 0–65535");
            }
        }

        @Override
        public AddressFamily family() {
            return AddressFamily.of(address);
        }

        @Override
        public String toString() {
            var a = Addresses.text(address);
            return protocol + " " + (address instanceof Inet6Address ? "[" + a + "]" : a) + ":" + port;
        }
    }

    /// `virtual_server fwmark 1`; IPVS keeps one such service per family.
    record ByFwmark(long mark, AddressFamily family) implements ServiceKey {
        public ByFwmark {
            Objects.requireNonNull(family, "family");
            if (mark < 1 || mark > 0xffff_ffffL) {
                throw new IllegalArgumentException("fwmark " + mark + " is outside 1–4294967295");
            }
        }

        @Override
        public String toString() {
            return "FWM " + mark + (family == AddressFamily.INET6 ? " IPv6" : "");
        }
    }
}
