package dev.pharos.agent.check;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/// A tiny UDP DNS responder on loopback whose answers a test chooses: a good reply, an rcode,
/// garbage, silence. It keeps the queries it received.
final class TestDnsServer implements AutoCloseable {

    /// The datagrams to send back for one query.
    @FunctionalInterface
    interface Answer {
        List<byte[]> to(byte[] query);
    }

    private final DatagramSocket socket;
    private final Thread thread;
    private final List<byte[]> queries = new CopyOnWriteArrayList<>();
    private volatile Answer answer;

    TestDnsServer(Answer answer) throws IOException {
        this.answer = answer;
        this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.thread = Thread.ofPlatform().name("test-dns").daemon().start(this::loop);
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
    }

    void answer(Answer a) {
        answer = a;
    }

    List<byte[]> queries() {
        return List.copyOf(queries);
    }

    private void loop() {
        var buffer = new byte[1500];
        while (!socket.isClosed()) {
            try {
                var packet = new DatagramPacket(buffer, buffer.length);
                socket.receive(packet);
                var query = Arrays.copyOf(buffer, packet.getLength());
                queries.add(query);
                SocketAddress from = packet.getSocketAddress();
                for (var reply : answer.to(query)) {
                    socket.send(new DatagramPacket(reply, reply.length, from));
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    /// The query echoed back as a response (QR set) with `rcode` and no answers.
    static Answer rcode(int rcode) {
        return query -> List.of(reply(query, rcode));
    }

    static byte[] reply(byte[] query, int rcode) {
        var r = query.clone();
        r[2] = (byte) (0x80 | (r[2] & 0x7F)); // QR
        r[3] = (byte) (0x80 | rcode); // RA, rcode
        return r;
    }

    static Answer silent() {
        return query -> List.of();
    }

    @Override
    public void close() throws InterruptedException {
        socket.close();
        thread.join(5_000);
    }
}
