package dev.pharos.agent.ipvs.proxy;

/// One relayed TCP connection as the housekeeping thread sees it, whichever relay carries it:
/// the JDK's NIO ([TcpConnection]) or raw Linux calls ([NativeTcpConnection]).
sealed interface RelayedConnection extends BalancedConnection permits TcpConnection, NativeTcpConnection {

    LiveService service();

    /// Still waiting for the real server to accept (its connect timeout is running).
    boolean connecting();

    /// From the housekeeping thread: gives up the current connect attempt (and tries another real
    /// server) if its deadline has passed.
    void checkConnectTimeout(long now);
}
