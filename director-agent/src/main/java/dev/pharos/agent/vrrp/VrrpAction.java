package dev.pharos.agent.vrrp;

import java.time.Duration;
import java.time.Instant;

/// What a [VrrpRouter] asks its runtime to do, in order. A router has one timer: arming the
/// Adver_Timer replaces the Master_Down_Timer and the other way round.
public sealed interface VrrpAction {

    /// Send an advert with this priority (0 when a master stops or resigns).
    record SendAdvert(int priority) implements VrrpAction {
    }

    /// RFC 5798 §6.4.3: (re)arm the Adver_Timer.
    record ArmAdverTimer(Duration after) implements VrrpAction {
    }

    /// RFC 5798 §6.4.2: (re)arm the Master_Down_Timer.
    record ArmMasterDownTimer(Duration after) implements VrrpAction {
    }

    /// Cancel whichever timer is armed.
    record CancelTimer() implements VrrpAction {
    }

    /// Add the virtual addresses to the interface.
    record AddVips() implements VrrpAction {
    }

    /// Remove the virtual addresses from the interface.
    record RemoveVips() implements VrrpAction {
    }

    /// Start the gratuitous ARP schedule for the VIPs (RFC 5798 §6.4.1, keepalived's garp_master_*).
    record AnnounceVips() implements VrrpAction {
    }

    /// The router changed state. Always the last action of a transition.
    record StateChanged(VrrpState from, VrrpState to, String reason, Instant at, int priority)
            implements VrrpAction {
    }
}
