package dev.pharos.console.model;

/// Whether what the console shows for a director is current. Anything but [#LIVE] is drawn
/// greyed with the last known roles marked as such: a dashboard that shows MASTER for a dead node
/// is worse than none.
public enum Liveness {
    /// Connected and answering heartbeats.
    LIVE,
    /// Connecting for the first time: nothing known yet.
    CONNECTING,
    /// The link or the agent stopped answering: last known state, not current.
    UNKNOWN,
    /// The connection was refused for good (e.g. a changed host key): the operator must act.
    FAILED
}
