package dev.pharos.agent.vrrp;

import dev.pharos.agent.vrrp.VrrpSettings.NotifyCommands;
import java.util.List;

/// keepalived's `vrrp_sync_group`: the member instances move together. One member entering
/// FAULT puts all in FAULT; one becoming MASTER makes the others MASTER; one leaving MASTER for
/// BACKUP takes the others along.
///
/// @param members        instance names
/// @param notifyCommands group notify commands; `notify` gets `GROUP name state 0` appended
public record VrrpSyncGroup(String name, List<String> members, NotifyCommands notifyCommands) {
    public VrrpSyncGroup {
        members = List.copyOf(members);
        if (members.size() < 2) {
            throw new IllegalArgumentException("vrrp_sync_group " + name + " needs at least two instances");
        }
    }
}
