package dev.pharos.agent.ipvs.proxy.schedulers;

import java.net.InetAddress;

/// The addresses of a new connection that the hashing schedulers look at.
///
/// @param client      the client's address (source)
/// @param clientPort  the client's port (source)
/// @param destination the virtual address the client reached (the VIP)
/// @param destinationPort the virtual port
public record Flow(InetAddress client, int clientPort, InetAddress destination, int destinationPort) {
}
