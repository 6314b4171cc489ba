package dev.pharos.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/// A process that holds many idle TCP connections, to run in a test namespace (`java -cp … 
/// dev.pharos.testing.ConnectionHolder …`):
///
/// - `serve ADDRESS PORT`: a real server that accepts every connection, never answers, and closes
///   one only when its client did (nginx would close them after its header timeout);
/// - `hold ADDRESS PORT COUNT`: a client that opens `COUNT` connections one after another, sends
///   nothing, and every 200 ms prints `alive A refused R` — a connection the far end reset or
///   closed counts as refused.
///
/// Either ends by itself after 180 s, so a test that dies never leaves it behind for long.
public final class ConnectionHolder {

    private static final long LIFETIME_NANOS = TimeUnit.SECONDS.toNanos(180);

    private ConnectionHolder() {
    }

    public static void main(String[] args) throws Exception {
        var end = System.nanoTime() + LIFETIME_NANOS;
        var address = new InetSocketAddress(args[1], Integer.parseInt(args[2]));
        switch (args[0]) {
            case "serve" -> serve(address, end);
            case "hold" -> hold(address, Integer.parseInt(args[3]), end);
            default -> throw new IllegalArgumentException("mode " + args[0] + ": use serve or hold");
        }
    }

    private static void serve(InetSocketAddress address, long end) throws IOException {
        var held = new ArrayList<SocketChannel>();
        var sink = ByteBuffer.allocate(4096);
        try (var server = ServerSocketChannel.open()) {
            server.bind(address, 4096);
            server.configureBlocking(false);
            System.out.println("serving " + address);
            System.out.flush();
            while (System.nanoTime() < end) {
                var ch = server.accept();
                if (ch != null) {
                    ch.configureBlocking(false);
                    held.add(ch);
                    continue;
                }
                // Close what the client closed, as a real server would: the proxy waits for it.
                for (var it = held.iterator(); it.hasNext(); ) {
                    var c = it.next();
                    int r;
                    try {
                        sink.clear();
                        r = c.read(sink);
                    } catch (IOException e) {
                        r = -1;
                    }
                    if (r < 0) {
                        c.close();
                        it.remove();
                    }
                }
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void hold(InetSocketAddress address, int count, long end) throws IOException {
        var channels = new ArrayList<SocketChannel>(count);
        int failedConnects = 0;
        for (int i = 0; i < count && System.nanoTime() < end; i++) {
            try {
                var ch = SocketChannel.open();
                ch.socket().connect(address, 2000);
                ch.configureBlocking(false);
                channels.add(ch);
            } catch (IOException e) {
                failedConnects++;
            }
        }
        var probe = ByteBuffer.allocate(1);
        while (System.nanoTime() < end) {
            int alive = 0;
            int refused = failedConnects;
            for (var ch : List.copyOf(channels)) {
                int r;
                try {
                    probe.clear();
                    r = ch.read(probe);
                } catch (IOException e) {
                    r = -1;   // reset
                }
                if (r < 0) {
                    refused++;
                } else {
                    alive++;
                }
            }
            System.out.println("alive " + alive + " refused " + refused);
            System.out.flush();
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
