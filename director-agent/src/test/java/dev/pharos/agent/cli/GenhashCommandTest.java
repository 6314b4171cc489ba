package dev.pharos.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import dev.pharos.testing.Netns;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/// `genhash`: the MD5 of a URL's body, the same as keepalived's own `genhash` prints.
class GenhashCommandTest {

    private static final String BODY = "<html><body>pharos real server</body></html>\n";
    private HttpServer server;
    private final List<String> hosts = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        server.createContext("/", exchange -> {
            hosts.add(exchange.getRequestHeaders().getFirst("Host"));
            var missing = !exchange.getRequestURI().getPath().equals("/index.html");
            var body = (missing ? "not here\n" : BODY).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(missing ? 404 : 200, body.length);
            try (var out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private static String md5(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void printsTheMd5OfTheBody() throws Exception {
        var r = CliConfigCommandsTest.run("genhash", "--url", url("/index.html"));
        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo(md5(BODY) + System.lineSeparator());
        assertThat(r.err()).isEmpty();
    }

    @Test
    void sendsTheVirtualhost() {
        var r = CliConfigCommandsTest.run("genhash", "--url", url("/index.html"), "--virtualhost", "www.example.org");
        assertThat(r.exit()).isZero();
        assertThat(hosts).containsExactly("www.example.org");
    }

    @Test
    void printsTheDigestOfAnErrorPageWithANote() throws Exception {
        var r = CliConfigCommandsTest.run("genhash", "-u", url("/missing"));
        assertThat(r.exit()).isZero();
        assertThat(r.out().strip()).isEqualTo(md5("not here\n"));
        assertThat(r.err()).contains("status 404");
    }

    @Test
    void agreesWithKeepalivedsGenhash() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/genhash")), "keepalived's genhash is not installed");
        for (var path : List.of("/index.html", "/missing")) {
            var theirs = Netns.exec(Duration.ofSeconds(20), "/usr/bin/genhash", "-s", "127.0.0.1", "-p",
                    Integer.toString(server.getAddress().getPort()), "-u", path);
            var ours = CliConfigCommandsTest.run("genhash", "--url", url(path));
            assertThat(theirs.exitCode()).isZero();
            assertThat(ours.out().strip()).isEqualTo(theirs.output().strip());
        }
    }

    @Test
    void aRefusedConnectionIsOneLineAndExitOne() throws Exception {
        int port;
        try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        var u = "http://127.0.0.1:" + port + "/";
        var r = CliConfigCommandsTest.run("genhash", "--url", u);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().strip()).isEqualTo("genhash: " + u + ": connection refused");
    }

    @Test
    void aBadUrlIsOneLineAndExitOne() {
        var r = CliConfigCommandsTest.run("genhash", "--url", "ftp://127.0.0.1/");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("genhash: --url 'ftp://127.0.0.1/' must start with http:// or https://");
        var r2 = CliConfigCommandsTest.run("genhash", "--url", "http://127.0.0.1/", "--protocol", "2.0");
        assertThat(r2.exit()).isEqualTo(1);
        assertThat(r2.err().strip()).isEqualTo("genhash: http_protocol must be 1.0, 1.0C or 1.1, not '2.0'");
        assertThat(r.err() + r2.err()).doesNotContain("Exception");
    }
}
