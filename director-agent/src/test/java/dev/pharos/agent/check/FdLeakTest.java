package dev.pharos.agent.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.testing.Netns;
import java.io.File;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/// 10,000 failing checks through the scheduler leave no descriptor open: refused TCP and HTTP,
/// reset HTTP, refused TLS, unreachable DNS.
class FdLeakTest {

    private static int openDescriptors() {
        var fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }

    private static long attempts(CheckScheduler s) {
        return s.snapshot().stream().flatMap(r -> r.checkers().stream()).mapToLong(RealServerStatus.CheckerStatus::attempts).sum();
    }

    private static CheckPlan plan(int closedTcp, int closedUdp, InetSocketAddress resetting) throws Exception {
        var loop = InetAddress.getLoopbackAddress();
        var timing = new CheckSpec.Timing(Duration.ofMillis(50), 0, Duration.ofMillis(50), Duration.ofMillis(50), false);
        var refused = new CheckSpec.Endpoint(new InetSocketAddress(loop, closedTcp), null, 0, Duration.ofSeconds(2));
        var unreachable = new CheckSpec.Endpoint(new InetSocketAddress(loop, closedUdp), null, 0, Duration.ofSeconds(2));
        var reset = new CheckSpec.Endpoint(resetting, null, 0, Duration.ofSeconds(2));
        var url = List.of(HttpProbeTest.url("/"));
        var servers = new ArrayList<CheckPlan.RealServerPlan>();
        for (int i = 0; i < 60; i++) {
            var id = new RealServerId("192.0.2.10:80", InetAddress.getByName("192.0.2." + (i + 1)), 80);
            var checks = new ArrayList<CheckSpec>(List.of(
                    new CheckSpec.TcpCheck(refused, timing),
                    new CheckSpec.HttpGet(false, url, refused, null, CheckSpec.HttpVersion.HTTP_1_0, false, null, timing),
                    new CheckSpec.HttpGet(true, url, refused, null, CheckSpec.HttpVersion.HTTP_1_0, false, null, timing),
                    new CheckSpec.HttpGet(false, url, reset, "h" + i, CheckSpec.HttpVersion.HTTP_1_1, false, null, timing)));
            if (i % 3 == 0) {
                // ~400 queries/s: under the kernel's global ICMP limit (1000/s), so each is answered
                // by a port unreachable rather than left to time out.
                checks.add(new CheckSpec.DnsCheck(CheckSpec.DnsType.A, "example.org", unreachable, timing));
            }
            servers.add(new CheckPlan.RealServerPlan(id, 1, checks, false));
        }
        return new CheckPlan(servers, List.of());
    }

    private static void run(CheckPlan plan, long attempts) {
        try (var scheduler = new CheckScheduler(e -> { })) {
            scheduler.apply(plan);
            assertThat(Netns.await(Duration.ofSeconds(60), () -> attempts(scheduler) >= attempts))
                    .as("%d attempts made", attempts).isTrue();
            assertThat(scheduler.snapshot()).allMatch(s -> !s.up());
        }
    }

    @Test
    void tenThousandFailingChecksLeaveNoDescriptorOpen() throws Exception {
        int closedTcp;
        int closedUdp;
        try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                var d = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            closedTcp = s.getLocalPort();
            closedUdp = d.getLocalPort();
        }
        try (var resetting = new TestHttpServer(TestHttpServer.reset())) {
            var plan = plan(closedTcp, closedUdp, resetting.address());
            run(plan, 600); // warm up: classes, TLS, the timer thread, the carrier threads
            int before = openDescriptors();
            run(plan, 10_000);
            // Checked at once: a leaked socket would be closed by its cleaner only after a garbage
            // collection, which a longer wait would let happen and so hide the leak. The resetting
            // peer's own sockets may need a moment; a second is plenty.
            assertThat(Netns.await(Duration.ofSeconds(1), () -> openDescriptors() <= before + 2))
                    .as("descriptors before %d, after %d", before, openDescriptors()).isTrue();
        }
    }
}
