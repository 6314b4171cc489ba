package dev.pharos.agent.bfd;

import java.net.Inet4Address;
import java.time.Duration;

/// One `bfd_instance` as the session runs it, keepalived 2.2.7's defaults applied.
///
/// @param name                  the instance name `track_bfd` refers to
/// @param neighbor              `neighbor_ip`
/// @param source                `source_ip`, or null to let the kernel choose
/// @param desiredMinTxInterval  `min_tx` (keepalived: 10 ms), advertised while Up
/// @param requiredMinRxInterval `min_rx` (keepalived: 10 ms)
/// @param idleTxInterval        `idle_tx` (keepalived: 1 s), advertised while not Up (RFC 5880
///                              §6.8.3 asks for at least one second there)
/// @param detectMult            `multiplier` (keepalived: 5)
/// @param passive               `passive`: send nothing before the neighbor is heard
/// @param ttl                   `ttl`: the TTL sent (keepalived: 255 for IPv4)
/// @param maxHops               `max_hops`: a packet is accepted with a TTL of at least
///                              `ttl − maxHops` (keepalived: 0, so exactly 255 — RFC 5881 §5)
public record BfdSettings(String name, Inet4Address neighbor, Inet4Address source, Duration desiredMinTxInterval,
        Duration requiredMinRxInterval, Duration idleTxInterval, int detectMult, boolean passive, int ttl,
        int maxHops) {

    public BfdSettings {
        if (name.isBlank()) {
            throw new IllegalArgumentException("a bfd_instance needs a name");
        }
        if (!desiredMinTxInterval.isPositive() || !requiredMinRxInterval.isPositive() || !idleTxInterval.isPositive()) {
            throw new IllegalArgumentException("bfd_instance " + name + ": min_tx, min_rx and idle_tx must be > 0");
        }
        if (detectMult < 1 || detectMult > 255) {
            throw new IllegalArgumentException("bfd_instance " + name + ": multiplier " + detectMult
                    + " is outside 1–255");
        }
        if (ttl < 1 || ttl > 255 || maxHops < -1 || maxHops > ttl) {
            throw new IllegalArgumentException("bfd_instance " + name + ": ttl " + ttl + " / max_hops " + maxHops
                    + " out of range (ttl 1–255, max_hops −1–ttl)");
        }
    }

    /// keepalived's defaults for everything but the neighbor.
    public static BfdSettings of(String name, Inet4Address neighbor) {
        return new BfdSettings(name, neighbor, null, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofSeconds(1),
                5, false, 255, 0);
    }

    public BfdSettings withTimers(Duration minTx, Duration minRx, int multiplier) {
        return new BfdSettings(name, neighbor, source, minTx, minRx, idleTxInterval, multiplier, passive, ttl, maxHops);
    }
}
