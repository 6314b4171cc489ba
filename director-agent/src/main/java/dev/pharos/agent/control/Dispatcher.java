package dev.pharos.agent.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.pharos.agent.api.Protocol;
import dev.pharos.agent.api.RpcError;
import dev.pharos.agent.api.RpcException;
import dev.pharos.agent.api.RpcMessage;
import dev.pharos.agent.config.Suggestions;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.Optional;

/// Routes requests to [Method]s and turns every outcome into exactly one response line: a
/// result, the method's [RpcException], or an internal error (logged with its stack trace, never
/// sent to the client).
public final class Dispatcher {

    private static final System.Logger LOG = System.getLogger(Dispatcher.class.getName());

    private final Map<String, Method> methods;
    private final RefusalLog refusals;

    public Dispatcher(Map<String, Method> methods) {
        this(methods, new RefusalLog());
    }

    /// @param refusals where denials of a role are logged, rate-limited
    public Dispatcher(Map<String, Method> methods, RefusalLog refusals) {
        this.methods = Map.copyOf(methods);
        this.refusals = refusals;
    }

    /// Handles one decoded line. Returns the response to send, or nothing for a notification
    /// (JSON-RPC 2.0 §4.1: the server must not reply to one) or a stray response.
    public Optional<RpcMessage> handle(RpcMessage message, Method.Session session) {
        return switch (message) {
            case RpcMessage.Request r -> Optional.of(call(r.id(), r.method(), r.params(), session));
            case RpcMessage.Notification n -> {
                var response = call(null, n.method(), n.params(), session);
                if (response instanceof RpcMessage.Failure f) {
                    LOG.log(Level.DEBUG, "notification {0} from {1} failed: {2}", n.method(), session.peer(),
                            f.error().message());
                }
                yield Optional.empty();
            }
            case RpcMessage.Success s -> {
                LOG.log(Level.DEBUG, "ignoring a response from {0}: the agent sends no requests", session.peer());
                yield Optional.empty();
            }
            case RpcMessage.Failure f -> {
                LOG.log(Level.DEBUG, "ignoring an error response from {0}: {1}", session.peer(), f.error().message());
                yield Optional.empty();
            }
        };
    }

    private RpcMessage call(JsonNode id, String name, JsonNode params, Method.Session session) {
        var method = methods.get(name);
        if (method == null) {
            return new RpcMessage.Failure(id, RpcError.of(Protocol.Errors.METHOD_NOT_FOUND,
                    "no method \"" + truncate(name) + "\"" + suggestion(name)));
        }
        var required = Role.required(name);
        if (!session.role().covers(required)) {
            var message = name + " needs " + (required == Role.ADMIN ? "root or the agent's own user" : required.label())
                    + "; you are connected as " + session.role().label()
                    + ": ask an administrator, or use sudo director-agent ctl";
            refusals.refused(RefusalLog.Kind.NOT_PERMITTED, session.peer() + ": refused " + name + ": " + message);
            return new RpcMessage.Failure(id, RpcError.of(Protocol.Errors.NOT_PERMITTED, message));
        }
        try {
            var result = method.call(params, session);
            // A POJONode is written straight from the record: no intermediate tree for large results.
            return new RpcMessage.Success(id, result instanceof JsonNode n ? n
                    : JsonNodeFactory.instance.pojoNode(result));
        } catch (RpcException e) {
            if (e.error().code() == Protocol.Errors.NOT_PERMITTED) {
                refusals.refused(RefusalLog.Kind.NOT_PERMITTED, session.peer() + ": refused " + name + ": "
                        + e.error().message());
            }
            return new RpcMessage.Failure(id, e.error());
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "method " + name + " failed for " + session.peer(), e);
            return new RpcMessage.Failure(id, RpcError.of(Protocol.Errors.INTERNAL_ERROR,
                    name + " failed inside the agent: " + e + " (the agent's log has the details)"));
        }
    }

    private String suggestion(String name) {
        return Suggestions.closest(name, methods.keySet()).map(m -> "; did you mean \"" + m + "\"?").orElse("");
    }

    private static String truncate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}
