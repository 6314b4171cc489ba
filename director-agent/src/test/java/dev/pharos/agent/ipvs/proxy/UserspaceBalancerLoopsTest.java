package dev.pharos.agent.ipvs.proxy;

import static dev.pharos.agent.ipvs.proxy.UserspaceBalancerTcpTest.connect;
import static dev.pharos.agent.ipvs.proxy.UserspaceBalancerTcpTest.echo;
import static dev.pharos.agent.ipvs.proxy.UserspaceBalancerTcpTest.loopback;
import static dev.pharos.agent.ipvs.proxy.UserspaceBalancerTcpTest.name;
import static dev.pharos.agent.ipvs.proxy.UserspaceBalancerTcpTest.readAll;
import static dev.pharos.agent.ipvs.proxy.UserspaceBalancerTcpTest.vip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pharos.agent.ipvs.proxy.TcpTestServer.Mode;
import dev.pharos.testing.Netns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/// The TCP relay's threading on loopback: one `SO_REUSEPORT` listening socket per relay loop,
/// the port still exclusive to the balancer, and real servers of either address family.
@Timeout(120)
class UserspaceBalancerLoopsTest {

    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @Test
    void everyRelayLoopTakesAShareAndNoConnectionIsLostBetweenThem() throws Exception {
        try (var a = TcpTestServer.start("127.0.0.2", Mode.ECHO, "A");
                var b = TcpTestServer.start("127.0.0.3", Mode.ECHO, "B");
                var lb = new UserspaceBalancer()) {
            var svc = BalancerService.tcp(vip(TcpTestServer.freePort()), "rr");
            lb.addService(svc);
            lb.addRealServer(svc.key(), BalancerRealServer.of(a.address(), 1));
            lb.addRealServer(svc.key(), BalancerRealServer.of(b.address(), 1));
            var clients = 8;
            var perClient = 100;
            var failures = new ConcurrentLinkedQueue<String>();
            // Concurrent clients, so several loops accept and relay at the same time.
            try (var pool = Executors.newFixedThreadPool(clients)) {
                for (int c = 0; c < clients; c++) {
                    var id = c;
                    pool.submit(() -> {
                        for (int i = 0; i < perClient; i++) {
                            var text = "client " + id + " request " + i + "\n";
                            try (var s = connect(svc.listen())) {
                                var back = echo(s, text);
                                s.shutdownOutput();
                                var bye = readAll(s);
                                if (!back.equals(text) || !bye.equals("BYE")) {
                                    failures.add(text.trim() + ": got " + back.trim() + " then " + bye);
                                }
                            } catch (IOException e) {
                                failures.add(text.trim() + ": " + e);
                            }
                        }
                    });
                }
            }
            assertThat(failures).isEmpty();
            var total = clients * perClient;
            var perLoop = lb.acceptedPerLoop();
            assertThat(perLoop).hasSize(Runtime.getRuntime().availableProcessors());
            assertThat(perLoop.stream().mapToLong(Long::longValue).sum()).isEqualTo(total);
            // The kernel hashes each connection's addresses over the loops' sockets: with 800
            // connections from distinct ports, a loop with none means its socket was not listening.
            assertThat(perLoop).allMatch(n -> n > 0);
            assertThat(lb.stats(svc.key()).orElseThrow().totalConnections()).isEqualTo(total);
            assertThat(a.accepted.get() + b.accepted.get()).isEqualTo(total);
            assertThat(Netns.await(DEADLINE, () -> lb.openConnections() == 0)).isTrue();
        }
    }

    @Test
    void aPortAnotherSocketHoldsIsRefusedEvenWhenThatSocketAllowsSharing() throws Exception {
        var port = TcpTestServer.freePort();
        try (var other = ServerSocketChannel.open(StandardProtocolFamily.INET);
                var lb = new UserspaceBalancer()) {
            // What another program of the same user could do: without the probe, the balancer's
            // SO_REUSEPORT sockets would join this one and share its connections silently.
            other.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            other.bind(new InetSocketAddress(loopback("0.0.0.0"), port));
            assertThatThrownBy(() -> lb.addService(BalancerService.tcp(vip(port), "rr")))
                    .isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining("cannot listen on 0.0.0.0:" + port)
                    .hasMessageContaining("stop what uses it");
        }
        try (var first = new UserspaceBalancer(); var second = new UserspaceBalancer()) {
            first.addService(BalancerService.tcp(vip(port), "rr"));
            assertThatThrownBy(() -> second.addService(BalancerService.tcp(vip(port), "rr")))
                    .hasMessageContaining("cannot listen on 0.0.0.0:" + port);
        }
    }

    @Test
    void aRemovedServiceFreesThePortOnEveryLoop() throws Exception {
        var port = TcpTestServer.freePort();
        try (var lb = new UserspaceBalancer()) {
            var svc = BalancerService.tcp(vip(port), "rr");
            lb.addService(svc);
            lb.removeService(svc.key());
            // Every loop's socket must be closed, or this bind without SO_REUSEPORT fails.
            assertThat(Netns.await(DEADLINE, () -> {
                try (var probe = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
                    probe.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                    probe.bind(new InetSocketAddress(loopback("0.0.0.0"), port));
                    return true;
                } catch (IOException e) {
                    return false;
                }
            })).isTrue();
        }
    }

    @Test
    void aServiceRemovedAndAddedAgainOnItsPortListensAtOnce() throws Exception {
        try (var a = TcpTestServer.start("127.0.0.2", Mode.NAME, "A");
                var lb = new UserspaceBalancer()) {
            var svc = BalancerService.tcp(vip(TcpTestServer.freePort()), "rr");
            for (int i = 0; i < 20; i++) {
                // removeService returns once every loop's socket is closed: the probe bind of the
                // next addService finds the port free.
                lb.addService(svc);
                lb.addRealServer(svc.key(), BalancerRealServer.of(a.address(), 1));
                assertThat(name(connect(svc.listen()))).isEqualTo("A");
                lb.removeService(svc.key());
            }
        }
    }

    @Test
    void ipv4AndIpv6RealServersServeOneIpv4VirtualService() throws Exception {
        try (var a = TcpTestServer.start("127.0.0.2", Mode.NAME, "A");
                var b = TcpTestServer.start("::1", Mode.NAME, "B6");
                var lb = new UserspaceBalancer()) {
            var svc = BalancerService.tcp(vip(TcpTestServer.freePort()), "rr");
            lb.addService(svc);
            lb.addRealServer(svc.key(), BalancerRealServer.of(a.address(), 1));
            lb.addRealServer(svc.key(), BalancerRealServer.of(b.address(), 1));
            var names = new java.util.HashSet<String>();
            for (int i = 0; i < 4; i++) {
                names.add(name(connect(svc.listen())));
            }
            assertThat(names).containsExactlyInAnyOrder("A", "B6");
            assertThat(Netns.await(DEADLINE, () -> lb.openConnections() == 0)).isTrue();
        }
    }
}
