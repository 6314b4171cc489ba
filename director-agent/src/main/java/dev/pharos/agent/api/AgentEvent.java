package dev.pharos.agent.api;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;
import java.util.List;

/// Something that happened on a director, delivered to `events.subscribe` subscribers as an
/// `event` notification. Every event has a sequence number, increasing by one per event, so a
/// client that reconnects can ask for what it missed.
///
/// On the wire the kind is the `type` field: `vrrp.transition`, `health.changed`,
/// `config.changed`, `component.restarted`, `resync`, `agent.stopping`, `announce.changed`. A client ignores a type it does
/// not know (newer agents may add some).
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = AgentEvent.VrrpTransition.class, name = "vrrp.transition"),
        @JsonSubTypes.Type(value = AgentEvent.HealthChanged.class, name = "health.changed"),
        @JsonSubTypes.Type(value = AgentEvent.ConfigChanged.class, name = "config.changed"),
        @JsonSubTypes.Type(value = AgentEvent.ComponentRestarted.class, name = "component.restarted"),
        @JsonSubTypes.Type(value = AgentEvent.Resync.class, name = "resync"),
        @JsonSubTypes.Type(value = AgentEvent.Stopping.class, name = "agent.stopping"),
        @JsonSubTypes.Type(value = AgentEvent.AnnounceChanged.class, name = "announce.changed")})
public sealed interface AgentEvent {

    long sequence();

    Instant at();

    /// A VRRP instance changed state.
    record VrrpTransition(long sequence, Instant at, String instance, int vrid, String from, String to,
            String reason, int priority) implements AgentEvent {
    }

    /// A real server's health or effective weight changed.
    ///
    /// @param health `up` or `down`
    record HealthChanged(long sequence, Instant at, String virtualServer, String realServer, String health,
            String reason, int effectiveWeight) implements AgentEvent {
    }

    /// The configuration changed (an edit, `config.apply`, or a reload from the file).
    ///
    /// @param source  `edit`, `apply` or `reload`
    /// @param changes one line per change (`added real server 198.51.100.12:80 to tcp/192.0.2.10:80`)
    record ConfigChanged(long sequence, Instant at, String revision, String source, List<String> changes)
            implements AgentEvent {
        public ConfigChanged {
            changes = List.copyOf(changes);
        }
    }

    /// The supervisor restarted a stalled component.
    record ComponentRestarted(long sequence, Instant at, String component, String detail) implements AgentEvent {
    }

    /// Sent instead of missed events when more passed than the agent keeps: call `state.get`
    /// again. Its sequence is the newest at the time; live events follow.
    record Resync(long sequence, Instant at, String reason) implements AgentEvent {
    }

    /// The agent is stopping on purpose (SIGTERM, `systemctl stop`): its masters hand their VIPs
    /// over with priority 0, then the connection closes. A console shows the director as stopped,
    /// not as a link that failed.
    record Stopping(long sequence, Instant at, String reason) implements AgentEvent {
    }

    /// Where the VIPs this director announces through its routing daemon stand changed: one was
    /// announced or withdrawn, became healthy or not, the director was drained or returned, or a
    /// BGP session came up or went down. It carries what `announce.get` would answer now.
    record AnnounceChanged(long sequence, Instant at, Results.Announcements announcements) implements AgentEvent {
    }
}
