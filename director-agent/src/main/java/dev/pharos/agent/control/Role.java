package dev.pharos.agent.control;

import dev.pharos.agent.api.Protocol;
import java.util.Locale;
import java.util.Map;

/// What a control-channel client may do, decided once per connection from its credentials.
///
/// `ADMIN` is root or the agent's own user (the agent may run as a dedicated user), the lab's
/// in-memory channel, and `attach` over SSH as root. `OPERATOR` is anyone else the socket let in
/// (its group, `--control-group`): it reads everything and makes the operator's edits, but nothing
/// that runs a command or reads a file the agent's user can read, because that would make the
/// group as strong as root.
public enum Role {
    ADMIN, OPERATOR;

    /// The least role each method needs: the one table of it. A method missing here needs
    /// [#ADMIN], so a method added without a thought about access is closed, not open.
    ///
    /// `config.apply` is open to operators because the method itself refuses an operator's text
    /// that changes a script or `global_defs` (what it checks is in `config.Privileged`) or has an
    /// include line the configuration file does not already have (an include reads a file);
    /// everything else an operator may do cannot run a command.
    private static final Map<String, Role> REQUIRED = Map.ofEntries(
            Map.entry(Protocol.HELLO, OPERATOR),
            Map.entry(Protocol.STATE_GET, OPERATOR),
            Map.entry(Protocol.EVENTS_SUBSCRIBE, OPERATOR),
            Map.entry(Protocol.EVENTS_UNSUBSCRIBE, OPERATOR),
            Map.entry(Protocol.CONFIG_GET, OPERATOR),
            Map.entry(Protocol.CONFIG_VALIDATE, OPERATOR),
            Map.entry(Protocol.REAL_SERVER_ADD, OPERATOR),
            Map.entry(Protocol.REAL_SERVER_REMOVE, OPERATOR),
            Map.entry(Protocol.REAL_SERVER_UPDATE, OPERATOR),
            Map.entry(Protocol.REAL_SERVER_MOVE, OPERATOR),
            Map.entry(Protocol.VIRTUAL_SERVER_ADD, OPERATOR),
            Map.entry(Protocol.VIRTUAL_SERVER_REMOVE, OPERATOR),
            Map.entry(Protocol.VIRTUAL_SERVER_UPDATE, OPERATOR),
            Map.entry(Protocol.VRRP_SET_PRIORITY, OPERATOR),
            Map.entry(Protocol.VRRP_RESIGN, OPERATOR),
            Map.entry(Protocol.CONFIG_APPLY, OPERATOR),
            Map.entry(Protocol.ANNOUNCE_GET, OPERATOR),
            Map.entry(Protocol.ANNOUNCE_DRAIN, OPERATOR));

    /// The least role `method` needs.
    public static Role required(String method) {
        return REQUIRED.getOrDefault(method, ADMIN);
    }

    /// Whether a client of this role may call a method that needs `required`.
    public boolean covers(Role required) {
        return this == ADMIN || required == OPERATOR;
    }

    /// For logs and messages: `admin`, `operator`.
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
