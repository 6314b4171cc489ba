package dev.pharos.agent.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/// TCP_CHECK on loopback: an open port is up, a closed one is refused. (The timeout of an
/// unreachable peer is covered in namespaces, [CheckNamespaceTest].)
class TcpProbeTest {

    private static ProbeResult attempt(int port, InetAddress bindTo) {
        return attempt(InetAddress.getLoopbackAddress(), port, bindTo);
    }

    private static ProbeResult attempt(InetAddress to, int port, InetAddress bindTo) {
        return new TcpProbe(new CheckSpec.TcpCheck(new CheckSpec.Endpoint(new InetSocketAddress(to, port),
                bindTo, 0, Duration.ofSeconds(1)), CheckSchedulerTest.timing(1, 0, 1, 0, false))).attempt();
    }

    @Test
    void anIpv6RealServerIsCheckedFromItsOwnFamily() throws Exception {
        var v6 = InetAddress.getByName("::1");
        try (var server = new ServerSocket(0, 10, v6)) {
            assertThat(attempt(v6, server.getLocalPort(), null)).isEqualTo(ProbeResult.up());
            assertThat(attempt(v6, server.getLocalPort(), v6)).isEqualTo(ProbeResult.up());
        }
        int closed;
        try (var server = new ServerSocket(0, 10, v6)) {
            closed = server.getLocalPort();
        }
        assertThat(attempt(v6, closed, null)).isEqualTo(ProbeResult.down("connection refused"));
    }

    @Test
    void anOpenPortIsUpAndTheConnectionIsClosedAtOnce() throws Exception {
        try (var server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            assertThat(attempt(server.getLocalPort(), null)).isEqualTo(ProbeResult.up());
            assertThat(attempt(server.getLocalPort(), InetAddress.getLoopbackAddress())).isEqualTo(ProbeResult.up());
            try (var accepted = server.accept()) {
                assertThat(accepted.getInputStream().read()).isEqualTo(-1);
            }
        }
    }

    @Test
    void aClosedPortIsRefused() throws Exception {
        int port;
        try (var server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            port = server.getLocalPort();
        }
        assertThat(attempt(port, null)).isEqualTo(ProbeResult.down("connection refused"));
    }

    @Test
    void anAddressThatCannotBeBoundIsAClearFailure() throws Exception {
        var result = attempt(80, InetAddress.getByName("198.51.100.77"));
        assertThat(result).isInstanceOf(ProbeResult.Down.class);
        assertThat(((ProbeResult.Down) result).reason()).containsIgnoringCase("assign");
    }
}
