package dev.pharos.agent.ipvs.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/// Which TCP relay a balancer runs on: native by default on Linux, NIO when asked for by setting
/// or system property or when the native relay cannot start, and a clear error for anything else.
class UserspaceBalancerRelayTest {

    @Test
    void theNativeRelayIsTheDefaultOnLinux() {
        assumeTrue(System.getProperty("os.name").startsWith("Linux"), "Linux only");
        assumeTrue(System.getProperty(UserspaceBalancer.Relay.PROPERTY) == null, "no relay forced for this run");
        assertThat(UserspaceBalancer.Settings.DEFAULT.relay()).isEqualTo(UserspaceBalancer.Relay.NATIVE);
        try (var lb = new UserspaceBalancer()) {
            assertThat(lb.relay()).isEqualTo(UserspaceBalancer.Relay.NATIVE);
        }
    }

    @Test
    void whereTheNativeRelayCannotStartTheBalancerFallsBackToNioAndServes() throws Exception {
        var os = System.getProperty("os.name");
        UserspaceBalancer lb;
        try {
            System.setProperty("os.name", "Windows 11");   // TcpSockets.open() refuses then
            lb = new UserspaceBalancer(UserspaceBalancer.Settings.DEFAULT.withRelay(UserspaceBalancer.Relay.NATIVE));
        } finally {
            System.setProperty("os.name", os);
        }
        try (lb; var a = TcpTestServer.start("127.0.0.2", TcpTestServer.Mode.NAME, "A")) {
            assertThat(lb.relay()).isEqualTo(UserspaceBalancer.Relay.NIO);
            var svc = BalancerService.tcp(UserspaceBalancerTcpTest.vip(TcpTestServer.freePort()), "rr");
            lb.addService(svc);
            lb.addRealServer(svc.key(), BalancerRealServer.of(a.address(), 1));
            assertThat(UserspaceBalancerTcpTest.name(UserspaceBalancerTcpTest.connect(svc.listen()))).isEqualTo("A");
        }
    }

    @Test
    void nioIsSelectedBySettingOrSystemProperty() {
        try (var lb = new UserspaceBalancer(UserspaceBalancer.Settings.DEFAULT.withRelay(UserspaceBalancer.Relay.NIO))) {
            assertThat(lb.relay()).isEqualTo(UserspaceBalancer.Relay.NIO);
        }
        var before = System.getProperty(UserspaceBalancer.Relay.PROPERTY);
        try {
            System.setProperty(UserspaceBalancer.Relay.PROPERTY, "nio");
            assertThat(new UserspaceBalancer.Settings(0, 8192).relay()).isEqualTo(UserspaceBalancer.Relay.NIO);
            System.setProperty(UserspaceBalancer.Relay.PROPERTY, "native");
            assertThat(new UserspaceBalancer.Settings(0, 8192).relay()).isEqualTo(UserspaceBalancer.Relay.NATIVE);
            System.setProperty(UserspaceBalancer.Relay.PROPERTY, "iouring");
            assertThatThrownBy(() -> new UserspaceBalancer.Settings(0, 8192))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("-Dpharos.balancer.relay=iouring is not a TCP relay: use native or nio");
        } finally {
            if (before == null) {
                System.clearProperty(UserspaceBalancer.Relay.PROPERTY);
            } else {
                System.setProperty(UserspaceBalancer.Relay.PROPERTY, before);
            }
        }
    }
}
