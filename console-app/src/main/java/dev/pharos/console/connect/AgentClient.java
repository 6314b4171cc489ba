package dev.pharos.console.connect;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.pharos.agent.api.JsonRpc;
import dev.pharos.agent.api.RpcException;
import dev.pharos.agent.api.RpcMethod;
import dev.pharos.agent.control.ControlClient;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/// The console's one way to call an agent: a method of `agent.api.Methods`, its params record in,
/// its result record out. Nothing else in the console names a method by its string or builds a
/// request from a map or a JSON tree (`TypedClientArchitectureTest` keeps it so).
///
/// Thread-safe as [ControlClient] is: calls may be made from any thread.
public final class AgentClient {

    private final ControlClient client;
    private final Duration timeout;

    /// @param timeout how long [#call(RpcMethod, Object)] waits for an answer
    public AgentClient(ControlClient client, Duration timeout) {
        this.client = Objects.requireNonNull(client, "client");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /// Calls `method` and waits for its result, at most this client's timeout. An error response
    /// is thrown as [RpcException]; a lost connection, no answer in time or an answer that does
    /// not fit the declared result as [IOException].
    ///
    /// @param params the method's params record; `Params.None.NONE` for a method without params
    public <P, R> R call(RpcMethod<P, R> method, P params) throws RpcException, IOException {
        return call(method, params, timeout);
    }

    /// [#call(RpcMethod, Object)] with its own timeout (the heartbeat's is shorter).
    public <P, R> R call(RpcMethod<P, R> method, P params, Duration timeout) throws RpcException, IOException {
        Objects.requireNonNull(params, () -> method + ": params are required (Params.None.NONE for none)");
        return client.call(method.name(), method.params().cast(params), method.result(), timeout);
    }

    /// The `data` of an error response read as `type` (e.g. the diagnostics of an invalid
    /// configuration), or empty when the error has none or it does not fit.
    public static <T> Optional<T> errorData(RpcException error, Class<T> type) {
        var data = error.error().data();
        if (data == null || data.isNull()) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(JsonRpc.mapper().treeToValue(data, type));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
