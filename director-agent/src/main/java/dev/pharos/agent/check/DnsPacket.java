package dev.pharos.agent.check;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/// The two DNS messages `DNS_CHECK` needs (RFC 1035 §4.1): the query it sends and the header of
/// the reply it reads. Pure: bytes in, values out.
public final class DnsPacket {

    /// RFC 1035 §4.1.1: the fixed header is 12 bytes.
    public static final int HEADER_LENGTH = 12;
    private static final int FLAG_QR = 0x8000;
    private static final int FLAG_RD = 0x0100;
    private static final int CLASS_IN = 1;
    private static final int MAX_LABEL = 63;
    private static final int MAX_NAME = 255;

    private DnsPacket() {
    }

    /// The header fields a checker reads from a reply.
    ///
    /// @param response the QR bit: this is a response, not a query
    public record Header(int id, boolean response, Rcode rcode) {
    }

    /// RFC 1035 §4.1.1 RCODE, an open code space: unknown values survive as themselves.
    public record Rcode(int value) {
        public static final Rcode NOERROR = new Rcode(0);
        public static final Rcode FORMERR = new Rcode(1);
        public static final Rcode SERVFAIL = new Rcode(2);
        public static final Rcode NXDOMAIN = new Rcode(3);
        public static final Rcode NOTIMP = new Rcode(4);
        public static final Rcode REFUSED = new Rcode(5);

        @Override
        public String toString() {
            return switch (value) {
                case 0 -> "NOERROR";
                case 1 -> "FORMERR";
                case 2 -> "SERVFAIL";
                case 3 -> "NXDOMAIN";
                case 4 -> "NOTIMP";
                case 5 -> "REFUSED";
                default -> "RCODE " + value;
            };
        }
    }

    /// A reply that cannot be read as one.
    public static final class MalformedException extends Exception {
        public MalformedException(String message) {
            super(message);
        }
    }

    /// A standard query with recursion desired for `name` (empty or `.` for the root), `type`,
    /// class IN, as keepalived sends it.
    ///
    /// @throws IllegalArgumentException when the name has an empty label or is too long
    public static byte[] query(int id, String name, int type) {
        var trimmed = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        var labels = trimmed.isEmpty() ? new String[0] : trimmed.split("\\.", -1);
        int nameLength = 1;
        for (var label : labels) {
            int length = label.getBytes(StandardCharsets.US_ASCII).length;
            if (length == 0) {
                throw new IllegalArgumentException("DNS name '" + name + "' has an empty label");
            }
            if (length > MAX_LABEL) {
                throw new IllegalArgumentException("DNS name '" + name + "' has a label over " + MAX_LABEL + " bytes");
            }
            nameLength += 1 + length;
        }
        if (nameLength > MAX_NAME) {
            throw new IllegalArgumentException("DNS name '" + name + "' is over " + MAX_NAME + " bytes");
        }
        var out = ByteBuffer.allocate(HEADER_LENGTH + nameLength + 4);
        out.putShort((short) id);
        out.putShort((short) FLAG_RD);
        out.putShort((short) 1); // QDCOUNT
        out.putShort((short) 0);
        out.putShort((short) 0);
        out.putShort((short) 0);
        for (var label : labels) {
            var bytes = label.getBytes(StandardCharsets.US_ASCII);
            out.put((byte) bytes.length);
            out.put(bytes);
        }
        out.put((byte) 0);
        out.putShort((short) type);
        out.putShort((short) CLASS_IN);
        return out.array();
    }

    /// The header of a received datagram.
    public static Header header(byte[] datagram, int length) throws MalformedException {
        if (length < HEADER_LENGTH) {
            throw new MalformedException(length + " bytes, shorter than a DNS header (12)");
        }
        int id = get16(datagram, 0);
        int flags = get16(datagram, 2);
        return new Header(id, (flags & FLAG_QR) != 0, new Rcode(flags & 0x000F));
    }

    private static int get16(byte[] b, int at) {
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
    }
}
