package dev.pharos.agent.ipvs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/// Which TCP relay a balancer runs on: native by default on Linux, NIO when asked for by setting
/// or system property, and a clear error for anything else.
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
