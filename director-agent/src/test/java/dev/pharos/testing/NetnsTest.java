package dev.pharos.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

class NetnsTest {

    @Test
    void hostsOnTheBridgeReachEachOtherAndAreRemovedAfterwards() {
        assumeTrue(Netns.available(), "needs Linux, root and iproute2");
        String name;
        try (var net = Netns.create()) {
            var a = net.host("a", "192.0.2.1/24");
            var b = net.host("b", "192.0.2.2/24");
            name = a.name();
            assertThat(a.addresses("eth0")).containsExactly("192.0.2.1");
            assertThat(b.exec("ping", "-c", "1", "-W", "5", "192.0.2.1").exitCode()).isZero();
        }
        assertThat(Netns.run("ip", "netns", "list")).doesNotContain(name);
    }
}
