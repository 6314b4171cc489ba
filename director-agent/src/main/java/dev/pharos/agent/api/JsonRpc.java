package dev.pharos.agent.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.util.Locale;

/// The JSON-RPC 2.0 codec: one line of text ⇄ one [RpcMessage]. Pure: no I/O.
///
/// Decoding is strict where the spec is (`"jsonrpc": "2.0"`, a string `method`, `params` an
/// object or array, `id` a string, number or null) and bounded where a hostile peer could hurt:
/// nesting depth and string length are limited by the parser itself, so a deep or huge document is
/// a parse error, not a stack overflow or an exhausted heap.
public final class JsonRpc {

    /// Deeper JSON than any Pharos message needs (the deepest is about 6 levels).
    public static final int MAX_DEPTH = 64;

    private static final ObjectMapper MAPPER = base().build();

    private static JsonMapper.Builder base() {
        return JsonMapper.builder(JsonFactory.builder()
                        .streamReadConstraints(StreamReadConstraints.builder()
                                .maxNestingDepth(MAX_DEPTH)
                                .maxStringLength(Protocol.MAX_LINE_BYTES)
                                .maxNumberLength(64)
                                .build())
                        .build())
                .addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
    }

    /// The mapper for `params`: MAPPER made strict about scalars, since a request's types are the
    /// protocol's (docs/protocol.md): no string for a number or a boolean (`"priority": "100"`), no
    /// number or boolean for a string, no fraction for an integer, no number for a boolean.
    private static final ObjectMapper PARAMS = base()
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .withCoercionConfig(LogicalType.Integer, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail))
            .withCoercionConfig(LogicalType.Float, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
            .withCoercionConfig(LogicalType.Boolean, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail))
            .withCoercionConfig(LogicalType.Textual, c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();

    /// The mapper for the protocol's records (java.time as ISO-8601 strings, unknown fields ignored
    /// so newer agents can add fields).
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /// Reads one line. Throws with [Protocol.Errors#PARSE_ERROR] for text that is not JSON, and
    /// [Protocol.Errors#INVALID_REQUEST] for JSON that is not a JSON-RPC 2.0 message; the
    /// exception's message says which member is wrong.
    public static RpcMessage decode(String line) throws RpcException {
        JsonNode node;
        try {
            node = MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            throw new RpcException(Protocol.Errors.PARSE_ERROR, "not JSON: " + e.getOriginalMessage());
        }
        if (node == null || node.isMissingNode()) {
            throw new RpcException(Protocol.Errors.INVALID_REQUEST, "empty line");
        }
        if (!(node instanceof ObjectNode o)) {
            // Batches (arrays) are JSON-RPC 2.0 but nothing in Pharos needs them.
            throw new RpcException(Protocol.Errors.INVALID_REQUEST,
                    "expected one JSON object per line, got " + describe(node.getNodeType()));
        }
        var version = o.get("jsonrpc");
        if (version == null || !version.isTextual() || !version.asText().equals("2.0")) {
            throw new RpcException(Protocol.Errors.INVALID_REQUEST, "\"jsonrpc\" must be \"2.0\"");
        }
        var id = o.get("id");
        if (id != null && !(id.isTextual() || id.isIntegralNumber() || id.isNull())) {
            throw new RpcException(Protocol.Errors.INVALID_REQUEST, "\"id\" must be a string, an integer or null");
        }
        var method = o.get("method");
        if (method != null) {
            if (!method.isTextual() || method.asText().isEmpty()) {
                throw new RpcException(new RpcError(Protocol.Errors.INVALID_REQUEST,
                        "\"method\" must be a non-empty string", null));
            }
            var params = o.get("params");
            if (params != null && !params.isObject() && !params.isArray()) {
                throw new RpcException(Protocol.Errors.INVALID_REQUEST, "\"params\" must be an object or an array");
            }
            var p = params == null ? JsonNodeFactory.instance.objectNode() : params;
            return id == null ? new RpcMessage.Notification(method.asText(), p)
                    : new RpcMessage.Request(id, method.asText(), p);
        }
        var result = o.get("result");
        var error = o.get("error");
        if (result != null && error == null) {
            return new RpcMessage.Success(id == null ? NullNode.instance : id, result);
        }
        if (error != null && result == null && error.isObject() && error.path("code").isInt()
                && error.path("message").isTextual()) {
            var data = error.get("data");
            return new RpcMessage.Failure(id == null ? NullNode.instance : id,
                    new RpcError(error.get("code").asInt(), error.get("message").asText(), data));
        }
        throw new RpcException(Protocol.Errors.INVALID_REQUEST,
                "a message needs \"method\", or exactly one of \"result\" and \"error\" (an object with code and message)");
    }

    /// Writes one message as a single line (no newline inside: JSON escapes control characters).
    public static String encode(RpcMessage message) {
        var o = JsonNodeFactory.instance.objectNode();
        o.put("jsonrpc", "2.0");
        switch (message) {
            case RpcMessage.Request r -> {
                o.set("id", r.id());
                o.put("method", r.method());
                o.set("params", r.params());
            }
            case RpcMessage.Notification n -> {
                o.put("method", n.method());
                o.set("params", n.params());
            }
            case RpcMessage.Success s -> {
                o.set("id", s.id());
                o.set("result", s.result() == null ? NullNode.instance : s.result());
            }
            case RpcMessage.Failure f -> {
                o.set("id", f.id() == null ? NullNode.instance : f.id());
                var e = o.putObject("error");
                e.put("code", f.error().code());
                e.put("message", f.error().message());
                if (f.error().data() != null) {
                    e.set("data", f.error().data());
                }
            }
        }
        try {
            return MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of JSON nodes always serializes", e);
        }
    }

    /// A record (or any value) as a JSON tree, for `params` and `result`.
    public static JsonNode tree(Object value) {
        return MAPPER.valueToTree(value);
    }

    /// `params` as the method's record; a missing or mistyped field is [Protocol.Errors#INVALID_PARAMS]
    /// naming the field.
    public static <T> T params(JsonNode params, Class<T> type) throws RpcException {
        try {
            return PARAMS.treeToValue(params, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            var msg = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new RpcException(Protocol.Errors.INVALID_PARAMS, "invalid params: " + field(e) + firstLine(msg));
        }
    }

    /// `priority: ` for a mistyped field, so the message names it (Jackson's own message does not).
    private static String field(Exception e) {
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            var names = m.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName()
                    : "[" + r.getIndex() + "]").toList();
            return String.join(".", names) + ": ";
        }
        return "";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "malformed";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static String describe(JsonNodeType type) {
        return switch (type) {
            case ARRAY -> "an array (batches are not supported)";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> type.name().toLowerCase(Locale.ROOT);
        };
    }

    private JsonRpc() {
    }
}
