package dev.pharos.agent.ipvs.table;

import java.util.Optional;

/// How IPVS forwards to a destination: the `IP_VS_CONN_F_FWD_MASK` bits of `linux/ip_vs.h`,
/// named as keepalived's `lb_kind` names them.
public enum ForwardingMethod {
    /// `IP_VS_CONN_F_MASQ`: masquerading (`lb_kind NAT`)
    NAT(0),
    /// `IP_VS_CONN_F_LOCALNODE`: the director itself serves
    LOCAL(1),
    /// `IP_VS_CONN_F_TUNNEL`: IP-in-IP tunnelling (`lb_kind TUN`)
    TUN(2),
    /// `IP_VS_CONN_F_DROUTE`: direct routing (`lb_kind DR`)
    DR(3);

    private final int wireValue;

    ForwardingMethod(int wireValue) {
        this.wireValue = wireValue;
    }

    public int wireValue() {
        return wireValue;
    }

    public static Optional<ForwardingMethod> fromWire(int value) {
        for (var m : values()) {
            if (m.wireValue == value) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }
}
