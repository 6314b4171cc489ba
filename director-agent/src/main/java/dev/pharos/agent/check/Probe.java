package dev.pharos.agent.check;

/// One attempt of one checker. A probe never retries and never waits beyond its own deadline
/// (`connect_timeout`, `misc_timeout`); it turns every failure, however the peer misbehaves, into
/// a [ProbeResult.Down] with the reason, and releases everything it opened before it returns.
/// Retry, delay and hysteresis belong to [CheckScheduler].
@FunctionalInterface
public interface Probe {

    ProbeResult attempt();

    /// The probe that carries out `spec`, with `TCP_CHECK` and plain `HTTP_GET` on `loop`.
    static Probe of(CheckSpec spec, CheckLoop loop) {
        return switch (spec) {
            case CheckSpec.HttpGet http -> new HttpProbe(http, loop);
            case CheckSpec.TcpCheck tcp -> new TcpProbe(tcp, loop);
            case CheckSpec.MiscCheck misc -> new MiscProbe(misc);
            case CheckSpec.DnsCheck dns -> new DnsProbe(dns);
        };
    }
}
