package dev.pharos.agent.ipvs.proxy;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/// The TCP listener of one port and address family, shared by every TCP virtual service on that
/// port, whichever relay serves it: [TcpListener] (NIO) or [NativeTcpListener].
sealed interface PortListener extends AutoCloseable permits TcpListener, NativeTcpListener {

    /// The services of this port by virtual address (the wildcard address for a service on all);
    /// the balancer edits it, the relay threads read it for each accepted connection.
    ConcurrentHashMap<InetAddress, LiveService> services();

    /// Housekeeping: accepts again after a pause for want of file descriptors.
    void resumeIfPaused();

    /// Stops listening; open connections are not affected.
    @Override
    void close();
}
