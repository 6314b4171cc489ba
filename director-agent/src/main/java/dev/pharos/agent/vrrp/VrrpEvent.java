package dev.pharos.agent.vrrp;

import java.net.InetAddress;
import java.time.Duration;

/// What can happen to a [VrrpRouter]. The runtime turns packets, timers, commands and tracking
/// results into these; the router answers each with a [VrrpRouter.Transition].
public sealed interface VrrpEvent {

    /// RFC 5798 §6.4.1: the Startup event.
    record Startup() implements VrrpEvent {
    }

    /// RFC 5798 §6.4.1: the Shutdown event. A master sends priority 0 first (§6.4.3).
    record Shutdown() implements VrrpEvent {
    }

    /// An advert that passed the codec and the instance's semantic checks (VRID, authentication,
    /// interval, addresses).
    ///
    /// @param source           the IPv4 source address of the advert
    /// @param priority         its Priority field
    /// @param maxAdverInterval its Max Adver Int (v3: learned as Master_Adver_Interval)
    record AdvertReceived(InetAddress source, int priority, Duration maxAdverInterval) implements VrrpEvent {
    }

    /// RFC 5798 §6.4.2: the Master_Down_Timer fired.
    record MasterDownTimerExpired() implements VrrpEvent {
    }

    /// RFC 5798 §6.4.3: the Adver_Timer fired.
    record AdverTimerExpired() implements VrrpEvent {
    }

    /// A fault source became active (the interface went down, a weight-0 track failed, a sync
    /// group member faulted). Any active fault puts the router in FAULT.
    record FaultRaised(String source) implements VrrpEvent {
    }

    /// A fault source cleared; with no fault left the router leaves FAULT.
    record FaultCleared(String source) implements VrrpEvent {
    }

    /// The sum of track weights changed (track_interface, track_script).
    record TrackWeightChanged(int trackWeight) implements VrrpEvent {
    }

    /// An operator sets the base priority (1–255). Also ends a [Resign].
    record SetPriority(int basePriority) implements VrrpEvent {
    }

    /// An operator asks the master to hand over now: it sends priority 0 and stays BACKUP,
    /// accepting any master, until it becomes master again or the priority is set.
    record Resign() implements VrrpEvent {
    }

    /// Another member of this router's sync group became MASTER.
    record SyncGroupMaster(String group) implements VrrpEvent {
    }

    /// Another member of this router's sync group left MASTER for BACKUP.
    record SyncGroupBackup(String group) implements VrrpEvent {
    }
}
