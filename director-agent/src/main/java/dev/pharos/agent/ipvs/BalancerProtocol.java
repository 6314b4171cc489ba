package dev.pharos.agent.ipvs;

/// The transport a user-space virtual service balances (keepalived's `protocol TCP|UDP`).
public enum BalancerProtocol {
    TCP,
    UDP
}
