package dev.pharos.agent.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/// Results of the methods that do not return a whole state.
public final class Results {

    /// An edit or `config.apply` that was applied.
    ///
    /// @param revision the new configuration revision
    /// @param changes  one line per change; empty when the edit changed nothing
    public record Applied(String revision, List<String> changes) {
        public Applied {
            changes = List.copyOf(changes);
        }
    }

    /// `config.get`: the configuration file as the agent runs it.
    ///
    /// @param path     the file the agent runs from
    /// @param text     that file's own text, as the agent last read or wrote it: comments, `@ID`
    ///                 lines, include lines and layout as written (not the files it includes)
    /// @param included the files its include lines read, in the order read; their text is not
    ///                 sent, and a `config.apply` leaves them as they are
    public record Config(String revision, String path, String text, List<String> included) {
        public Config {
            included = List.copyOf(included);
        }
    }

    /// `config.validate` (and the `data` of an [Protocol.Errors#INVALID_CONFIG] error).
    ///
    /// @param valid       no errors
    /// @param diagnostics errors and warnings, each with its line and column
    public record Validation(boolean valid, List<Diagnostic> diagnostics) {
        public Validation {
            diagnostics = List.copyOf(diagnostics);
        }
    }

    /// A finding about a configuration text.
    ///
    /// @param severity `error` or `warning`
    /// @param file     the file it is in, or null
    /// @param line     1-based, 0 when not tied to a place
    /// @param column   1-based, 0 when not tied to a place
    /// @param text     the whole `file:line:col: severity: message` line
    public record Diagnostic(String severity, String file, int line, int column, String message, String text) {
    }

    /// `events.subscribe`.
    ///
    /// @param lastSequence the newest sequence at the time of the call
    /// @param replayed     how many missed events follow as notifications (before live ones)
    /// @param resync       the client asked for events the agent no longer keeps; a `resync`
    ///                     event follows and the client should call `state.get`
    public record Subscribed(long lastSequence, int replayed, boolean resync) {
    }

    /// `events.unsubscribe`: `{}`, the client gets no more events.
    public record Unsubscribed() {
    }

    /// `vrrp.setPriority`: the instance and the base priority it has now.
    public record PrioritySet(String instance, int priority) {
    }

    /// `vrrp.resign`: the instance that sent priority 0 and is backup now.
    public record Resigned(String instance) {
    }

    /// `announce.get` and `announce.drain`: what the director announces through its routing daemon.
    ///
    /// @param daemon   `bird` or `frr`
    /// @param draining withdrawn on purpose (`announce.drain`)
    /// @param sessions the routing daemon's BGP sessions as it reported them at the last check
    ///                 (added later: empty from an agent that does not report them)
    public record Announcements(String daemon, boolean draining, List<Announcement> vips, List<BgpSession> sessions) {
        public Announcements {
            vips = List.copyOf(vips);
            sessions = sessions == null ? List.of() : List.copyOf(sessions);
        }
    }

    /// One BGP session of the director's routing daemon, as the daemon sees it: an announced VIP
    /// reaches a router only over an established one. The router's own table is not read.
    ///
    /// @param name        BIRD: the `protocol bgp` name; FRR: the neighbour's address
    /// @param established in BGP's Established state
    /// @param state       the daemon's own words (`Established`, `Active`, `Connect`…)
    public record BgpSession(String name, boolean established, String state) {
    }

    /// One VIP's announcement.
    ///
    /// @param healthy   every virtual server on it holds quorum
    /// @param wanted    healthy, warmed up and not draining: it should be announced
    /// @param announced what the routing daemon said at the last check; null before one succeeded
    /// @param problem   why the daemon could not be read or corrected, or null
    public record Announcement(String vip, boolean healthy, boolean wanted, Boolean announced, String problem) {
    }

    /// The `data` of a [Protocol.Errors#STALE_REVISION] error.
    public record Stale(String revision) {
    }

    /// The revision of a configuration file's own text, comments and layout included: 16 hex
    /// digits of the SHA-256 of its UTF-8 bytes. Console and agent both compute it from the text
    /// `config.get` gives, for [Params.ConfigApply#baseTextRevision()].
    public static String textRevision(String text) {
        try {
            var digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private Results() {
    }
}
