package dev.pharos.agent.ipvs.proxy;

/// The transport a user-space virtual service balances (keepalived's `protocol TCP|UDP`).
public enum BalancerProtocol {
    TCP,
    UDP
}
