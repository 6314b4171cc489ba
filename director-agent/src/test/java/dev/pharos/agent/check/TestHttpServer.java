package dev.pharos.agent.check;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/// A small HTTP peer on loopback whose behaviour a test sets and changes: good answers, 503,
/// changing bodies, and every way a server can misbehave (hang, reset, slow, garbage, endless
/// headers, huge or trickling bodies). It counts the connections and requests it saw and keeps
/// the request texts.
final class TestHttpServer implements AutoCloseable {

    /// What the server does with one connection, after it has read the request.
    @FunctionalInterface
    interface Behaviour {
        void serve(Socket socket, OutputStream out, TestHttpServer server) throws IOException, InterruptedException;
    }

    private static final ThreadLocal<Integer> REQUEST_NUMBER = ThreadLocal.withInitial(() -> 0);

    private final ServerSocket listener;
    private final Thread acceptor;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private final List<String> requestTexts = new CopyOnWriteArrayList<>();
    private volatile Behaviour behaviour;
    private final boolean readsRequest;

    TestHttpServer(Behaviour behaviour) throws IOException {
        this(behaviour, true);
    }

    /// @param readsRequest false: the behaviour starts as soon as the connection is accepted (a
    ///                     server that talks first, such as SSH or a plain-text banner)
    TestHttpServer(Behaviour behaviour, boolean readsRequest) throws IOException {
        this(InetAddress.getLoopbackAddress(), behaviour, readsRequest);
    }

    /// On `address` (a loopback address of either family, e.g. `::1`).
    TestHttpServer(InetAddress address, Behaviour behaviour, boolean readsRequest) throws IOException {
        this.behaviour = behaviour;
        this.readsRequest = readsRequest;
        this.listener = new ServerSocket();
        listener.bind(new InetSocketAddress(address, 0), 200);
        this.acceptor = Thread.ofPlatform().name("test-http-accept").daemon().start(this::acceptLoop);
    }

    int port() {
        return listener.getLocalPort();
    }

    InetSocketAddress address() {
        return new InetSocketAddress(listener.getInetAddress(), port());
    }

    void behave(Behaviour b) {
        behaviour = b;
    }

    int connections() {
        return connections.get();
    }

    int requests() {
        return requests.get();
    }

    List<String> requestTexts() {
        return List.copyOf(requestTexts);
    }

    /// Waits up to `millis` unless the server is closing: for servers that answer late or never.
    boolean pause(long millis) throws InterruptedException {
        return !closing.await(millis, TimeUnit.MILLISECONDS);
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                var socket = listener.accept();
                connections.incrementAndGet();
                open.add(socket);
                Thread.ofVirtual().name("test-http-conn").start(() -> handle(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void handle(Socket socket) {
        try (socket) {
            var request = readsRequest ? readRequest(socket.getInputStream()) : null;
            if (request != null) {
                REQUEST_NUMBER.set(requests.incrementAndGet());
                requestTexts.add(request);
            }
            behaviour.serve(socket, socket.getOutputStream(), this);
        } catch (IOException | InterruptedException e) {
            // the client went away or the server is closing
        } finally {
            open.remove(socket);
        }
    }

    private static String readRequest(InputStream in) throws IOException {
        var buffer = new ByteArrayOutputStream();
        for (int i = 0; i < 65_536; i++) {
            int b = in.read();
            if (b < 0) {
                return buffer.size() == 0 ? null : buffer.toString(StandardCharsets.ISO_8859_1);
            }
            buffer.write(b);
            var s = buffer.toString(StandardCharsets.ISO_8859_1);
            if (s.endsWith("\r\n\r\n")) {
                return s;
            }
        }
        return buffer.toString(StandardCharsets.ISO_8859_1);
    }

    // ---- behaviours ----

    /// `before` for requests numbered below `n` (counting from 1), `from` for the others: a switch
    /// that no request in flight can straddle.
    static Behaviour switchAt(int n, Behaviour before, Behaviour from) {
        return (socket, out, server) -> (REQUEST_NUMBER.get() < n ? before : from).serve(socket, out, server);
    }

    static Behaviour answer(int status, String body) {
        return (socket, out, server) -> {
            var bytes = body.getBytes(StandardCharsets.UTF_8);
            out.write(("HTTP/1.0 " + status + " Whatever\r\nContent-Type: text/plain\r\nContent-Length: " + bytes.length
                    + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(bytes);
            out.flush();
        };
    }

    /// Answers without Content-Length; the end of the body is the end of the connection.
    static Behaviour answerUntilClose(int status, String body) {
        return (socket, out, server) -> {
            out.write(("HTTP/1.1 " + status + " OK\r\nConnection: close\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
            out.flush();
        };
    }

    /// Answers with a Content-Length and then keeps the connection open until the server closes.
    static Behaviour answerAndKeepOpen(String body) {
        return (socket, out, server) -> {
            answer(200, body).serve(socket, out, server);
            server.pause(60_000);
        };
    }

    static Behaviour hang() {
        return (socket, out, server) -> server.pause(60_000);
    }

    static Behaviour reset() {
        return (socket, out, server) -> {
            socket.setSoLinger(true, 0);
            socket.close();
        };
    }

    static Behaviour closeAtOnce() {
        return (socket, out, server) -> socket.close();
    }

    static Behaviour slow(long millis, Behaviour then) {
        return (socket, out, server) -> {
            if (server.pause(millis)) {
                then.serve(socket, out, server);
            }
        };
    }

    static Behaviour bytes(byte[] response) {
        return (socket, out, server) -> {
            out.write(response);
            out.flush();
        };
    }

    static Behaviour endlessHeaders() {
        return (socket, out, server) -> {
            out.write("HTTP/1.0 200 OK\r\n".getBytes(StandardCharsets.ISO_8859_1));
            var line = "X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n".getBytes(StandardCharsets.ISO_8859_1);
            for (int i = 0; i < 1_000_000; i++) { // ~80 MB at most; the client gives up long before
                out.write(line);
            }
        };
    }

    static Behaviour hugeBody() {
        return (socket, out, server) -> {
            out.write("HTTP/1.0 200 OK\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            var chunk = new byte[65_536];
            for (int i = 0; i < 2_000; i++) { // 128 MiB at most
                out.write(chunk);
            }
        };
    }

    static Behaviour trickle() {
        return (socket, out, server) -> {
            out.write("HTTP/1.0 200 OK\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            for (int i = 0; i < 10_000 && server.pause(20); i++) {
                out.write('x');
                out.flush();
            }
        };
    }

    @Override
    public void close() throws IOException {
        closing.countDown();
        listener.close();
        for (var s : List.copyOf(open)) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
