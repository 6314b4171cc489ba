package dev.pharos.agent.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/// DNS_CHECK against a tiny UDP responder: a good answer, an error rcode, garbage, silence.
class DnsProbeTest {

    private static final Duration TIMEOUT = Duration.ofMillis(500);

    private static ProbeResult attempt(InetSocketAddress to, CheckSpec.DnsType type, String name) {
        return new DnsProbe(new CheckSpec.DnsCheck(type, name, new CheckSpec.Endpoint(to, null, 0, TIMEOUT),
                CheckSchedulerTest.timing(1, 0, 1, 0, false))).attempt();
    }

    @Test
    void aNoerrorReplyIsUpAndTheQueryIsKeepalivedsForm() throws Exception {
        try (var server = new TestDnsServer(TestDnsServer.rcode(0))) {
            assertThat(attempt(server.address(), CheckSpec.DnsType.A, "example.org")).isEqualTo(ProbeResult.up());
            var q = server.queries().getFirst();
            // Everything but the random ID
            assertThat(Arrays.copyOfRange(q, 2, q.length)).isEqualTo(Arrays.copyOfRange(DnsPacket.query(0, "example.org", 1), 2, q.length));
        }
    }

    @Test
    void anErrorRcodeIsDownWithItsName() throws Exception {
        try (var server = new TestDnsServer(TestDnsServer.rcode(2))) {
            assertThat(attempt(server.address(), CheckSpec.DnsType.SOA, "")).isEqualTo(ProbeResult.down("DNS rcode SERVFAIL"));
            server.answer(TestDnsServer.rcode(3));
            assertThat(attempt(server.address(), CheckSpec.DnsType.SOA, "")).isEqualTo(ProbeResult.down("DNS rcode NXDOMAIN"));
            server.answer(TestDnsServer.rcode(9));
            assertThat(attempt(server.address(), CheckSpec.DnsType.SOA, "")).isEqualTo(ProbeResult.down("DNS rcode RCODE 9"));
        }
    }

    @Test
    void garbageIsIgnoredAsKeepalivedDoesAndTheAttemptTimesOutSayingSo() throws Exception {
        try (var server = new TestDnsServer(query -> {
            var wrongId = TestDnsServer.reply(query, 0);
            wrongId[0] ^= (byte) 0xFF;
            return List.of(new byte[] {1, 2, 3}, wrongId, query.clone());
        })) {
            long start = System.nanoTime();
            var result = attempt(server.address(), CheckSpec.DnsType.A, "example.org");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TIMEOUT.multipliedBy(2).plusSeconds(1));
            assertThat(result).isEqualTo(ProbeResult.down(
                    "timeout after 500ms (ignored 3 invalid replies, last: a query, not a response)"));
        }
    }

    @Test
    void aGoodReplyAfterGarbageIsUp() throws Exception {
        try (var server = new TestDnsServer(query -> List.of(new byte[5], TestDnsServer.reply(query, 0)))) {
            assertThat(attempt(server.address(), CheckSpec.DnsType.A, "example.org")).isEqualTo(ProbeResult.up());
        }
    }

    @Test
    void silenceTimesOut() throws Exception {
        try (var server = new TestDnsServer(TestDnsServer.silent())) {
            assertThat(attempt(server.address(), CheckSpec.DnsType.A, "example.org")).isEqualTo(ProbeResult.down("timeout after 500ms"));
        }
    }

    @Test
    void noListenerIsPortUnreachable() throws Exception {
        int port;
        try (var s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            port = s.getLocalPort();
        }
        // The kernel limits ICMP errors globally (1000/s) and other tests may have spent them: a
        // few attempts, bounded, until one gets its port unreachable.
        ProbeResult result = null;
        for (int i = 0; i < 5 && !ProbeResult.down("port unreachable").equals(result); i++) {
            result = attempt(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), CheckSpec.DnsType.A, "example.org");
        }
        assertThat(result).isEqualTo(ProbeResult.down("port unreachable"));
    }
}
