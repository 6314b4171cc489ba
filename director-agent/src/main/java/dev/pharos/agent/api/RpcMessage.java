package dev.pharos.agent.api;

import com.fasterxml.jackson.databind.JsonNode;

/// One JSON-RPC 2.0 message (one line on the control channel).
///
/// `id` is kept as the JSON value the client sent (a number or a string) and echoed unchanged.
public sealed interface RpcMessage {

    /// A call that expects a response.
    record Request(JsonNode id, String method, JsonNode params) implements RpcMessage {
    }

    /// A call without `id`: no response (the agent sends `event` notifications this way).
    record Notification(String method, JsonNode params) implements RpcMessage {
    }

    /// A successful response.
    record Success(JsonNode id, JsonNode result) implements RpcMessage {
    }

    /// An error response. `id` is JSON null when the request could not be read far enough to
    /// know it (JSON-RPC 2.0 §5).
    record Failure(JsonNode id, RpcError error) implements RpcMessage {
    }
}
