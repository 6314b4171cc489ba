package dev.pharos.agent.script;

/// The user and group a script runs as.
///
/// @param name the user name as configured (for log lines), or `#UID` for the agent's own ids
public record Identity(String name, int uid, int gid) {
}
