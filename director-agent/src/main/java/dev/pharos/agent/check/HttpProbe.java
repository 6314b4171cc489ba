package dev.pharos.agent.check;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/// `HTTP_GET` and `SSL_GET` (keepalived's `check_http.c`, `check_ssl.c`): for each URL one
/// connection, one `GET` in keepalived's form
///
/// ```
/// GET /path HTTP/1.0
/// User-Agent: KeepAliveClient
/// Host: 192.0.2.2:80
/// ```
///
/// (`Connection: close` added for `http_protocol 1.0C` and `1.1`; `Host:` is the virtualhost when
/// one is set), then the response is read to its end or its `Content-Length`. The status must be
/// accepted by the URL's `status_code` ranges and, when the URL has a `digest`, the MD5 of the
/// body (the bytes after the header, as received) must equal it. TLS certificates are not
/// verified, as keepalived does not verify them by default.
///
/// Deviation from keepalived: keepalived re-arms `connect_timeout` on every read, so a server that
/// trickles a byte a second keeps a check open for ever; here `connect_timeout` bounds each URL's
/// whole exchange. Headers over [#MAX_HEADER_BYTES] and bodies over [#MAX_BODY_BYTES] fail the
/// attempt. keepalived checks one URL per delay_loop; here one attempt checks every URL.
public final class HttpProbe implements Probe {

    /// Longest status line and header section read before the attempt fails.
    public static final int MAX_HEADER_BYTES = 16 * 1024;
    /// Longest body read before the attempt fails.
    public static final long MAX_BODY_BYTES = 4L * 1024 * 1024;

    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/\\d\\.\\d (\\d{3})(?: .*)?");
    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?im)^content-length:[ \\t]*(\\d{1,18})[ \\t]*$");
    private static final byte[] END_OF_HEADERS = {'\r', '\n', '\r', '\n'};

    private final CheckSpec.HttpGet spec;

    public HttpProbe(CheckSpec.HttpGet spec) {
        this.spec = spec;
    }

    /// What one `GET` returned.
    ///
    /// @param digest MD5 of the body in lower-case hex (empty when not asked for)
    public record Response(int status, String digest, long bodyBytes) {
    }

    /// Why one `GET` got no usable response.
    public static final class FetchException extends Exception {
        FetchException(String reason) {
            super(reason);
        }
    }

    @Override
    public ProbeResult attempt() {
        for (var url : spec.urls()) {
            var prefix = spec.urls().size() > 1 ? "GET " + url.path() + ": " : "";
            try {
                var response = fetch(spec, url, url.digest() != null);
                if (!url.accepts(response.status())) {
                    return ProbeResult.down(prefix + "status " + response.status());
                }
                if (url.digest() != null && !url.digest().equals(response.digest())) {
                    return ProbeResult.down(prefix + "digest mismatch: got " + response.digest() + ", expected " + url.digest());
                }
            } catch (FetchException e) {
                return ProbeResult.down(prefix + e.getMessage());
            }
        }
        return ProbeResult.up();
    }

    /// keepalived's request for `url`.
    static String request(CheckSpec.HttpGet spec, CheckSpec.Url url) {
        var vhost = url.virtualhost() != null ? url.virtualhost() : spec.virtualhost();
        var host = vhost != null ? vhost : spec.endpoint().hostPort();
        var version = spec.httpVersion();
        return "GET " + url.path() + " HTTP/" + version.requestVersion() + "\r\n"
                + "User-Agent: KeepAliveClient\r\n"
                + (version.connectionClose() ? "Connection: close\r\n" : "")
                + "Host: " + host + "\r\n\r\n";
    }

    /// One `GET` of `url`, bounded by the endpoint's `connect_timeout`.
    public static Response fetch(CheckSpec.HttpGet spec, CheckSpec.Url url) throws FetchException {
        return fetch(spec, url, true);
    }

    /// As [#fetch(CheckSpec.HttpGet, CheckSpec.Url)]; without `digest` the body is read but not
    /// hashed (keepalived hashes only for a `digest` line) and [Response#digest()] is empty.
    static Response fetch(CheckSpec.HttpGet spec, CheckSpec.Url url, boolean digest) throws FetchException {
        var endpoint = spec.endpoint();
        var timeout = endpoint.connectTimeout();
        long deadline = System.nanoTime() + timeout.toNanos();
        // Only the plain socket is closed: closing a TLS socket would first try to send
        // close_notify, which a stuck peer could hold up.
        try (var raw = new Socket(Proxy.NO_PROXY)) {
            TcpProbe.bind(raw, endpoint);
            raw.connect(endpoint.connectTo(), TcpProbe.timeoutMillis(endpoint));
            Socket socket = raw;
            if (spec.ssl()) {
                socket = handshake(spec, url, raw, deadline);
            }
            setTimeout(socket, deadline);
            var out = socket.getOutputStream();
            out.write(request(spec, url).getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return read(socket, socket.getInputStream(), deadline, digest ? md5() : null);
        } catch (SocketTimeoutException e) {
            throw new FetchException("timeout after " + Failures.seconds(timeout));
        } catch (IOException e) {
            throw new FetchException(Failures.reason(e, timeout));
        }
    }

    private static SSLSocket handshake(CheckSpec.HttpGet spec, CheckSpec.Url url, Socket raw, long deadline)
            throws IOException, FetchException {
        var host = spec.endpoint().connectTo().getAddress().getHostAddress();
        var tls = (SSLSocket) Tls.FACTORY.createSocket(raw, host, spec.endpoint().connectTo().getPort(), true);
        var params = tls.getSSLParameters();
        var sniName = spec.sniName() != null ? spec.sniName()
                : url.virtualhost() != null ? url.virtualhost() : spec.virtualhost();
        if (spec.sni() && sniName != null && !sniName.isEmpty() && !sniName.contains(":") && !sniName.matches("[0-9.]+")) {
            try {
                params.setServerNames(List.of(new SNIHostName(sniName)));
            } catch (IllegalArgumentException e) {
                throw new FetchException("TLS SNI name '" + sniName + "' is not a host name: " + e.getMessage());
            }
        } else {
            params.setServerNames(List.of());
        }
        tls.setSSLParameters(params);
        setTimeout(tls, deadline);
        try {
            tls.startHandshake();
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (SSLException e) {
            throw new FetchException("TLS handshake failed: " + e.getMessage());
        } catch (IOException e) {
            throw new FetchException("TLS handshake failed: " + Failures.reason(e, spec.endpoint().connectTimeout()));
        }
        return tls;
    }

    private static void setTimeout(Socket socket, long deadline) throws IOException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException();
        }
        socket.setSoTimeout((int) Math.clamp(left / 1_000_000, 1, Integer.MAX_VALUE));
    }

    private static Response read(Socket socket, InputStream in, long deadline, MessageDigest md5)
            throws IOException, FetchException {
        var head = new ByteArrayOutputStream(1024);
        var buffer = new byte[8192];
        int headerEnd = -1;
        int status = 0;
        long contentLength = -1;
        long body = 0;
        while (contentLength < 0 || body < contentLength) {
            setTimeout(socket, deadline);
            int n = in.read(buffer);
            if (n < 0) {
                break;
            }
            if (headerEnd >= 0) {
                body = hash(md5, buffer, 0, n, body, contentLength);
            } else {
                int searchFrom = Math.max(0, head.size() - 3);
                head.write(buffer, 0, n);
                var bytes = head.toByteArray();
                headerEnd = indexOf(bytes, searchFrom);
                if (headerEnd < 0) {
                    if (bytes.length > MAX_HEADER_BYTES) {
                        throw new FetchException("response exceeds limit: headers over " + MAX_HEADER_BYTES + " bytes");
                    }
                    continue;
                }
                if (headerEnd > MAX_HEADER_BYTES) {
                    throw new FetchException("response exceeds limit: headers over " + MAX_HEADER_BYTES + " bytes");
                }
                var header = new String(bytes, 0, headerEnd, StandardCharsets.ISO_8859_1);
                status = status(header);
                var length = CONTENT_LENGTH.matcher(header);
                if (length.find()) {
                    contentLength = Long.parseLong(length.group(1));
                }
                int start = headerEnd + END_OF_HEADERS.length;
                body = hash(md5, bytes, start, bytes.length - start, 0, contentLength);
            }
            if (body > MAX_BODY_BYTES || contentLength > MAX_BODY_BYTES) {
                throw new FetchException("response exceeds limit: body over " + MAX_BODY_BYTES + " bytes");
            }
        }
        if (headerEnd < 0) {
            throw new FetchException(head.size() == 0 ? "no data received"
                    : "malformed response: it ends before the end of its headers");
        }
        // keepalived only logs a body shorter than its Content-Length; the digest decides.
        return new Response(status, md5 == null ? "" : HexFormat.of().formatHex(md5.digest()), body);
    }

    /// Adds `n` body bytes to the digest, no further than the Content-Length when there is one
    /// (keepalived hashes exactly that much), and returns the body length read so far.
    private static long hash(MessageDigest md5, byte[] bytes, int from, int n, long body, long contentLength) {
        if (md5 != null) {
            long wanted = contentLength < 0 ? n : Math.clamp(contentLength - body, 0, n);
            md5.update(bytes, from, (int) wanted);
        }
        return body + n;
    }

    private static int status(String header) throws FetchException {
        int eol = header.indexOf("\r\n");
        var line = eol < 0 ? header : header.substring(0, eol);
        var m = STATUS_LINE.matcher(line);
        if (!m.matches()) {
            var shown = line.length() > 40 ? line.substring(0, 40) + "…" : line;
            throw new FetchException("malformed response: status line '"
                    + shown.replaceAll("[^\\x20-\\x7e…]", "?") + "'");
        }
        int status = Integer.parseInt(m.group(1));
        if (status < 100 || status > 599) {
            throw new FetchException("malformed response: status " + status + " is outside 100–599");
        }
        return status;
    }

    private static int indexOf(byte[] bytes, int from) {
        outer:
        for (int i = from; i + END_OF_HEADERS.length <= bytes.length; i++) {
            for (int j = 0; j < END_OF_HEADERS.length; j++) {
                if (bytes[i + j] != END_OF_HEADERS[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /// A fresh MD5, cloned from one looked up once: the provider lookup costs more than a check.
    private static MessageDigest md5() {
        try {
            return (MessageDigest) Md5.PROTOTYPE.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("this JDK's MD5 cannot be cloned", e);
        }
    }

    private static final class Md5 {
        static final MessageDigest PROTOTYPE = create();

        private static MessageDigest create() {
            try {
                return MessageDigest.getInstance("MD5");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("this JDK has no MD5, which every JDK must have", e);
            }
        }
    }

    /// A TLS client that accepts any certificate, as keepalived's SSL_GET does without a CA file.
    private static final class Tls {
        static final SSLSocketFactory FACTORY = create();

        private static SSLSocketFactory create() {
            try {
                var context = SSLContext.getInstance("TLS");
                context.init(null, new TrustManager[] {new TrustAll()}, new SecureRandom());
                return context.getSocketFactory();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot set up TLS for SSL_GET: " + e.getMessage(), e);
            }
        }
    }

    private static final class TrustAll extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
