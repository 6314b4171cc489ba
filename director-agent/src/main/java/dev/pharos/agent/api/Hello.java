package dev.pharos.agent.api;

import java.util.List;

/// The result of `agent.hello`: who is speaking and what it can do.
///
/// @param protocolVersion [Protocol#VERSION] of the agent
/// @param agentVersion    the agent's build version (`dev` for an unpackaged build)
/// @param hostname        the director's host name
/// @param capabilities    what this agent offers
public record Hello(int protocolVersion, String agentVersion, String hostname, Capabilities capabilities) {

    /// @param balancer     the service-table backend in use: `kernel` (IPVS), `userspace`, or `none`
    /// @param vrrpVersions VRRP versions the engine speaks (2, 3)
    /// @param interfaces   network interfaces of the host, by name
    /// @param methods      every method this agent answers
    public record Capabilities(String balancer, List<Integer> vrrpVersions, List<String> interfaces,
            List<String> methods) {
        public Capabilities {
            vrrpVersions = List.copyOf(vrrpVersions);
            interfaces = List.copyOf(interfaces);
            methods = List.copyOf(methods);
        }
    }
}
