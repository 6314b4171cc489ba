package dev.pharos.agent.check;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.regex.Pattern;

/// The response of one `GET`, fed as it arrives: the status line and headers are kept until their
/// end, the body is counted (and hashed when a digest is wanted), never kept. Used by the blocking
/// (TLS) and the non-blocking (plain) paths alike, so both judge a response the same way.
final class ResponseParser {

    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/\\d\\.\\d (\\d{3})(?: .*)?");
    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?im)^content-length:[ \\t]*(\\d{1,18})[ \\t]*$");
    private static final byte[] END_OF_HEADERS = {'\r', '\n', '\r', '\n'};

    private final MessageDigest md5;
    private byte[] head = new byte[0];
    private int headSize;
    private int headerEnd = -1;
    private int status;
    private long contentLength = -1;
    private long body;

    /// @param md5 the digest to feed the body to, or `null` not to hash it
    ResponseParser(MessageDigest md5) {
        this.md5 = md5;
    }

    /// Whether the response is complete without reading to the end of the stream: its headers
    /// and `Content-Length` bytes of body have arrived.
    boolean complete() {
        return headerEnd >= 0 && contentLength >= 0 && body >= contentLength;
    }

    /// Takes the next `n` bytes of the response.
    void feed(byte[] bytes, int from, int n) throws HttpProbe.FetchException {
        if (headerEnd >= 0) {
            body = hash(bytes, from, n, body);
        } else {
            int searchFrom = Math.max(0, headSize - 3);
            if (headSize + n > head.length) {
                head = Arrays.copyOf(head, Math.max(headSize + n, Math.min(2 * head.length, HttpProbe.MAX_HEADER_BYTES + 8192)));
            }
            System.arraycopy(bytes, from, head, headSize, n);
            headSize += n;
            headerEnd = indexOf(head, headSize, searchFrom);
            if (headerEnd < 0) {
                if (headSize > HttpProbe.MAX_HEADER_BYTES) {
                    throw new HttpProbe.FetchException("response exceeds limit: headers over " + HttpProbe.MAX_HEADER_BYTES + " bytes");
                }
                return;
            }
            if (headerEnd > HttpProbe.MAX_HEADER_BYTES) {
                throw new HttpProbe.FetchException("response exceeds limit: headers over " + HttpProbe.MAX_HEADER_BYTES + " bytes");
            }
            var header = new String(head, 0, headerEnd, StandardCharsets.ISO_8859_1);
            status = status(header);
            var length = CONTENT_LENGTH.matcher(header);
            if (length.find()) {
                contentLength = Long.parseLong(length.group(1));
            }
            int start = headerEnd + END_OF_HEADERS.length;
            body = hash(head, start, headSize - start, 0);
        }
        if (body > HttpProbe.MAX_BODY_BYTES || contentLength > HttpProbe.MAX_BODY_BYTES) {
            throw new HttpProbe.FetchException("response exceeds limit: body over " + HttpProbe.MAX_BODY_BYTES + " bytes");
        }
    }

    /// The response, at the end of the stream or once [#complete()].
    HttpProbe.Response finish() throws HttpProbe.FetchException {
        if (headerEnd < 0) {
            throw new HttpProbe.FetchException(headSize == 0 ? "no data received"
                    : "malformed response: it ends before the end of its headers");
        }
        // keepalived only logs a body shorter than its Content-Length; the digest decides.
        return new HttpProbe.Response(status, md5 == null ? "" : HexFormat.of().formatHex(md5.digest()), body);
    }

    /// Adds `n` body bytes to the digest, no further than the Content-Length when there is one
    /// (keepalived hashes exactly that much), and returns the body length read so far.
    private long hash(byte[] bytes, int from, int n, long bodySoFar) {
        if (md5 != null) {
            long wanted = contentLength < 0 ? n : Math.clamp(contentLength - bodySoFar, 0, n);
            md5.update(bytes, from, (int) wanted);
        }
        return bodySoFar + n;
    }

    private static int status(String header) throws HttpProbe.FetchException {
        int eol = header.indexOf("\r\n");
        var line = eol < 0 ? header : header.substring(0, eol);
        var m = STATUS_LINE.matcher(line);
        if (!m.matches()) {
            var shown = line.length() > 40 ? line.substring(0, 40) + "…" : line;
            throw new HttpProbe.FetchException("malformed response: status line '"
                    + shown.replaceAll("[^\\x20-\\x7e…]", "?") + "'");
        }
        int status = Integer.parseInt(m.group(1));
        if (status < 100 || status > 599) {
            throw new HttpProbe.FetchException("malformed response: status " + status + " is outside 100–599");
        }
        return status;
    }

    private static int indexOf(byte[] bytes, int size, int from) {
        outer:
        for (int i = from; i + END_OF_HEADERS.length <= size; i++) {
            for (int j = 0; j < END_OF_HEADERS.length; j++) {
                if (bytes[i + j] != END_OF_HEADERS[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
