package dev.pharos.agent.config;

import java.net.InetAddress;
import java.time.Duration;

/// `bfd_instance NAME { … }` (keepalived 2.2.7 `bfd_parser.c`). Absent values are `null`;
/// keepalived's defaults (min_rx and min_tx 10 ms, idle_tx 1 s, multiplier 5, ttl 255, max_hops
/// 0, weight 0) are applied by the mapping to the BFD engine. The block itself stays in the
/// model verbatim, as an [Extra] of the top level; [BfdConfig] reads this record from it.
///
/// @param forVrrp    the `vrrp` keyword: events go to VRRP (with `checker`, to both; neither: both)
/// @param forChecker the `checker` keyword
public record BfdInstanceDef(String name, InetAddress neighbor, InetAddress source, Duration minRx, Duration minTx,
        Duration idleTx, Integer multiplier, boolean passive, Integer ttl, Integer maxHops, Integer weight,
        boolean weightReverse, boolean forVrrp, boolean forChecker) {

    /// Whether VRRP hears of this session (keepalived: unless only `checker` is given).
    public boolean tellsVrrp() {
        return forVrrp || !forChecker;
    }

    /// One `track_bfd` line of a `vrrp_instance`: `NAME [weight N [reverse|noreverse]]`
    /// (`vrrp_track.c` `alloc_track_bfd`). Null weight and reverse: the `bfd_instance`'s own.
    public record Track(String name, Integer weight, Boolean reverse) {
    }
}
