package dev.pharos.agent.ipvs.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

/// A real TCP server on a loopback address for the balancer's tests, one virtual thread per
/// connection.
final class TcpTestServer implements AutoCloseable {

    enum Mode {
        /// Writes its name and a newline, then closes.
        NAME,
        /// Echoes; at the client's end of stream writes `BYE` and closes.
        ECHO,
        /// Accepts and then does nothing.
        STALL,
        /// Reads nothing until [#releaseReaders()], then reads to the end, counting and checksumming.
        SLOW
    }

    final String name;
    private final Mode mode;
    private final ServerSocket socket;
    private final Set<Socket> clients = ConcurrentHashMap.newKeySet();
    final AtomicInteger accepted = new AtomicInteger();
    final AtomicInteger open = new AtomicInteger();
    final AtomicInteger resets = new AtomicInteger();
    final AtomicLong bytesRead = new AtomicLong();
    final AtomicLong crc = new AtomicLong(-1);
    private final CountDownLatch readGate = new CountDownLatch(1);

    private TcpTestServer(String name, Mode mode, ServerSocket socket) {
        this.name = name;
        this.mode = mode;
        this.socket = socket;
        Thread.ofPlatform().name("test-server-" + name).daemon().start(this::acceptLoop);
    }

    static TcpTestServer start(String host, Mode mode, String name) throws IOException {
        var s = new ServerSocket();
        if (mode == Mode.SLOW) {
            s.setReceiveBufferSize(64 * 1024);   // a fixed, small window: no autotuning
        }
        s.bind(new InetSocketAddress(InetAddress.getByName(host), 0), 2048);
        return new TcpTestServer(name, mode, s);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    void releaseReaders() {
        readGate.countDown();
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try {
                var c = socket.accept();
                accepted.incrementAndGet();
                open.incrementAndGet();
                clients.add(c);
                Thread.ofVirtual().name("test-conn-" + name).start(() -> serve(c));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket c) {
        try (c) {
            switch (mode) {
                case NAME -> c.getOutputStream().write((name + "\n").getBytes(StandardCharsets.US_ASCII));
                case ECHO -> {
                    var in = c.getInputStream();
                    var out = c.getOutputStream();
                    var buf = new byte[16384];
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        out.write(buf, 0, n);
                    }
                    out.write("BYE".getBytes(StandardCharsets.US_ASCII));
                }
                case STALL -> c.getInputStream().read();
                case SLOW -> {
                    readGate.await();
                    var sum = new CRC32();
                    var buf = new byte[65536];
                    var total = 0L;
                    InputStream in = c.getInputStream();
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        sum.update(buf, 0, n);
                        total += n;
                    }
                    bytesRead.set(total);
                    crc.set(sum.getValue());
                }
            }
        } catch (IOException e) {
            if (String.valueOf(e.getMessage()).contains("reset")) {
                resets.incrementAndGet();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            clients.remove(c);
            open.decrementAndGet();
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
        for (var c : clients) {
            c.close();
        }
    }

    /// Open file descriptors of this JVM.
    static long fdCount() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    /// A port free on every address right now, for a balancer's wildcard listener.
    static int freePort() throws IOException {
        try (var s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0));
            return s.getLocalPort();
        }
    }
}
