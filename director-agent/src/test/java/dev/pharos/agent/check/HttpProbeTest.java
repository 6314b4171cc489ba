package dev.pharos.agent.check;

import static dev.pharos.agent.check.TestHttpServer.answer;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/// One HTTP_GET attempt against a loopback peer that behaves well or badly: every failure is a
/// clean Down with its reason, within the deadline.
class HttpProbeTest {

    private static final Duration TIMEOUT = Duration.ofMillis(500);

    static CheckSpec.HttpGet get(InetSocketAddress to, CheckSpec.HttpVersion version, String vhost, CheckSpec.Url... urls) {
        return new CheckSpec.HttpGet(false, List.of(urls), new CheckSpec.Endpoint(to, null, 0, TIMEOUT), vhost, version,
                false, null, CheckSchedulerTest.timing(1, 0, 1, 0, false));
    }

    static CheckSpec.Url url(String path) {
        return new CheckSpec.Url(path, List.of(CheckSpec.StatusRange.DEFAULT), null, null);
    }

    private static ProbeResult attempt(TestHttpServer server, CheckSpec.Url... urls) {
        return new HttpProbe(get(server.address(), CheckSpec.HttpVersion.HTTP_1_0, null, urls)).attempt();
    }

    static String md5(String body) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(body.getBytes(StandardCharsets.UTF_8)));
    }

    /// Runs the attempt and checks it came back within twice the deadline (never stuck).
    private static ProbeResult bounded(TestHttpServer server) {
        long start = System.nanoTime();
        var result = attempt(server, url("/"));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TIMEOUT.multipliedBy(2).plusSeconds(1));
        return result;
    }

    @Test
    void sendsKeepalivedsRequestAndAcceptsA2xx() throws Exception {
        try (var server = new TestHttpServer(answer(200, "hello"))) {
            assertThat(attempt(server, url("/health?x=1"))).isEqualTo(ProbeResult.up());
            assertThat(server.requestTexts()).containsExactly("GET /health?x=1 HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: 127.0.0.1:"
                    + server.port() + "\r\n\r\n");
        }
    }

    @Test
    void anIpv6RealServerIsAskedWithItsAddressInBrackets() throws Exception {
        try (var server = new TestHttpServer(InetAddress.getByName("::1"), answer(200, "hello"), true)) {
            assertThat(attempt(server, url("/"))).isEqualTo(ProbeResult.up());
            assertThat(server.requestTexts()).containsExactly("GET / HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: [::1]:"
                    + server.port() + "\r\n\r\n");
        }
    }

    @Test
    void http11SendsConnectionCloseAndTheVirtualhost() throws Exception {
        try (var server = new TestHttpServer(TestHttpServer.answerUntilClose(204, ""))) {
            var spec = get(server.address(), CheckSpec.HttpVersion.HTTP_1_1, "www.example.org", url("/"),
                    new CheckSpec.Url("/ready", List.of(CheckSpec.StatusRange.DEFAULT), null, "ready.example.org"));
            assertThat(new HttpProbe(spec).attempt()).isEqualTo(ProbeResult.up());
            assertThat(server.requestTexts()).containsExactly(
                    "GET / HTTP/1.1\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\nHost: www.example.org\r\n\r\n",
                    "GET /ready HTTP/1.1\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\nHost: ready.example.org\r\n\r\n");
        }
    }

    @Test
    void http10cSendsConnectionClose() throws Exception {
        try (var server = new TestHttpServer(answer(200, ""))) {
            new HttpProbe(get(server.address(), CheckSpec.HttpVersion.HTTP_1_0C, null, url("/"))).attempt();
            assertThat(server.requestTexts().getFirst()).startsWith("GET / HTTP/1.0\r\n").contains("Connection: close\r\n");
        }
    }

    @Test
    void aStatusOutsideTheAcceptedCodesFails() throws Exception {
        try (var server = new TestHttpServer(answer(503, "busy"))) {
            assertThat(attempt(server, url("/"))).isEqualTo(ProbeResult.down("status 503"));
            var accepting503 = new CheckSpec.Url("/", List.of(new CheckSpec.StatusRange(200, 200),
                    new CheckSpec.StatusRange(500, 503)), null, null);
            assertThat(attempt(server, accepting503)).isEqualTo(ProbeResult.up());
            server.behave(answer(301, ""));
            assertThat(attempt(server, url("/"))).isEqualTo(ProbeResult.down("status 301"));
        }
    }

    @Test
    void theDigestIsTheMd5OfTheBodyAndAChangedBodyFails() throws Exception {
        try (var server = new TestHttpServer(answer(200, "version 1\n"))) {
            var digest = md5("version 1\n");
            var checked = new CheckSpec.Url("/", List.of(CheckSpec.StatusRange.DEFAULT), digest, null);
            assertThat(attempt(server, checked)).isEqualTo(ProbeResult.up());
            server.behave(TestHttpServer.answerUntilClose(200, "version 1\n"));
            assertThat(attempt(server, checked)).isEqualTo(ProbeResult.up());
            server.behave(answer(200, "version 2\n"));
            assertThat(attempt(server, checked)).isEqualTo(ProbeResult.down(
                    "digest mismatch: got " + md5("version 2\n") + ", expected " + digest));
        }
    }

    @Test
    void withSeveralUrlsTheFailingOneIsNamed() throws Exception {
        try (var server = new TestHttpServer((socket, out, s) -> {
            var path = s.requestTexts().getLast().split(" ")[1];
            answer(path.equals("/b") ? 404 : 200, "").serve(socket, out, s);
        })) {
            assertThat(attempt(server, url("/a"), url("/b"))).isEqualTo(ProbeResult.down("GET /b: status 404"));
        }
    }

    @Test
    void aServerThatNeverAnswersTimesOut() throws Exception {
        try (var server = new TestHttpServer(TestHttpServer.hang())) {
            assertThat(bounded(server)).isEqualTo(ProbeResult.down("timeout after 500ms"));
        }
    }

    @Test
    void aSlowServerTimesOut() throws Exception {
        try (var server = new TestHttpServer(TestHttpServer.slow(3_000, answer(200, "late")))) {
            assertThat(bounded(server)).isEqualTo(ProbeResult.down("timeout after 500ms"));
        }
    }

    @Test
    void aTricklingBodyIsCutAtTheDeadline() throws Exception {
        try (var server = new TestHttpServer(TestHttpServer.trickle())) {
            assertThat(bounded(server)).isEqualTo(ProbeResult.down("timeout after 500ms"));
        }
    }

    @Test
    void aResetFails() throws Exception {
        try (var server = new TestHttpServer(TestHttpServer.reset())) {
            assertThat(bounded(server)).isEqualTo(ProbeResult.down("connection reset"));
        }
    }

    @Test
    void aClosedConnectionWithoutDataFails() throws Exception {
        try (var server = new TestHttpServer(TestHttpServer.closeAtOnce())) {
            assertThat(bounded(server)).isEqualTo(ProbeResult.down("no data received"));
        }
    }

    @Test
    void aRefusedConnectionFails() throws Exception {
        int port;
        try (var s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        var spec = get(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port),
                CheckSpec.HttpVersion.HTTP_1_0, null, url("/"));
        assertThat(new HttpProbe(spec).attempt()).isEqualTo(ProbeResult.down("connection refused"));
    }

    @Test
    void garbageIsAMalformedResponse() throws Exception {
        var garbage = new byte[300];
        new java.util.Random(7).nextBytes(garbage);
        try (var server = new TestHttpServer(TestHttpServer.bytes(garbage))) {
            assertThat(bounded(server)).isInstanceOf(ProbeResult.Down.class)
                    .extracting(r -> ((ProbeResult.Down) r).reason()).asString().startsWith("malformed response");
            server.behave(TestHttpServer.bytes("SSH-2.0-OpenSSH_9.2\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            assertThat(bounded(server)).isEqualTo(ProbeResult.down("malformed response: status line 'SSH-2.0-OpenSSH_9.2'"));
            server.behave(TestHttpServer.bytes("HTTP/1.0 2000 OK\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            assertThat(bounded(server)).isEqualTo(ProbeResult.down("malformed response: status line 'HTTP/1.0 2000 OK'"));
            server.behave(TestHttpServer.bytes("HTTP/1.0 200 OK\r\nServer: x\r\n".getBytes(StandardCharsets.US_ASCII)));
            assertThat(bounded(server)).isEqualTo(ProbeResult.down("malformed response: it ends before the end of its headers"));
        }
    }

    @Test
    void endlessHeadersExceedTheLimit() throws Exception {
        try (var server = new TestHttpServer(TestHttpServer.endlessHeaders())) {
            assertThat(bounded(server)).isEqualTo(ProbeResult.down("response exceeds limit: headers over 16384 bytes"));
        }
    }

    @Test
    void aHugeBodyExceedsTheLimit() throws Exception {
        try (var server = new TestHttpServer(TestHttpServer.hugeBody())) {
            assertThat(bounded(server)).isEqualTo(ProbeResult.down("response exceeds limit: body over 4194304 bytes"));
        }
    }

    @Test
    void aBodyEndsAtItsContentLengthEvenIfTheServerKeepsTheConnection() throws Exception {
        try (var server = new TestHttpServer(TestHttpServer.answerAndKeepOpen("ok"))) {
            var checked = new CheckSpec.Url("/", List.of(CheckSpec.StatusRange.DEFAULT), md5("ok"), null);
            assertThat(attempt(server, checked)).isEqualTo(ProbeResult.up());
        }
    }

    @Test
    void onlyContentLengthBytesAreHashedAsKeepalivedDoes() throws Exception {
        var response = "HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello trailing bytes";
        try (var server = new TestHttpServer(TestHttpServer.bytes(response.getBytes(StandardCharsets.US_ASCII)))) {
            var fetched = HttpProbe.fetch(get(server.address(), CheckSpec.HttpVersion.HTTP_1_0, null, url("/")), url("/"));
            assertThat(fetched.digest()).isEqualTo(md5("hello"));
            assertThat(fetched.status()).isEqualTo(200);
        }
    }

    @Test
    void sslGetAgainstAPlainServerIsAFailedHandshake() throws Exception {
        try (var server = new TestHttpServer(answer(400, "plain HTTP here"), false)) {
            var spec = new CheckSpec.HttpGet(true, List.of(url("/")), new CheckSpec.Endpoint(server.address(), null, 0, TIMEOUT),
                    null, CheckSpec.HttpVersion.HTTP_1_0, false, null, CheckSchedulerTest.timing(1, 0, 1, 0, false));
            var result = new HttpProbe(spec).attempt();
            assertThat(result).isInstanceOf(ProbeResult.Down.class);
            assertThat(((ProbeResult.Down) result).reason()).startsWith("TLS handshake failed: ");
        }
    }

    @Test
    void sslGetAgainstAServerThatNeverHandshakesTimesOut() throws Exception {
        try (var server = new TestHttpServer(TestHttpServer.hang())) {
            var spec = new CheckSpec.HttpGet(true, List.of(url("/")), new CheckSpec.Endpoint(server.address(), null, 0, TIMEOUT),
                    null, CheckSpec.HttpVersion.HTTP_1_0, false, null, CheckSchedulerTest.timing(1, 0, 1, 0, false));
            long start = System.nanoTime();
            // The server reads "the request" first, which here is the ClientHello: it never ends in CRLFCRLF,
            // so the server holds the connection and the client waits for a ServerHello.
            assertThat(new HttpProbe(spec).attempt()).isEqualTo(ProbeResult.down("timeout after 500ms"));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        }
    }
}
