package dev.pharos.agent.vrrp;

/// The states of a virtual router: RFC 5798 §6.4's three, plus keepalived's FAULT.
public enum VrrpState {
    /// RFC 5798 §6.4.1: not started yet, or stopped.
    INITIALIZE,
    /// RFC 5798 §6.4.2: monitoring the master, ready to take over.
    BACKUP,
    /// RFC 5798 §6.4.3: forwarding for the virtual addresses and advertising.
    MASTER,
    /// keepalived's FAULT: the interface is down or a tracked object failed; no adverts, no VIPs.
    FAULT;

    /// keepalived's spelling in logs and notify arguments (`MASTER`, `BACKUP`, `FAULT`, `STOP`).
    public String keepalivedName() {
        return switch (this) {
            case INITIALIZE -> "STOP";
            case BACKUP -> "BACKUP";
            case MASTER -> "MASTER";
            case FAULT -> "FAULT";
        };
    }
}
