package dev.pharos.agent.api;

import java.util.List;

/// The parameters of each method, one record per method. Fields marked optional may be absent
/// (`null`); every edit names the configuration revision it was based on.
public final class Params {

    /// The params of a method that takes none (`agent.hello`, `events.unsubscribe`,
    /// `config.get`): sent as `{}`; the agent does not read what a client sends instead.
    public record None() {
        /// The one value there is to send.
        public static final None NONE = new None();
    }

    /// `state.get`.
    ///
    /// @param virtualServers optional: only these virtual servers (ids from `state.get`, e.g.
    ///                       `tcp/192.0.2.10:80`), in configuration order; absent: all of them.
    ///                       An id the agent does not have is refused, naming it.
    public record StateGet(List<String> virtualServers) {
        /// Everything: every virtual server.
        public static final StateGet ALL = new StateGet(null);

        public StateGet {
            virtualServers = virtualServers == null ? null : List.copyOf(virtualServers);
        }
    }

    /// `events.subscribe`.
    ///
    /// @param afterSequence optional: deliver the events after this sequence number first (a
    ///                      reconnecting client passes the last one it saw); absent: live only
    public record Subscribe(Long afterSequence) {
    }

    /// `realServer.add`: a real server joins a virtual server.
    ///
    /// @param virtualServer the virtual server's id from `state.get`
    /// @param address       the real server's IP address
    /// @param port          its port (absent for a fwmark service)
    /// @param weight        optional, default 1
    /// @param copyChecks    optional, default true: give it the checkers of the virtual server's
    ///                      first real server, so it is health-checked like its siblings
    public record RealServerAdd(String baseRevision, String virtualServer, String address, Integer port,
            Integer weight, Boolean copyChecks) {
    }

    /// `realServer.remove`.
    public record RealServerRemove(String baseRevision, String virtualServer, String realServer) {
    }

    /// `realServer.update`: change its weight (0 drains it: existing connections stay, new ones
    /// go elsewhere) and/or `inhibit_on_failure`. Absent fields stay as they are.
    public record RealServerUpdate(String baseRevision, String virtualServer, String realServer, Integer weight,
            Boolean inhibitOnFailure) {
    }

    /// `realServer.move`: the real server leaves one virtual server for another, keeping its
    /// weight and checkers.
    ///
    /// @param port optional: a new port (e.g. moving from :80 to a :443 service)
    public record RealServerMove(String baseRevision, String fromVirtualServer, String realServer,
            String toVirtualServer, Integer port) {
    }

    /// `virtualServer.add`: a new virtual server on `address:port` (or `fwmark`).
    ///
    /// @param protocol           optional, `TCP` (default) or `UDP`
    /// @param scheduler          optional, default `wlc` (keepalived's default)
    /// @param kind               optional, `NAT` (default), `DR` or `TUN`
    /// @param persistenceSeconds optional, default none
    /// @param delayLoopSeconds   optional, default 60 (keepalived's default)
    public record VirtualServerAdd(String baseRevision, String address, Integer port, Long fwmark, String protocol,
            String scheduler, String kind, Long persistenceSeconds, Long delayLoopSeconds) {
    }

    /// `virtualServer.remove`: the virtual server and its real servers.
    public record VirtualServerRemove(String baseRevision, String virtualServer) {
    }

    /// `virtualServer.update`: absent fields stay as they are; `persistenceSeconds` 0 removes
    /// persistence.
    public record VirtualServerUpdate(String baseRevision, String virtualServer, String scheduler, String kind,
            Long persistenceSeconds, Long delayLoopSeconds, Integer quorum) {
    }

    /// `vrrp.setPriority`: the instance's base priority, 1–254 (255 is for the address owner and
    /// is only taken from the configuration). Not persisted: a training or maintenance action.
    public record SetPriority(String instance, int priority) {
    }

    /// `vrrp.resign`: a master hands its VIPs over now (it sends priority 0 and stays backup
    /// until it wins an election again or its priority is set).
    public record Resign(String instance) {
    }

    /// `config.validate`: check a whole configuration text without applying it.
    public record ConfigText(String text) {
    }

    /// `config.apply`: replace the whole configuration.
    ///
    /// `baseTextRevision` ([Results#textRevision(String)] of the text the editor started from;
    /// optional, for older consoles) makes the agent refuse when the file's text changed since,
    /// even by comments or layout only, which the configuration revision does not see: another
    /// console's comments are not written over unseen.
    public record ConfigApply(String baseRevision, String text, String baseTextRevision) {

        /// Without the text check, as consoles before it sent.
        public ConfigApply(String baseRevision, String text) {
            this(baseRevision, text, null);
        }
    }

    /// `announce.drain`: withdraw every VIP from the routing daemon while the director keeps serving
    /// the flows it has (`drain` true), or return it to service (false).
    public record Drain(boolean drain) {
    }

    private Params() {
    }
}
