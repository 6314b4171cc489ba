package dev.pharos.agent.ipvs.table;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Optional;

/// The address families IPVS serves, with their `AF_*` wire values and address sizes.
public enum AddressFamily {
    /// `AF_INET`
    INET(2, 4),
    /// `AF_INET6`
    INET6(10, 16);

    private final int wireValue;
    private final int addressLength;

    AddressFamily(int wireValue, int addressLength) {
        this.wireValue = wireValue;
        this.addressLength = addressLength;
    }

    public int wireValue() {
        return wireValue;
    }

    /// Bytes of an address (4 or 16), also the longest persistence prefix in bytes.
    public int addressLength() {
        return addressLength;
    }

    /// Bits of an address: the longest persistence netmask.
    public int bits() {
        return addressLength * 8;
    }

    public static AddressFamily of(InetAddress address) {
        return address instanceof Inet4Address ? INET : INET6;
    }

    public static Optional<AddressFamily> fromWire(int value) {
        for (var f : values()) {
            if (f.wireValue == value) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }
}
