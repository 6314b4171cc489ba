package dev.pharos.agent.control;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/// A method's result encoded already: UTF-8 slices that, one after the other, are one JSON value.
///
/// A [Method] returns one when its result is large and shared by many callers (`state.get`: a
/// snapshot of megabytes built once for all the clients that asked together). [ControlSession]
/// writes the slices as they are, around its own envelope, so a result is neither encoded again
/// nor copied per client. Anything else that serialises it (a test, a tree) gets the same JSON.
///
/// @param parts   the slices, in order; their arrays must not change once given here, until
///                `written` has run
/// @param written run once by [ControlSession] when it has written the slices to its client, so
///                their arrays can be used again (null: nothing to tell). A result that is dropped
///                instead (the client went away) or serialised some other way never runs it: the
///                arrays are then left to the collector, never reused while still to be written.
public record EncodedJson(List<Slice> parts, Runnable written) implements JsonSerializable {

    public EncodedJson {
        parts = List.copyOf(parts);
    }

    /// Slices whose arrays are never reused.
    public EncodedJson(List<Slice> parts) {
        this(parts, null);
    }

    /// `length` bytes of `bytes` from `offset`.
    public record Slice(byte[] bytes, int offset, int length) {
        public Slice {
            Objects.checkFromIndexSize(offset, length, bytes.length);
        }

        /// The whole array.
        public static Slice of(byte[] bytes) {
            return new Slice(bytes, 0, bytes.length);
        }
    }

    /// The bytes of all slices together.
    public int length() {
        int n = 0;
        for (var p : parts) {
            n += p.length();
        }
        return n;
    }

    /// The JSON in one array (a copy: for tests and the rare caller that needs it whole).
    public byte[] bytes() {
        var out = new ByteArrayOutputStream(length());
        for (var p : parts) {
            out.write(p.bytes(), p.offset(), p.length());
        }
        return out.toByteArray();
    }

    @Override
    public void serialize(JsonGenerator gen, SerializerProvider serializers) throws IOException {
        gen.writeRawValue(new String(bytes(), StandardCharsets.UTF_8));
    }

    @Override
    public void serializeWithType(JsonGenerator gen, SerializerProvider serializers, TypeSerializer typeSer)
            throws IOException {
        serialize(gen, serializers);
    }
}
