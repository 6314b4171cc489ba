package dev.pharos.agent.api;

/// A failure that becomes a JSON-RPC error response: thrown by method handlers and by the codec.
public final class RpcException extends Exception {

    private final transient RpcError error;

    public RpcException(RpcError error) {
        super(error.message());
        this.error = error;
    }

    public RpcException(int code, String message) {
        this(RpcError.of(code, message));
    }

    public RpcError error() {
        return error;
    }
}
