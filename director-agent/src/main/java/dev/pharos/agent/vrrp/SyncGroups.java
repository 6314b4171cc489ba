package dev.pharos.agent.vrrp;

import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/// keepalived's `vrrp_sync_group` rules for one engine: which instance is in which group, the
/// weights members must not use, how one member's change moves the others, and the group's own
/// state for its notify scripts. Engine-thread confined after construction.
final class SyncGroups {

    private static final System.Logger LOG = System.getLogger(SyncGroups.class.getName());
    private static final String FAULT_SOURCE_PREFIX = "sync group ";

    private final Map<String, VrrpSyncGroup> groupOf = new HashMap<>();
    private final Map<VrrpSyncGroup, VrrpState> groupStates = new HashMap<>();
    private final Notifier notifier;

    /// @param instanceNames every configured instance, to reject groups naming unknown ones
    SyncGroups(List<VrrpSyncGroup> groups, Set<String> instanceNames, Notifier notifier) {
        this.notifier = notifier;
        for (var g : groups) {
            groupStates.put(g, VrrpState.INITIALIZE);
            for (var m : g.members()) {
                if (!instanceNames.contains(m)) {
                    throw new IllegalArgumentException("vrrp_sync_group " + g.name() + " names unknown instance " + m);
                }
                var previous = groupOf.put(m, g);
                if (previous != null) {
                    throw new IllegalArgumentException("instance " + m + " is in both vrrp_sync_group "
                            + previous.name() + " and " + g.name());
                }
            }
        }
    }

    boolean isMember(String instance) {
        return groupOf.containsKey(instance);
    }

    /// keepalived (`vrrp.c`, "ignoring tracked script with weights due to SYNC group"): in a
    /// sync group without `sync_group_tracking_weight`, tracked objects count as weight 0.
    VrrpSettings withoutGroupWeights(VrrpSettings s) {
        var group = groupOf.get(s.name());
        if (group == null || group.trackingWeight()) {
            return s;
        }
        var interfaces = s.trackInterfaces().stream().map(t -> {
            if (t.weight() != 0) {
                LOG.log(Level.WARNING, "({0}) ignoring weight of tracked interface {1} due to SYNC group {2}",
                        s.name(), t.name(), group.name());
            }
            return new VrrpSettings.TrackInterface(t.name(), 0, t.reverse());
        }).toList();
        var scripts = s.trackScripts().stream().map(t -> {
            if (t.weight() != 0) {
                LOG.log(Level.WARNING, "({0}) ignoring weight of tracked script {1} due to SYNC group {2}",
                        s.name(), t.name(), group.name());
            }
            return new VrrpSettings.TrackScript(t.name(), t.command(), t.interval(), t.timeout(), 0, t.reverse(),
                    t.rise(), t.fall());
        }).toList();
        var bfds = s.trackBfds().stream().map(t -> {
            if (t.weight() != 0) {
                LOG.log(Level.WARNING, "({0}) ignoring weight of tracked BFD {1} due to SYNC group {2}",
                        s.name(), t.name(), group.name());
            }
            return new VrrpSettings.TrackBfd(t.name(), 0, t.reverse());
        }).toList();
        return s.withTracking(interfaces, scripts).withTrackBfds(bfds);
    }

    /// A member changed state because of `cause`. Unless the group itself caused it (which
    /// would echo forever), the other members follow: FAULT spreads as a fault source, MASTER
    /// and MASTER→BACKUP as sync events. The events are posted, so they run after this one.
    void memberChanged(VrrpInstance instance, VrrpAction.StateChanged c, VrrpEvent cause,
            Map<String, VrrpInstance> instances, Consumer<Runnable> post) {
        var group = groupOf.get(instance.name());
        if (group == null) {
            return;
        }
        boolean fromGroup = switch (cause) {
            case VrrpEvent.SyncGroupMaster e -> true;
            case VrrpEvent.SyncGroupBackup e -> true;
            case VrrpEvent.FaultRaised e -> e.source().startsWith(FAULT_SOURCE_PREFIX);
            case VrrpEvent.FaultCleared e -> e.source().startsWith(FAULT_SOURCE_PREFIX);
            case VrrpEvent.Shutdown e -> true; // stopping: every member stops on its own
            case VrrpEvent.Startup e -> false;
            case VrrpEvent.AdvertReceived e -> false;
            case VrrpEvent.MasterDownTimerExpired e -> false;
            case VrrpEvent.AdverTimerExpired e -> false;
            case VrrpEvent.TrackWeightChanged e -> false;
            case VrrpEvent.SetPriority e -> false;
            case VrrpEvent.Resign e -> false;
        };
        if (!fromGroup) {
            var key = FAULT_SOURCE_PREFIX + group.name() + ": " + instance.name() + " in FAULT";
            for (var m : group.members()) {
                var other = instances.get(m);
                if (other == instance) {
                    continue;
                }
                if (c.to() == VrrpState.FAULT) {
                    post.accept(() -> other.handle(new VrrpEvent.FaultRaised(key)));
                } else if (c.from() == VrrpState.FAULT) {
                    post.accept(() -> other.handle(new VrrpEvent.FaultCleared(key)));
                }
                if (c.to() == VrrpState.MASTER) {
                    post.accept(() -> other.handle(new VrrpEvent.SyncGroupMaster(group.name())));
                } else if (c.from() == VrrpState.MASTER && c.to() == VrrpState.BACKUP) {
                    post.accept(() -> other.handle(new VrrpEvent.SyncGroupBackup(group.name())));
                }
            }
        }
        post.accept(() -> updateGroupState(group, instances));
    }

    /// The group is FAULT if any member is, MASTER if all are, STOP if all stopped, else
    /// BACKUP; its notify scripts run when that changes.
    private void updateGroupState(VrrpSyncGroup group, Map<String, VrrpInstance> instances) {
        var states = group.members().stream().map(m -> instances.get(m).state()).toList();
        VrrpState now;
        if (states.contains(VrrpState.FAULT)) {
            now = VrrpState.FAULT;
        } else if (states.stream().allMatch(st -> st == VrrpState.MASTER)) {
            now = VrrpState.MASTER;
        } else if (states.stream().allMatch(st -> st == VrrpState.INITIALIZE)) {
            now = VrrpState.INITIALIZE;
        } else {
            now = VrrpState.BACKUP;
        }
        if (groupStates.put(group, now) != now) {
            LOG.log(Level.INFO, "VRRP_Group({0}) Syncing instances to {1} state", group.name(), now.keepalivedName());
            notifier.group(group, now);
        }
    }
}
