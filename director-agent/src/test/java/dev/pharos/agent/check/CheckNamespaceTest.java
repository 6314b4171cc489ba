package dev.pharos.agent.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pharos.agent.cli.Main;
import dev.pharos.testing.Netns;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// The checker against Debian's nginx (HTTP and HTTPS, a certificate made here by openssl) in a
/// network namespace: digests, a changed page, a stopped server, a vanished host, and the exact
/// number of failed requests nginx logged before the server was reported down.
class CheckNamespaceTest {

    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final String PAGE = "<html><body>real server 1</body></html>\n";

    @TempDir
    Path dir;

    private final List<CheckEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void needsRootAndNginx() {
        assumeTrue(Netns.available(), "needs root and network namespaces");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/nginx")), "needs Debian's nginx");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "needs openssl");
    }

    private Process startNginx(Netns.Host host, InetAddress address) throws Exception {
        var a = address.getHostAddress();
        Files.createDirectories(dir.resolve("tmp"));
        var conf = dir.resolve("nginx.conf");
        Files.writeString(conf, """
                daemon off;
                user root;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log;
                events { worker_connections 64; }
                http {
                    log_format checks '$request_uri $status';
                    access_log %1$s/access.log checks;
                    client_body_temp_path %1$s/tmp/body;
                    proxy_temp_path %1$s/tmp/proxy;
                    fastcgi_temp_path %1$s/tmp/fastcgi;
                    uwsgi_temp_path %1$s/tmp/uwsgi;
                    scgi_temp_path %1$s/tmp/scgi;
                    server {
                        listen %2$s:80;
                        root %1$s/www;
                    }
                    server {
                        listen %2$s:443 ssl;
                        server_name rs.example.org;
                        ssl_certificate %1$s/cert.pem;
                        ssl_certificate_key %1$s/key.pem;
                        root %1$s/www;
                    }
                }
                """.formatted(dir, a));
        var nginx = host.start(dir.resolve("nginx.out"), "/usr/sbin/nginx", "-p", dir.toString(), "-c", conf.toString());
        var up = new TcpProbe(new CheckSpec.TcpCheck(new CheckSpec.Endpoint(new InetSocketAddress(address, 443), null, 0,
                Duration.ofSeconds(1)), CheckSchedulerLiveTest.fast(0)));
        assertThat(Netns.await(DEADLINE, () -> up.attempt() instanceof ProbeResult.Up))
                .as("nginx listens; its log: %s", dir.resolve("error.log")).isTrue();
        return nginx;
    }

    private void makeCertificate() {
        var r = Netns.exec(Duration.ofSeconds(60), "/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", dir.resolve("key.pem").toString(), "-out",
                dir.resolve("cert.pem").toString(), "-days", "2", "-subj", "/CN=rs.example.org");
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    private void page(String name, String content) throws Exception {
        Files.createDirectories(dir.resolve("www"));
        Files.writeString(dir.resolve("www").resolve(name), content);
    }

    private static String md5(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    private static CheckSpec.Url url(String path, String digest) {
        return new CheckSpec.Url(path, List.of(CheckSpec.StatusRange.DEFAULT), digest, null);
    }

    private long count(Class<? extends CheckEvent> kind) {
        return events.stream().filter(kind::isInstance).count();
    }

    private String lastDownReason() {
        return events.stream().filter(CheckEvent.RealServerDown.class::isInstance).map(e -> ((CheckEvent.RealServerDown) e).reason())
                .reduce((a, b) -> b).orElse("");
    }

    private static String genhash(String... args) {
        var out = new StringWriter();
        var cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(new StringWriter(), true));
        var all = new String[args.length + 1];
        all[0] = "genhash";
        System.arraycopy(args, 0, all, 1, args.length);
        assertThat(cli.execute(all)).isZero();
        return out.toString().strip();
    }

    @Test
    void theCheckerFollowsNginxThroughAChangedPageAStopAndAVanishedHost() throws Exception {
        makeCertificate();
        page("h.html", PAGE);
        page("s.html", PAGE);
        try (var net = Netns.create()) {
            var host = net.host("rs", "192.0.2.21/24");
            try (var link = RootLink.to(host)) {
                var address = link.remote();
                var nginx = startNginx(host, address);
                var a = address.getHostAddress();
                assertThat(genhash("--url", "http://" + a + "/h.html")).isEqualTo(md5(PAGE));
                assertThat(genhash("--url", "https://" + a + "/s.html", "--virtualhost", "rs.example.org")).isEqualTo(md5(PAGE));

                var timing = new CheckSpec.Timing(Duration.ofMillis(300), 1, Duration.ofMillis(200), Duration.ZERO, false);
                var timeout = Duration.ofSeconds(2);
                var http = new CheckSpec.HttpGet(false, List.of(url("/h.html", md5(PAGE))),
                        new CheckSpec.Endpoint(new InetSocketAddress(address, 80), null, 0, timeout), null,
                        CheckSpec.HttpVersion.HTTP_1_1, false, null, timing);
                var https = new CheckSpec.HttpGet(true, List.of(url("/s.html", md5(PAGE))),
                        new CheckSpec.Endpoint(new InetSocketAddress(address, 443), null, 0, timeout), "rs.example.org",
                        CheckSpec.HttpVersion.HTTP_1_0, true, null, timing);
                var tcp = new CheckSpec.TcpCheck(new CheckSpec.Endpoint(new InetSocketAddress(address, 80), null, 0, timeout), timing);
                var id = new RealServerId("192.0.2.10:80", address, 80);
                try (var scheduler = new CheckScheduler(events::add)) {
                    scheduler.apply(new CheckPlan(List.of(new CheckPlan.RealServerPlan(id, 1, List.of(http, https, tcp), false)),
                            List.of()));
                    assertThat(Netns.await(DEADLINE, () -> scheduler.snapshot().getFirst().checkers().stream()
                            .allMatch(c -> c.attempts() >= 3))).isTrue();
                    assertThat(events).hasSize(1).first().isInstanceOf(CheckEvent.RealServerUp.class);

                    page("h.html", PAGE.replace("1", "2"));
                    assertThat(Netns.await(DEADLINE, () -> count(CheckEvent.RealServerDown.class) == 1)).isTrue();
                    assertThat(lastDownReason()).isEqualTo("HTTP_GET: digest mismatch: got "
                            + md5(PAGE.replace("1", "2")) + ", expected " + md5(PAGE));
                    page("h.html", PAGE);
                    assertThat(Netns.await(DEADLINE, () -> count(CheckEvent.RealServerUp.class) == 2)).isTrue();

                    Netns.stop(nginx, Duration.ofSeconds(5));
                    assertThat(Netns.await(DEADLINE, () -> count(CheckEvent.RealServerDown.class) == 2)).isTrue();
                    assertThat(lastDownReason()).endsWith(": connection refused");
                    assertThat(Netns.await(DEADLINE, () -> scheduler.snapshot().getFirst().checkers().stream()
                            .noneMatch(RealServerStatus.CheckerStatus::up))).isTrue();
                    startNginx(host, address);
                    assertThat(Netns.await(DEADLINE, () -> count(CheckEvent.RealServerUp.class) == 3)).isTrue();

                    link.hostSide(false);
                    assertThat(Netns.await(DEADLINE, () -> count(CheckEvent.RealServerDown.class) == 3)).isTrue();
                    assertThat(lastDownReason()).matches(".*: (timeout after 2s|no route to host|network unreachable)");
                    link.hostSide(true);
                    assertThat(Netns.await(DEADLINE, () -> count(CheckEvent.RealServerUp.class) == 4)).isTrue();
                }
            }
        }
    }

    @Test
    void nginxLogsExactlyRetryPlusOneFailedRequestsBeforeTheServerIsDown() throws Exception {
        makeCertificate();
        page("c.html", PAGE);
        try (var net = Netns.create()) {
            var host = net.host("rs", "192.0.2.22/24");
            try (var link = RootLink.to(host)) {
                var address = link.remote();
                startNginx(host, address);
                var timing = new CheckSpec.Timing(Duration.ofMillis(200), 2, Duration.ofMillis(100), Duration.ZERO, false);
                var http = new CheckSpec.HttpGet(false, List.of(url("/c.html", null)),
                        new CheckSpec.Endpoint(new InetSocketAddress(address, 80), null, 0, Duration.ofSeconds(2)), null,
                        CheckSpec.HttpVersion.HTTP_1_0, false, null, timing);
                var id = new RealServerId("192.0.2.10:80", address, 80);
                try (var scheduler = new CheckScheduler(events::add)) {
                    scheduler.apply(new CheckPlan(List.of(new CheckPlan.RealServerPlan(id, 1, List.of(http), false)), List.of()));
                    assertThat(Netns.await(DEADLINE, () -> logged("/c.html 200") >= 2)).isTrue();
                    Files.delete(dir.resolve("www/c.html"));
                    assertThat(Netns.await(DEADLINE, () -> count(CheckEvent.RealServerDown.class) == 1)).isTrue();
                }
                // Closed: no request after the one that took it down. nginx logs as it finishes
                // each request, so wait for the third line, then make sure there is no fourth.
                assertThat(Netns.await(DEADLINE, () -> logged("/c.html 404") >= 3)).isTrue();
                assertThat(logged("/c.html 404")).isEqualTo(3);
                assertThat(lastDownReason()).isEqualTo("HTTP_GET: status 404");
            }
        }
    }

    private long logged(String line) {
        try {
            var log = dir.resolve("access.log");
            return Files.exists(log) ? Files.readAllLines(log).stream().filter(line::equals).count() : 0;
        } catch (java.io.IOException e) {
            return 0;
        }
    }
}
