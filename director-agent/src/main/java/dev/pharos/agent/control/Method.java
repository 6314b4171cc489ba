package dev.pharos.agent.control;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pharos.agent.api.RpcException;

/// One JSON-RPC method: params in, a result (any value Jackson can write) out, or an
/// [RpcException] that becomes the error response.
@FunctionalInterface
public interface Method {

    Object call(JsonNode params, Session session) throws RpcException;

    /// What a method may know about the client calling it.
    interface Session {
        /// Starts delivering events to this client (see [EventJournal#subscribe]).
        dev.pharos.agent.api.Results.Subscribed subscribe(Long afterSequence);

        void unsubscribe();

        /// For logs: `client 3 (user root, group root, admin)`, `lab` …
        String peer();

        /// What the caller may do, from its credentials; [Dispatcher] checks it against
        /// [Role#required] before a method runs, and a method that lets operators in with
        /// conditions (`config.apply`) checks it again.
        Role role();
    }
}
