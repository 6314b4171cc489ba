package dev.pharos.agent.lab;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/// A real server of the lab: a real HTTP server on loopback that answers every request with its
/// name, so the trainer sees where each request went. It can fail (stop listening: the checks see
/// "connection refused") and be restored on the same port.
public final class LabRealServer implements AutoCloseable {

    private final String name;
    private final int port;
    private volatile HttpServer server;

    private LabRealServer(String name, int port) {
        this.name = name;
        this.port = port;
    }

    /// Starts on a free loopback port.
    public static LabRealServer start(String name) {
        var s = new LabRealServer(name, 0);
        return s.listen(0);
    }

    private LabRealServer listen(int onPort) {
        try {
            var http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 64);
            var body = (name + "\n").getBytes(StandardCharsets.UTF_8);
            http.createContext("/", exchange -> {
                try (exchange) {
                    exchange.getRequestBody().readAllBytes();
                    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
                    exchange.sendResponseHeaders(200, body.length);
                    exchange.getResponseBody().write(body);
                }
            });
            http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            http.start();
            var bound = onPort == 0 ? new LabRealServer(name, http.getAddress().getPort()) : this;
            bound.server = http;
            return bound;
        } catch (IOException e) {
            throw new UncheckedIOException("lab real server " + name + " cannot listen on 127.0.0.1:" + onPort, e);
        }
    }

    public String name() {
        return name;
    }

    /// The loopback port it listens on (kept across fail/restore).
    public int port() {
        return port;
    }

    /// Stops answering: connections are refused.
    public synchronized void fail() {
        var s = server;
        if (s != null) {
            server = null;
            s.stop(0);
        }
    }

    /// Listens again on the same port.
    public synchronized void restore() {
        if (server == null) {
            listen(port);
        }
    }

    @Override
    public void close() {
        fail();
    }
}
