package dev.pharos.agent.check;

import dev.pharos.agent.api.Addresses;
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
import java.util.List;
import java.util.function.Consumer;
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
public final class HttpProbe implements LoopProbe {

    /// Longest status line and header section read before the attempt fails.
    public static final int MAX_HEADER_BYTES = 16 * 1024;
    /// Longest body read before the attempt fails.
    public static final long MAX_BODY_BYTES = 4L * 1024 * 1024;

    private final CheckSpec.HttpGet spec;
    private final CheckLoop loop;
    private final byte[][] requests;

    /// A probe whose plain-HTTP attempts run on the shared check loop.
    public HttpProbe(CheckSpec.HttpGet spec) {
        this(spec, CheckLoop.shared());
    }

    HttpProbe(CheckSpec.HttpGet spec, CheckLoop loop) {
        this.spec = spec;
        this.loop = loop;
        // Built once: the request of a URL never changes between attempts.
        this.requests = spec.urls().stream().map(u -> request(spec, u).getBytes(StandardCharsets.ISO_8859_1))
                .toArray(byte[][]::new);
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

    /// Plain HTTP runs on the check loop; TLS blocks the caller (a virtual thread), since
    /// `SSLSocket` does the handshake.
    @Override
    public boolean onLoop() {
        return !spec.ssl();
    }

    @Override
    public void start(Consumer<ProbeResult> done) {
        loop.execute(() -> Exchange.http(loop, this, done));
    }

    @Override
    public ProbeResult attempt() {
        if (onLoop()) {
            return LoopProbe.await(this, spec.endpoint().connectTimeout().multipliedBy(spec.urls().size()));
        }
        for (int i = 0; i < requests.length; i++) {
            var url = spec.urls().get(i);
            try {
                var failed = judge(i, fetch(spec, url, url.digest() != null));
                if (failed != null) {
                    return failed;
                }
            } catch (FetchException e) {
                return ProbeResult.down(prefix(i) + e.getMessage());
            }
        }
        return ProbeResult.up();
    }

    CheckSpec.HttpGet spec() {
        return spec;
    }

    byte[] request(int url) {
        return requests[url];
    }

    boolean wantsDigest(int url) {
        return spec.urls().get(url).digest() != null;
    }

    /// `GET /b: ` before a reason when the checker has more than one URL.
    String prefix(int url) {
        return spec.urls().size() > 1 ? "GET " + spec.urls().get(url).path() + ": " : "";
    }

    /// The failure `response` to URL number `url` is, or `null` when it is accepted.
    ProbeResult judge(int url, Response response) {
        var u = spec.urls().get(url);
        if (!u.accepts(response.status())) {
            return ProbeResult.down(prefix(url) + "status " + response.status());
        }
        if (u.digest() != null && !u.digest().equals(response.digest())) {
            return ProbeResult.down(prefix(url) + "digest mismatch: got " + response.digest() + ", expected " + u.digest());
        }
        return null;
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
        var host = Addresses.text(spec.endpoint().connectTo().getAddress());
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
        var parser = new ResponseParser(md5);
        var buffer = new byte[8192];
        while (!parser.complete()) {
            setTimeout(socket, deadline);
            int n = in.read(buffer);
            if (n < 0) {
                break;
            }
            parser.feed(buffer, 0, n);
        }
        return parser.finish();
    }

    /// A fresh MD5, cloned from one looked up once: the provider lookup costs more than a check.
    static MessageDigest md5() {
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
