package dev.pharos.console.model;

/// Whether a MASTER instance shares its VRRP group with another live master.
public enum SplitBrain {
    /// No other live director says MASTER of this group.
    NONE,
    /// Another one says MASTER too, as at every takeover for a moment: not yet evidence.
    CHECKING,
    /// Both have been MASTER at once for longer than Master_Down_Interval: they do not hear
    /// each other, and both answer for the VIPs.
    SPLIT
}
