package dev.pharos.agent.vrrp;

import dev.pharos.agent.vrrp.VrrpSettings.NotifyCommands;
import java.util.List;

/// keepalived's `vrrp_sync_group`: the member instances move together. One member entering
/// FAULT puts all in FAULT; one becoming MASTER makes the others MASTER; one leaving MASTER for
/// BACKUP takes the others along.
///
/// keepalived ignores the weights of tracked interfaces and scripts of members (they count as
/// weight 0: failure means FAULT) unless `sync_group_tracking_weight` is set, because members
/// whose priorities drift apart would pull the group in two directions.
///
/// @param members        instance names
/// @param trackingWeight keepalived's `sync_group_tracking_weight`
/// @param notifyCommands group notify commands; `notify` gets `GROUP name state 0` appended
public record VrrpSyncGroup(String name, List<String> members, boolean trackingWeight,
        NotifyCommands notifyCommands) {
    public VrrpSyncGroup {
        members = List.copyOf(members);
        if (members.size() < 2) {
            throw new IllegalArgumentException("vrrp_sync_group " + name + " needs at least two instances");
        }
    }
}
