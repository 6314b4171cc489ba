package dev.pharos.console.model;

import java.time.Instant;
import java.util.List;

/// What the console last read from a director it adopted (plain keepalived, no agent): each piece
/// of state with the time it was read, so the card can show how old each is.
///
/// @param software what runs there, as it names itself (`keepalived 2.2.7`)
/// @param readings each piece, in the order the card lists them
/// @param stale    why the VRRP roles shown are not current (keepalived not running, its state dump
///                 not refreshed), or null when they are
public record HostReadings(String software, List<Reading> readings, String stale) {

    public HostReadings {
        readings = List.copyOf(readings);
    }

    /// One piece of state.
    ///
    /// @param what    `configuration`, `addresses`, `IPVS table`, `VRRP state`
    /// @param at      when it was read; null when it never was
    /// @param problem why the last attempt failed or what the host lacks (no IPVS), or null
    public record Reading(String what, Instant at, String problem) {
    }
}
