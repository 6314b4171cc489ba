package dev.pharos.agent.api;

import com.fasterxml.jackson.databind.JsonNode;

/// A JSON-RPC error object: a code from [Protocol.Errors], a sentence for a person, and
/// optional structured `data` (the current revision, the diagnostics).
public record RpcError(int code, String message, JsonNode data) {

    public static RpcError of(int code, String message) {
        return new RpcError(code, message, null);
    }
}
