package dev.pharos.agent.api;

import java.util.List;

/// Protocol constants: the version, the method names and the error codes.
///
/// The method names are the wire strings of the declarations in [Methods], which say each
/// method's params and result; they stay here as compile-time constants (the agent's role table
/// is keyed by them), and [#METHODS] is read from the declarations so the two cannot drift apart.
///
/// The version is an integer that changes only when an existing method changes incompatibly;
/// adding a method or a field does not change it (clients ignore fields they do not know).
public final class Protocol {

    /// Returned by `agent.hello`.
    public static final int VERSION = 1;

    /// The longest request line an agent accepts, in bytes (the newline excluded).
    public static final int MAX_LINE_BYTES = 1 << 20;

    // The wire names of the declarations in [Methods], one constant each.
    public static final String HELLO = "agent.hello";
    public static final String STATE_GET = "state.get";
    public static final String EVENTS_SUBSCRIBE = "events.subscribe";
    public static final String EVENTS_UNSUBSCRIBE = "events.unsubscribe";
    public static final String REAL_SERVER_ADD = "realServer.add";
    public static final String REAL_SERVER_REMOVE = "realServer.remove";
    public static final String REAL_SERVER_UPDATE = "realServer.update";
    public static final String REAL_SERVER_MOVE = "realServer.move";
    public static final String VIRTUAL_SERVER_ADD = "virtualServer.add";
    public static final String VIRTUAL_SERVER_REMOVE = "virtualServer.remove";
    public static final String VIRTUAL_SERVER_UPDATE = "virtualServer.update";
    public static final String VRRP_SET_PRIORITY = "vrrp.setPriority";
    public static final String VRRP_RESIGN = "vrrp.resign";
    public static final String CONFIG_GET = "config.get";
    public static final String CONFIG_VALIDATE = "config.validate";
    public static final String CONFIG_APPLY = "config.apply";
    public static final String ANNOUNCE_GET = "announce.get";
    public static final String ANNOUNCE_DRAIN = "announce.drain";

    /// The notification method that carries an [AgentEvent] to a subscriber.
    public static final String EVENT_NOTIFICATION = "event";

    /// The name of every method in [Methods#ALL], in its order.
    public static final List<String> METHODS = Methods.ALL.stream().map(RpcMethod::name).toList();

    /// JSON-RPC 2.0's own codes (§5.1) and Pharos's application codes (−32000 to −32099 are
    /// reserved by the spec for implementation-defined server errors).
    public static final class Errors {
        public static final int PARSE_ERROR = -32700;
        public static final int INVALID_REQUEST = -32600;
        public static final int METHOD_NOT_FOUND = -32601;
        public static final int INVALID_PARAMS = -32602;
        public static final int INTERNAL_ERROR = -32603;
        /// The edit's `baseRevision` is not the agent's current revision; `data.revision` is.
        public static final int STALE_REVISION = -32001;
        /// The configuration that would result is invalid; `data.diagnostics` lists why.
        public static final int INVALID_CONFIG = -32002;
        /// The named instance, virtual server or real server does not exist.
        public static final int NOT_FOUND = -32003;
        /// The change was valid but could not be applied; nothing changed.
        public static final int APPLY_FAILED = -32004;
        /// The agent is busy (too many clients, too many requests in flight).
        public static final int BUSY = -32005;
        /// The configuration file was changed on disk (by hand, by another tool) since the agent
        /// last read or wrote it; nothing was written. Reload the agent (SIGHUP) so it runs what the
        /// file says, then redo the edit on the new revision.
        public static final int CHANGED_ON_DISK = -32006;
        /// The caller's role may not do this (an operator asking for what needs the agent's own
        /// user or root); the message says what needs an administrator.
        public static final int NOT_PERMITTED = -32007;

        private Errors() {
        }
    }

    private Protocol() {
    }
}
