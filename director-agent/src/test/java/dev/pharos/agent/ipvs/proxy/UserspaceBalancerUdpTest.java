package dev.pharos.agent.ipvs.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.testing.Netns;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/// UDP flows end to end on loopback.
@Timeout(60)
class UserspaceBalancerUdpTest {

    private static final Duration DEADLINE = Duration.ofSeconds(20);

    /// Answers each datagram with `name:payload`.
    static final class UdpEcho implements AutoCloseable {
        final DatagramChannel ch;
        final Thread thread;

        UdpEcho(String host, String name) throws IOException {
            ch = DatagramChannel.open();
            ch.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
            thread = Thread.ofPlatform().name("test-udp-" + name).daemon().start(() -> {
                var buf = ByteBuffer.allocate(2048);
                while (ch.isOpen()) {
                    try {
                        buf.clear();
                        SocketAddress from = ch.receive(buf);
                        buf.flip();
                        var reply = ByteBuffer.allocate(buf.remaining() + name.length() + 1);
                        reply.put((name + ":").getBytes(StandardCharsets.US_ASCII)).put(buf).flip();
                        ch.send(reply, from);
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        InetSocketAddress address() throws IOException {
            return (InetSocketAddress) ch.getLocalAddress();
        }

        @Override
        public void close() throws Exception {
            ch.close();
            thread.join(5000);
        }
    }

    static int freeUdpPort() throws IOException {
        try (var s = new DatagramSocket(0, InetAddress.getByName("127.0.0.10"))) {
            return s.getLocalPort();
        }
    }

    static String ask(DatagramChannel client, String text) throws IOException {
        client.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
        var buf = ByteBuffer.allocate(2048);
        client.read(buf);   // blocking, connected to the VIP: only the VIP's datagrams arrive
        buf.flip();
        return StandardCharsets.US_ASCII.decode(buf).toString();
    }

    @Test
    void flowsAreBalancedByClientAndRepliesComeFromTheVip() throws Exception {
        try (var a = new UdpEcho("127.0.0.2", "A");
                var b = new UdpEcho("127.0.0.3", "B");
                var lb = new UserspaceBalancer()) {
            var svc = BalancerService.udp(new InetSocketAddress(InetAddress.getByName("127.0.0.10"), freeUdpPort()), "rr")
                    .withIdleTimeout(Duration.ofMillis(500));
            lb.addService(svc);
            lb.addRealServer(svc.key(), BalancerRealServer.of(a.address(), 1));
            lb.addRealServer(svc.key(), BalancerRealServer.of(b.address(), 1));
            assertThat(lb.stats(svc.key()).orElseThrow().listening()).isTrue();
            var clients = new ArrayList<DatagramChannel>();
            try {
                var firstReplies = new ArrayList<String>();
                for (int c = 0; c < 4; c++) {
                    var ch = DatagramChannel.open();
                    ch.socket().setSoTimeout(10_000);
                    ch.connect(svc.listen());
                    clients.add(ch);
                    var who = ask(ch, "hello" + c).split(":")[0];
                    firstReplies.add(who);
                    for (int i = 0; i < 4; i++) {
                        assertThat(ask(ch, "n" + i)).isEqualTo(who + ":n" + i);   // the flow sticks
                    }
                }
                assertThat(firstReplies).containsExactly("A", "B", "A", "B");
                // A reply can reach the client a moment before the relay has counted it.
                assertThat(Netns.await(DEADLINE, () -> {
                    var s = lb.stats(svc.key()).orElseThrow();
                    return s.packetsIn() == 20 && s.packetsOut() == 20;
                })).isTrue();
                var stats = lb.stats(svc.key()).orElseThrow();
                assertThat(stats.inactiveConnections()).isEqualTo(4);
                assertThat(stats.realServers()).extracting(BalancerRealServerStats::packetsIn).containsExactly(10L, 10L);
            } finally {
                for (var ch : clients) {
                    ch.close();
                }
            }
            // Idle flows end; the next datagram of a client starts a new flow.
            assertThat(Netns.await(DEADLINE, () -> lb.openConnections() == 0)).isTrue();
            assertThat(lb.stats(svc.key()).orElseThrow().inactiveConnections()).isZero();
        }
    }

    @Test
    void aServiceWhoseAddressIsNotOnTheHostWaitsInsteadOfFailing() throws Exception {
        try (var lb = new UserspaceBalancer()) {
            // 192.0.2.55 is on no interface of this host: no datagram is ever sent to it.
            var svc = BalancerService.udp(new InetSocketAddress(InetAddress.getByName("192.0.2.55"), 5353), "rr");
            lb.addService(svc);
            assertThat(lb.stats(svc.key()).orElseThrow().listening()).isFalse();
            lb.addressesChanged();
            assertThat(lb.stats(svc.key()).orElseThrow().listening()).isFalse();
            lb.removeService(svc.key());
            assertThat(lb.stats()).isEqualTo(List.of());
        }
    }
}
