package dev.pharos.agent.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/// The TTL a datagram is sent with, as the receiving socket reports it, over loopback (no
/// privileges needed: the ports are above 1024), and the control-message walk on its own.
class UdpTtlSocketTest {

    @Test
    void theReceiverSeesTheTtlTheSenderSet() throws Exception {
        var loopback = (Inet4Address) InetAddress.getByName("127.0.0.1");
        int port = 40_000 + new Random().nextInt(5_000);
        try (var in = UdpTtlSocket.receiving(loopback, port)) {
            for (int ttl : new int[] {255, 254, 1}) {
                try (var out = UdpTtlSocket.sending(loopback, ttl, 49152, 65535, new Random(ttl))) {
                    out.send(loopback, port, new byte[] {1, 2, 3});
                    var got = in.receive(Duration.ofSeconds(5)).orElseThrow();
                    assertThat(got.ttl()).isEqualTo(ttl);
                    assertThat(got.payload()).containsExactly(1, 2, 3);
                    assertThat(got.source()).isEqualTo(loopback);
                }
            }
            assertThat(in.receive(Duration.ofMillis(50))).isEmpty();
        }
    }

    @Test
    void readsTheTtlControlMessageAndStopsOnMalformedOnes() {
        try (var arena = Arena.ofConfined()) {
            var control = arena.allocate(64, 8);
            // cmsghdr: length 20 (16 + an int), level IPPROTO_IP, type IP_TTL, then the TTL.
            control.set(ValueLayout.JAVA_LONG, 0, 20);
            control.set(ValueLayout.JAVA_INT, 8, Libc.IPPROTO_IP);
            control.set(ValueLayout.JAVA_INT, 12, Libc.IP_TTL);
            control.set(ValueLayout.JAVA_INT, 16, 64);
            assertThat(UdpTtlSocket.receivedTtl(control, 24)).isEqualTo(64);
            assertThat(UdpTtlSocket.receivedTtl(control, 0)).as("no control data").isZero();
            control.set(ValueLayout.JAVA_LONG, 0, 200);
            assertThat(UdpTtlSocket.receivedTtl(control, 24)).as("a length past the end").isZero();
            control.set(ValueLayout.JAVA_LONG, 0, 20);
            control.set(ValueLayout.JAVA_INT, 12, Libc.SO_TIMESTAMPNS);
            assertThat(UdpTtlSocket.receivedTtl(control, 24)).as("another message").isZero();
        }
    }
}
