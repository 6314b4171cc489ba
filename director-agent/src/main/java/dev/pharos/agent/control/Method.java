package dev.pharos.agent.control;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pharos.agent.api.JsonRpc;
import dev.pharos.agent.api.Params;
import dev.pharos.agent.api.Results;
import dev.pharos.agent.api.RpcException;
import dev.pharos.agent.api.RpcMethod;

/// One JSON-RPC method: params in, a result (any value Jackson can write) out, or an
/// [RpcException] that becomes the error response.
@FunctionalInterface
public interface Method {

    Object call(JsonNode params, Session session) throws RpcException;

    /// The method `declared`, its params read into the declared record (a mistyped field is
    /// [dev.pharos.agent.api.Protocol.Errors#INVALID_PARAMS]) and its result of the declared type.
    /// A method that takes [Params.None] reads nothing: whatever a client sends is ignored.
    static <P, R> Method of(RpcMethod<P, R> declared, Typed<P, R> body) {
        return (params, session) -> body.call(declared.takesNoParams() ? declared.params().cast(Params.None.NONE)
                : JsonRpc.params(params, declared.params()), session);
    }

    /// A method's body with its params already read: `P` in, `R` out.
    @FunctionalInterface
    interface Typed<P, R> {
        R call(P params, Session session) throws RpcException;
    }

    /// What a method may know about the client calling it.
    interface Session {
        /// Starts delivering events to this client (see [EventJournal#subscribe]).
        Results.Subscribed subscribe(Long afterSequence);

        void unsubscribe();

        /// For logs: `client 3 (user root, group root, admin)`, `lab` …
        String peer();

        /// What the caller may do, from its credentials; [Dispatcher] checks it against
        /// [Role#required] before a method runs, and a method that lets operators in with
        /// conditions (`config.apply`) checks it again.
        Role role();
    }
}
