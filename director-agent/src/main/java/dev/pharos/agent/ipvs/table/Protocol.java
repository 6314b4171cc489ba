package dev.pharos.agent.ipvs.table;

import java.util.Optional;

/// The transport protocols IPVS balances, with their IANA protocol numbers (`IPPROTO_*`).
public enum Protocol {
    TCP(6),
    UDP(17),
    SCTP(132);

    private final int wireValue;

    Protocol(int wireValue) {
        this.wireValue = wireValue;
    }

    public int wireValue() {
        return wireValue;
    }

    public static Optional<Protocol> fromWire(int value) {
        for (var p : values()) {
            if (p.wireValue == value) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
