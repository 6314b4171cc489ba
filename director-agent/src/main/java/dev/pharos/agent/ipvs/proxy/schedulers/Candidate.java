package dev.pharos.agent.ipvs.proxy.schedulers;

/// What a scheduler may read of one destination (real server) of a virtual service.
///
/// The balancer's live real servers implement this directly, so scheduling reads current counts
/// without copying; [CandidateState] is an immutable snapshot for tests and reports.
public interface Candidate {

    /// Current weight; 0 means quiescent: existing connections stay, no new ones are scheduled.
    int weight();

    /// The last non-zero weight (the kernel's `dest->last_weight`): what Maglev hashing builds its
    /// table with, so that quiescing a destination does not reshuffle every other client.
    int lastWeight();

    /// Connections in the established state (the kernel's `activeconns`).
    int activeConnections();

    /// Connections in any other state, and UDP flows (the kernel's `inactconns`).
    int inactiveConnections();

    /// The kernel's `IP_VS_DEST_F_OVERLOAD`: set when `u_threshold` is reached, cleared below
    /// `l_threshold`; an overloaded destination gets no new connections.
    boolean overloaded();
}
