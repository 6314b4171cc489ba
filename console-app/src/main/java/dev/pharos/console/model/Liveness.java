package dev.pharos.console.model;

/// Whether what the console shows for a director is current, and if not, why. Anything but
/// [#LIVE] is drawn greyed with the last known roles marked as such: a dashboard that shows
/// MASTER for a dead node is worse than none.
public enum Liveness {
    /// Connected and answering heartbeats.
    LIVE,
    /// Connecting for the first time: nothing known yet.
    CONNECTING,
    /// Never reached since the console started: retrying with backoff.
    UNREACHABLE,
    /// It was connected, and the link or the agent stopped answering: retrying with backoff;
    /// what is shown is the last known state.
    RECONNECTING,
    /// Its agent said it was stopping on purpose (a graceful stop), then the link closed: retried
    /// with backoff; what is shown is the last known state.
    STOPPED,
    /// An adopted keepalived host answers over SSH, but what keepalived says could not be read
    /// fresh (it is not running, or its state dump did not refresh): what is shown is the last
    /// known state, not a current role.
    STALE,
    /// The connection was refused for good (e.g. a changed host key): the operator must act.
    FAILED
}
