package dev.pharos.agent.ipvs.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pharos.testing.Netns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/// The balancer in its own network namespace, in front of Debian's nginx, with a client in a
/// third: the TCP service is ready before its VIP exists, so the first connection after VRRP
/// would add the VIP is served.
@Timeout(90)
class UserspaceBalancerNetnsTest {

    @TempDir
    Path dir;

    @Test
    void theFirstConnectionAfterTheVipAppearsIsServed() throws Exception {
        assumeTrue(Netns.available());
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/nginx")), "nginx is installed");
        try (var net = Netns.create()) {
            var lb = net.host("lb", "192.0.2.1/24");
            var rs = net.host("rs", "192.0.2.3/24");
            var client = net.host("cl", "192.0.2.2/24");

            var conf = dir.resolve("nginx.conf");
            Files.writeString(conf, """
                    worker_processes 1;
                    daemon off;
                    pid %1$s/nginx.pid;
                    error_log %1$s/error.log;
                    events { worker_connections 64; }
                    http {
                        access_log off;
                        client_body_temp_path %1$s; proxy_temp_path %1$s; fastcgi_temp_path %1$s;
                        uwsgi_temp_path %1$s; scgi_temp_path %1$s;
                        server { listen 192.0.2.3:8080; location / { return 200 "real server rs\\n"; } }
                    }
                    """.formatted(dir));
            rs.start(dir.resolve("nginx.out"), "/usr/sbin/nginx", "-c", conf.toString());

            var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            var classpath = Path.of(UserspaceBalancer.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    + ":" + Path.of(BalancerBenchMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            var log = dir.resolve("balancer.out");
            lb.start(log, java, "-cp", classpath, BalancerBenchMain.class.getName(),
                    "--listen", "192.0.2.100:80", "--scheduler", "wrr", "--real", "192.0.2.3:8080:1");
            assertThat(Netns.await(Duration.ofSeconds(30), () -> read(log).contains("ready")))
                    .as("balancer started").isTrue();
            assertThat(Netns.await(Duration.ofSeconds(10), () -> rs.exec("bash", "-c",
                    "exec 3<>/dev/tcp/192.0.2.3/8080").exitCode() == 0)).as("nginx listening").isTrue();

            Netns.run("ip", "-n", lb.name(), "addr", "add", "192.0.2.100/24", "dev", "eth0");
            // One attempt, no retry: the wildcard listener takes the VIP's first connection.
            var reply = client.exec("bash", "-c",
                    "exec 3<>/dev/tcp/192.0.2.100/80 && printf 'GET / HTTP/1.0\\r\\nHost: vip\\r\\n\\r\\n' >&3 && cat <&3");
            assertThat(reply.output()).contains("200 OK").contains("real server rs");
            assertThat(reply.exitCode()).isZero();
        }
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
