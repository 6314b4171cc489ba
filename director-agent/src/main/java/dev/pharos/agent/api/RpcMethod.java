package dev.pharos.agent.api;

import java.util.Objects;

/// One JSON-RPC method of the control protocol: its name on the wire, the record its `params`
/// are read into and the record its `result` is read into. Every method is declared once, in
/// [Methods]; the console calls them through these declarations and the agent reads its
/// params through them, so a method's shape is written down in one place.
///
/// @param name   the `method` string on the wire, e.g. `realServer.move`
/// @param params the params record; [Params.None] for a method that takes none
/// @param result the result record
/// @param <P>    the params record
/// @param <R>    the result record
public record RpcMethod<P, R>(String name, Class<P> params, Class<R> result) {

    public RpcMethod {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(result, "result");
    }

    /// Whether the method takes no params (they are not read, whatever the client sends).
    public boolean takesNoParams() {
        return params == Params.None.class;
    }

    @Override
    public String toString() {
        return name;
    }
}
