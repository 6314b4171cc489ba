package dev.pharos.agent.ipvs.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pharos.agent.ipvs.proxy.schedulers.Flow;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/// Scheduling decisions of one service on a fake clock: persistence, thresholds, sorry server.
class LiveServiceTest {

    private static final InetSocketAddress VIP = addr("203.0.113.10", 80);
    private static final InetSocketAddress A = addr("198.51.100.1", 80);
    private static final InetSocketAddress B = addr("198.51.100.2", 80);
    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong clock = new AtomicLong();
    private final Connections connections = new Connections();

    /// Unconnected stand-ins for connections, to count against a real server's thresholds.
    static final class Connections implements AutoCloseable {
        private final RelayContext context = new RelayContext(0, 4096);
        private final List<SocketChannel> channels = new ArrayList<>();

        TcpConnection create(LiveService live, int i) throws IOException {
            var ch = SocketChannel.open();
            channels.add(ch);
            return new TcpConnection(ch, addr("192.0.2.1", 1000 + i), VIP, live, context, context.nextLoop());
        }

        @Override
        public void close() throws IOException {
            for (var ch : channels) {
                ch.close();
            }
            context.closeLoops();
        }
    }

    @AfterEach
    void closeConnections() throws IOException {
        connections.close();
    }

    static InetSocketAddress addr(String a, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(a), port);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Flow from(String client) {
        return new Flow(addr(client, 1).getAddress(), 40000, VIP.getAddress(), 80);
    }

    private LiveService service(BalancerService config) {
        var live = new LiveService(config, clock::get);
        live.addRealServer(BalancerRealServer.of(A, 1));
        live.addRealServer(BalancerRealServer.of(B, 1));
        return live;
    }

    private static InetSocketAddress chosen(LiveService.Selection s) {
        return s.server().config().address();
    }

    @Test
    void persistenceHoldsWithinTheTimeoutAfterTheLastConnection() {
        var live = service(BalancerService.tcp(VIP, "rr").withPersistence(Persistence.of(Duration.ofSeconds(10))));
        var first = live.choose(from("192.0.2.1"));
        assertThat(chosen(first)).isEqualTo(A);
        clock.set(30 * SECOND);   // the connection is still open: the template stays
        var second = live.choose(from("192.0.2.1"));
        assertThat(chosen(second)).isEqualTo(A);
        live.release(first);
        live.release(second);   // last one ended at 30 s
        clock.set(39 * SECOND);
        var third = live.choose(from("192.0.2.1"));
        assertThat(chosen(third)).isEqualTo(A);
        live.release(third);   // ended at 39 s
        clock.set(49 * SECOND + 1);
        live.expire();
        assertThat(live.persistenceEntries()).isZero();
        assertThat(chosen(live.choose(from("192.0.2.1")))).isEqualTo(B);   // rr moves on
    }

    @Test
    void persistenceGranularityGroupsANetwork() {
        var live = service(BalancerService.tcp(VIP, "rr")
                .withPersistence(Persistence.of(Duration.ofSeconds(120), addr("255.255.255.0", 0).getAddress())));
        assertThat(chosen(live.choose(from("192.0.2.1")))).isEqualTo(A);
        assertThat(chosen(live.choose(from("192.0.2.200")))).isEqualTo(A);
        assertThat(chosen(live.choose(from("198.51.100.9")))).isEqualTo(B);
    }

    /// IPVS's default (`expire_quiescent_template` 0): a drained server keeps the clients it
    /// already has a template for; only new clients go elsewhere. Its removal ends the templates.
    @Test
    void aDrainedServerKeepsItsPersistentClientsUntilItIsRemoved() {
        var live = service(BalancerService.tcp(VIP, "rr").withPersistence(Persistence.of(Duration.ofSeconds(120))));
        assertThat(chosen(live.choose(from("192.0.2.1")))).isEqualTo(A);
        live.updateRealServer(BalancerRealServer.of(A, 0));
        assertThat(chosen(live.choose(from("192.0.2.1")))).as("persistent client of the drained server").isEqualTo(A);
        assertThat(chosen(live.choose(from("192.0.2.2")))).as("a new client").isEqualTo(B);
        assertThat(chosen(live.choose(from("192.0.2.3")))).as("a new client").isEqualTo(B);
        live.removeRealServer(A);
        assertThat(chosen(live.choose(from("192.0.2.1")))).as("after the removal").isEqualTo(B);
    }

    /// A connection the real server refused ends like any other: the client's template stays, so
    /// its next connection goes to the same server (IPVS would not move it either).
    @Test
    void aRefusedConnectionLeavesTheClientOnItsServer() {
        var live = service(BalancerService.tcp(VIP, "rr").withPersistence(Persistence.of(Duration.ofSeconds(120))));
        var refused = live.choose(from("192.0.2.1"));
        assertThat(chosen(refused)).isEqualTo(A);
        live.release(refused);
        assertThat(chosen(live.choose(from("192.0.2.1")))).isEqualTo(A);
        assertThat(live.persistenceEntries()).isEqualTo(1);
    }

    @Test
    void netmasks() {
        var p = Persistence.of(Duration.ofSeconds(1), addr("255.255.240.0", 0).getAddress());
        assertThat(p.prefixLength()).isEqualTo(20);
        assertThat(p.mask(addr("198.51.100.77", 0).getAddress()).getHostAddress()).isEqualTo("198.51.96.0");
        assertThat(Persistence.of(Duration.ofSeconds(1), addr("255.255.255.255", 0).getAddress()).prefixLength())
                .isEqualTo(128);
        assertThatThrownBy(() -> Persistence.of(Duration.ofSeconds(1), addr("255.0.255.0", 0).getAddress()))
                .hasMessageContaining("not a netmask");
        assertThat(Persistence.NONE.enabled()).isFalse();
    }

    @Test
    void upperThresholdOverloadsAndThreeQuartersClearsIt() throws IOException {
        var live = new LiveService(BalancerService.tcp(VIP, "rr"), clock::get);
        live.addRealServer(new BalancerRealServer(A, 1, 4, 0));
        live.addRealServer(BalancerRealServer.of(B, 1));
        var a = live.realServers().getFirst();
        var conns = new ArrayList<TcpConnection>();
        for (int i = 0; i < 4; i++) {
            var c = connections.create(live, i);
            conns.add(c);
            a.opened(c);
        }
        assertThat(a.overloaded()).isTrue();
        assertThat(List.of(chosen(live.choose(from("192.0.2.9"))), chosen(live.choose(from("192.0.2.9")))))
                .containsOnly(B);
        a.closed(conns.removeLast(), false);   // 3 × 4 = 12 is not below 4 × 3 = 12
        assertThat(a.overloaded()).isTrue();
        a.closed(conns.removeLast(), false);   // 2 × 4 = 8 < 12: cleared
        assertThat(a.overloaded()).isFalse();
        for (var c : conns) {
            a.closed(c, false);
        }
    }

    /// The kernel's `ip_vs_sched_persist` uses a valid template without looking at the overload
    /// flag: a persistent client stays on its server past `uthreshold`; only new clients move.
    @Test
    void aPersistentClientStaysOnAnOverloadedServer() throws IOException {
        var sticky = BalancerService.tcp(VIP, "rr").withPersistence(Persistence.of(Duration.ofSeconds(120)));
        var live = new LiveService(sticky, clock::get);
        live.addRealServer(new BalancerRealServer(A, 1, 1, 0));
        live.addRealServer(BalancerRealServer.of(B, 1));
        var first = live.choose(from("192.0.2.1"));
        assertThat(chosen(first)).isEqualTo(A);
        var a = live.realServers().getFirst();
        var open = connections.create(live, 0);
        a.opened(open);
        assertThat(a.overloaded()).isTrue();
        assertThat(chosen(live.choose(from("192.0.2.1")))).as("the persistent client").isEqualTo(A);
        assertThat(chosen(live.choose(from("192.0.2.2")))).as("a new client").isEqualTo(B);
        a.closed(open, false);
    }

    @Test
    void lowerThresholdClearsOverloadBelowIt() throws IOException {
        var live = new LiveService(BalancerService.tcp(VIP, "rr"), clock::get);
        live.addRealServer(new BalancerRealServer(A, 1, 3, 1));
        var a = live.realServers().getFirst();
        var conns = new ArrayList<TcpConnection>();
        for (int i = 0; i < 3; i++) {
            var c = connections.create(live, i);
            conns.add(c);
            a.opened(c);
        }
        assertThat(live.choose(from("192.0.2.9"))).isNull();   // overloaded, no sorry server
        a.closed(conns.removeLast(), false);
        a.closed(conns.removeLast(), false);
        assertThat(a.overloaded()).isTrue();   // 1 is not below lthreshold 1
        a.closed(conns.removeLast(), false);
        assertThat(a.overloaded()).isFalse();
    }

    @Test
    void sorryServerOnlyWhenNothingElseCanTakeTheConnection() {
        var live = service(BalancerService.tcp(VIP, "wlc").withSorryServer(addr("198.51.100.250", 80)));
        assertThat(live.choose(from("192.0.2.1")).sorry()).isFalse();
        live.updateRealServer(BalancerRealServer.of(A, 0));
        live.updateRealServer(BalancerRealServer.of(B, 0));
        assertThat(live.choose(from("192.0.2.1")).sorry()).isTrue();
        live.update(live.config().withSorryServer(null));
        assertThat(live.choose(from("192.0.2.1"))).isNull();
    }
}
