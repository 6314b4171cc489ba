package dev.pharos.agent.vrrp;

/// keepalived's `state MASTER|BACKUP`: only a wish for the start, not a forced role.
///
/// Deviation from RFC 5798 §6.4.1 (keepalived does so): a non-owner that wishes MASTER still
/// starts as BACKUP, but waits only one Advertisement_Interval plus the minimum skew before taking
/// over, instead of a full Master_Down_Interval.
public enum InitialState {
    MASTER,
    BACKUP
}
