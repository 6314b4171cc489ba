package dev.pharos.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/// Debian's nginx as a real server in a test namespace: answers every request with its own name
/// (so a test can count where requests went), from its own configuration in a temporary
/// directory; stopped by PID.
public final class Nginx implements AutoCloseable {

    public static final Path NGINX = Path.of("/usr/sbin/nginx");

    private final Netns.Host host;
    private final Path dir;
    private final int port;
    private Process process;

    private Nginx(Netns.Host host, Path dir, int port) {
        this.host = host;
        this.dir = dir;
        this.port = port;
    }

    public static boolean available() {
        return Files.isExecutable(NGINX);
    }

    /// nginx in `host` on `port`, answering `name\n` with status 200 on every path.
    public static Nginx start(Netns.Host host, Path dir, String name, int port) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("nginx.conf"), """
                    worker_processes 1;
                    daemon off;
                    pid %1$s/nginx.pid;
                    error_log %1$s/error.log;
                    events { worker_connections 1024; }
                    http {
                        access_log %1$s/access.log;
                        client_body_temp_path %1$s/body;
                        proxy_temp_path %1$s/proxy;
                        fastcgi_temp_path %1$s/fastcgi;
                        uwsgi_temp_path %1$s/uwsgi;
                        scgi_temp_path %1$s/scgi;
                        keepalive_requests 100000;
                        server {
                            listen %2$d;
                            location / { default_type text/plain; return 200 "%3$s\\n"; }
                        }
                    }
                    """.formatted(dir, port, name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var n = new Nginx(host, dir, port);
        n.start();
        return n;
    }

    /// (Re)starts nginx with its configuration; waits until it listens.
    public void start() {
        process = host.start(dir.resolve("nginx.out"), NGINX.toString(), "-c", dir.resolve("nginx.conf").toString());
        if (!Netns.await(Duration.ofSeconds(20), () -> host.exec("/bin/bash", "-c",
                "exec 3<>/dev/tcp/127.0.0.1/" + port).exitCode() == 0)) {
            throw new IllegalStateException("nginx did not start in " + host.name());
        }
    }

    /// Stops nginx (a failed real server).
    public void stop() {
        if (process != null) {
            process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            Netns.stop(process, Duration.ofSeconds(10));
            process = null;
        }
    }

    @Override
    public void close() {
        stop();
    }
}
