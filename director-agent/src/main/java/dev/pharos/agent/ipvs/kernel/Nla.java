package dev.pharos.agent.ipvs.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntFunction;

/// Netlink message and attribute framing (`linux/netlink.h`): a writer for requests and a
/// bounds-checked reader for replies. Multi-byte header fields and attribute values are in host
/// byte order unless the attribute says otherwise (IPVS ports and addresses are network order).
final class Nla {

    static final int NLMSG_HDRLEN = 16;
    static final int GENL_HDRLEN = 4;
    static final int NLA_HDRLEN = 4;
    static final int NLMSG_ERROR = 2;
    static final int NLMSG_DONE = 3;
    static final int NLM_F_REQUEST = 0x1;
    static final int NLM_F_MULTI = 0x2;
    static final int NLM_F_ACK = 0x4;
    static final int NLM_F_DUMP = 0x300;
    static final int NLA_F_NESTED = 0x8000;
    static final int NLA_TYPE_MASK = 0x3fff;

    private Nla() {
    }

    static int align(int n) {
        return (n + 3) & ~3;
    }

    /// Builds one generic-netlink message: `nlmsghdr`, `genlmsghdr`, attributes.
    static final class Writer {
        private ByteBuffer b = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());

        Writer(int type, int flags, int seq, int cmd, int version) {
            b.putInt(0).putShort((short) type).putShort((short) flags).putInt(seq).putInt(0);
            b.put((byte) cmd).put((byte) version).putShort((short) 0);
        }

        private void room(int n) {
            if (b.remaining() < n) {
                var bigger = ByteBuffer.allocate(Math.max(b.capacity() * 2, b.position() + n)).order(b.order());
                b.flip();
                bigger.put(b);
                b = bigger;
            }
        }

        Writer bytes(int type, byte[] value) {
            room(align(NLA_HDRLEN + value.length));
            b.putShort((short) (NLA_HDRLEN + value.length)).putShort((short) type).put(value);
            pad();
            return this;
        }

        Writer u16(int type, int value) {
            return bytes(type, order(2).putShort((short) value).array());
        }

        /// A 16-bit value in network byte order (IPVS ports).
        Writer be16(int type, int value) {
            return bytes(type, new byte[] {(byte) (value >> 8), (byte) value});
        }

        Writer u32(int type, long value) {
            return bytes(type, order(4).putInt((int) value).array());
        }

        Writer string(int type, String value) {
            return bytes(type, (value + "\0").getBytes(StandardCharsets.US_ASCII));
        }

        /// Opens a nested attribute; close it with [#end(int)].
        int begin(int type) {
            room(NLA_HDRLEN);
            int start = b.position();
            b.putShort((short) 0).putShort((short) (type | NLA_F_NESTED));
            return start;
        }

        Writer end(int start) {
            b.putShort(start, (short) (b.position() - start));
            return this;
        }

        byte[] finish() {
            b.putInt(0, b.position());
            return Arrays.copyOf(b.array(), b.position());
        }

        private void pad() {
            while (b.position() % 4 != 0) {
                b.put((byte) 0);
            }
        }

        private static ByteBuffer order(int n) {
            return ByteBuffer.allocate(n).order(ByteOrder.nativeOrder());
        }
    }

    /// One attribute's value, with the path that names it in error messages.
    record Attr(String path, int type, byte[] bytes, int offset, int length) {

        byte[] value() {
            return Arrays.copyOfRange(bytes, offset, offset + length);
        }

        int u16() throws MalformedReplyException {
            expect(2);
            return buffer().getShort(offset) & 0xffff;
        }

        int be16() throws MalformedReplyException {
            expect(2);
            return (bytes[offset] & 0xff) << 8 | bytes[offset + 1] & 0xff;
        }

        long u32() throws MalformedReplyException {
            expect(4);
            return buffer().getInt(offset) & 0xffff_ffffL;
        }

        /// A counter the kernel sends as u32 (`IPVS_*_ATTR_STATS`) or u64 (`…_STATS64`).
        long counter() throws MalformedReplyException {
            return switch (length) {
                case 4 -> u32();
                case 8 -> buffer().getLong(offset);
                default -> throw new MalformedReplyException(path + ": " + length + " bytes, expected 4 or 8");
            };
        }

        /// A NUL-terminated string (the NUL may be missing at the very end).
        String string() {
            int n = 0;
            while (n < length && bytes[offset + n] != 0) {
                n++;
            }
            return new String(bytes, offset, n, StandardCharsets.US_ASCII);
        }

        Attrs nested(IntFunction<String> names) throws MalformedReplyException {
            return Attrs.parse(bytes, offset, offset + length, path, names);
        }

        private void expect(int n) throws MalformedReplyException {
            if (length != n) {
                throw new MalformedReplyException(path + ": " + length + " bytes, expected " + n);
            }
        }

        private ByteBuffer buffer() {
            return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        }
    }

    /// The attributes of one level, by type; an unknown type is kept (and ignored by the caller),
    /// a repeated one keeps the last.
    static final class Attrs {
        private final Map<Integer, Attr> byType;
        private final String path;

        private Attrs(Map<Integer, Attr> byType, String path) {
            this.byType = byType;
            this.path = path;
        }

        /// Reads `[from, to)` of `bytes` as attributes (`nla_ok` rules: a header that does not fit or
        /// an attribute running past the end is an error; fewer than 4 trailing bytes are padding).
        static Attrs parse(byte[] bytes, int from, int to, String path, IntFunction<String> names)
                throws MalformedReplyException {
            var map = new LinkedHashMap<Integer, Attr>();
            var buf = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
            int at = from;
            while (to - at >= NLA_HDRLEN) {
                int len = buf.getShort(at) & 0xffff;
                int type = buf.getShort(at + 2) & NLA_TYPE_MASK;
                if (len < NLA_HDRLEN) {
                    throw new MalformedReplyException(path + ": attribute " + type + " at byte " + at + " has length "
                            + len + ", less than its own 4-byte header");
                }
                if (len > to - at) {
                    throw new MalformedReplyException(path + ": attribute " + type + " at byte " + at + " has length "
                            + len + " but only " + (to - at) + " bytes remain");
                }
                map.put(type, new Attr(path + " > " + names.apply(type), type, bytes, at + NLA_HDRLEN, len - NLA_HDRLEN));
                at += align(len);
            }
            return new Attrs(map, path);
        }

        Attr get(int type) {
            return byType.get(type);
        }

        boolean has(int type) {
            return byType.containsKey(type);
        }

        Attr require(int type, String name) throws MalformedReplyException {
            var a = byType.get(type);
            if (a == null) {
                throw new MalformedReplyException(path + ": " + name + " is missing");
            }
            return a;
        }

        String path() {
            return path;
        }
    }
}
