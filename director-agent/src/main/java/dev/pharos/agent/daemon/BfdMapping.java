package dev.pharos.agent.daemon;

import dev.pharos.agent.bfd.BfdSettings;
import dev.pharos.agent.config.BfdConfig;
import dev.pharos.agent.config.BfdInstanceDef;
import dev.pharos.agent.config.KeepalivedConfig;
import java.net.Inet4Address;
import java.time.Duration;
import java.util.List;

/// From the configuration's `bfd_instance`s to the BFD engine's sessions, with keepalived
/// 2.2.7's defaults: min_rx and min_tx 10 ms, idle_tx 1 s, multiplier 5, ttl 255, max_hops 0.
final class BfdMapping {

    private BfdMapping() {
    }

    /// The sessions VRRP hears of (a `bfd_instance` that names only `checker` is for health
    /// checkers, which Pharos does not feed from BFD).
    static List<BfdSettings> sessions(KeepalivedConfig config) {
        return BfdConfig.of(config).instances().stream().filter(BfdInstanceDef::tellsVrrp)
                .map(BfdMapping::session).toList();
    }

    private static BfdSettings session(BfdInstanceDef d) {
        return new BfdSettings(d.name(), (Inet4Address) d.neighbor(), (Inet4Address) d.source(),
                or(d.minTx(), Duration.ofMillis(10)), or(d.minRx(), Duration.ofMillis(10)),
                or(d.idleTx(), Duration.ofSeconds(1)), or(d.multiplier(), 5), d.passive(), or(d.ttl(), 255),
                or(d.maxHops(), 0));
    }

    private static <T> T or(T value, T otherwise) {
        return value != null ? value : otherwise;
    }
}
