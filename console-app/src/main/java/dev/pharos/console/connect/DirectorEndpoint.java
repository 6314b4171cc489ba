package dev.pharos.console.connect;

import java.nio.file.Path;

/// How to reach one director: its Pharos agent, or a host that runs plain keepalived, which the
/// console adopts read-only (see [Kind]).
///
/// @param name         what the operator calls it (`lvs-master`)
/// @param host         a host name, an address, or a `~/.ssh/config` alias
/// @param port         0: from `~/.ssh/config`, else 22
/// @param user         null: from `~/.ssh/config`, else the local user name
/// @param identityFile a private key (OpenSSH or PEM), or null to use the agent and the defaults
/// @param jumpHost     `user@host:port` of a bastion to go through, or null
/// @param agentCommand the remote command that bridges to the agent (`director-agent attach`)
/// @param kind         what runs there; null (an inventory written before kinds) is [Kind#PHAROS]
public record DirectorEndpoint(String name, String host, int port, String user, Path identityFile, String jumpHost,
        String agentCommand, Kind kind) {

    /// What answers on a director.
    public enum Kind {
        /// The Pharos agent, reached through [#agentCommand].
        PHAROS,
        /// Plain keepalived, no agent: the console reads what the host offers over SSH and changes nothing.
        KEEPALIVED
    }

    public static final String DEFAULT_AGENT_COMMAND = "director-agent attach";

    public DirectorEndpoint {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a director needs a name");
        }
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("director " + name + " needs a host");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("director " + name + ": port " + port + " is outside 1–65535");
        }
        if (agentCommand == null || agentCommand.isBlank()) {
            agentCommand = DEFAULT_AGENT_COMMAND;
        }
        if (kind == null) {
            kind = Kind.PHAROS;
        }
    }

    /// A director that runs the Pharos agent.
    public DirectorEndpoint(String name, String host, int port, String user, Path identityFile, String jumpHost,
            String agentCommand) {
        this(name, host, port, user, identityFile, jumpHost, agentCommand, Kind.PHAROS);
    }
}
