package dev.pharos.agent.ipvs.proxy;

/// One relayed TCP connection or UDP flow, as the housekeeping thread and real-server removal
/// see it.
sealed interface BalancedConnection permits RelayedConnection, UdpRelay.UdpFlow {

    /// Nanos ([System#nanoTime]) of the last byte or datagram either way.
    long lastActivity();

    /// Closes both sides now; `reason` goes to the debug log.
    void abort(String reason);
}
