package dev.pharos.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pharos.agent.api.Protocol;
import dev.pharos.agent.control.ControlClient;
import dev.pharos.testing.Netns;
import dev.pharos.testing.PharosAgent;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/// Hostile clients on the control channel while the agent is VRRP master: random bytes, truncated
/// JSON, deep nesting, a 100 MB line, 1,000 clients at once. Each gets an error or is cut off; the
/// agent keeps advertising on time (read from the wire) and its memory stays bounded.
class ControlChannelFuzzTest {

    @Test
    @Timeout(300) // reads block: a silent agent fails the test instead of hanging the build
    void hostileClientsDoNotDisturbVrrp(@TempDir Path dir) throws Exception {
        assumeTrue(Netns.available() && Files.isExecutable(Path.of("/usr/bin/tcpdump")), "needs root and tcpdump");
        try (var net = Netns.create()) {
            var a = net.host("a", "192.0.2.1/24");
            var observer = net.host("o", "192.0.2.3/24");
            try (var agent = PharosAgent.start(a, dir, "a", ControlChannelTest.CONFIG)) {
                assertThat(Netns.await(Duration.ofSeconds(30), () -> a.addresses("eth0").contains("192.0.2.100")))
                        .as("master%n%s", agent.log()).isTrue();
                var capture = dir.resolve("capture.txt");
                var tcpdump = observer.start(capture, "/usr/bin/tcpdump", "-i", "eth0", "-n", "-tt", "-l",
                        "ip proto 112 and src 192.0.2.1");
                var socket = UnixDomainSocketAddress.of(agent.socket());
                long started = System.nanoTime();

                // 1,000 clients connected at once, each answered.
                var clients = new ArrayList<SocketChannel>();
                try {
                    for (int i = 0; i < 1000; i++) {
                        var ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                        ch.connect(socket);
                        clients.add(ch);
                        write(ch, "{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"agent.hello\"}\n");
                    }
                    int answered = 0;
                    for (var ch : clients) {
                        if (readLine(ch, Duration.ofSeconds(20)).contains("\"protocolVersion\":1")) {
                            answered++;
                        }
                    }
                    assertThat(answered).isEqualTo(1000);
                } finally {
                    for (var ch : clients) {
                        ch.close();
                    }
                }

                // Closed clients are released asynchronously; wait until the agent has room again.
                assertThat(Netns.await(Duration.ofSeconds(20), () -> {
                    try (var c = ControlClient.connect(agent.socket())) {
                        c.call(Protocol.HELLO, null, Duration.ofSeconds(5));
                        return true;
                    } catch (Exception e) {
                        return false;
                    }
                })).as("the agent frees the 1,000 sessions").isTrue();

                // Garbage of every kind, each on its own connection: an error line, or a closed connection.
                var rnd = new Random(5);
                var hostile = new ArrayList<String>();
                for (int i = 0; i < 200; i++) {
                    var b = new byte[1 + rnd.nextInt(300)];
                    rnd.nextBytes(b);
                    hostile.add(new String(b, StandardCharsets.ISO_8859_1).replace('\n', ' '));
                }
                hostile.add("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"state.get\"");
                hostile.add("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\",\"params\":" + "[".repeat(50_000) + "}");
                hostile.add("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"realServer.update\",\"params\":{\"weight\":\"x\"}}");
                hostile.add("{\"jsonrpc\":\"2.0\",\"id\":[1],\"method\":\"agent.hello\"}");
                int errors = 0;
                for (var line : hostile) {
                    try (var ch = SocketChannel.open(socket)) {
                        try {
                            write(ch, line + "\n");
                        } catch (IOException e) {
                            throw new AssertionError("writing " + line.length() + " chars: " + e + "\n" + agent.log(), e);
                        }
                        var answer = readLine(ch, Duration.ofSeconds(20));
                        if (answer.contains("\"error\"")) {
                            errors++;
                        }
                    }
                }
                assertThat(errors).isEqualTo(hostile.size());

                // 100 MB without a newline, then a newline: one error, then the same connection still works.
                try (var ch = SocketChannel.open(socket)) {
                    var chunk = ByteBuffer.allocate(1 << 20);
                    java.util.Arrays.fill(chunk.array(), (byte) 'x');
                    for (int i = 0; i < 100; i++) {
                        chunk.clear();
                        while (chunk.hasRemaining()) {
                            ch.write(chunk);
                        }
                    }
                    write(ch, "\n{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"agent.hello\"}\n");
                    assertThat(readLine(ch, Duration.ofSeconds(30))).contains("exceeds the limit");
                    assertThat(readLine(ch, Duration.ofSeconds(30))).contains("\"id\":2");
                }

                // Make the capture span at least 8 s so the advert gaps mean something.
                Netns.await(Duration.ofSeconds(10), () -> System.nanoTime() - started > 8_000_000_000L);
                try (var c = ControlClient.connect(agent.socket())) {
                    assertThat(c.call(Protocol.HELLO, null, Duration.ofSeconds(10)).get("protocolVersion").asInt())
                            .isEqualTo(1);
                }
                Netns.stop(tcpdump, Duration.ofSeconds(5));
                assertThat(agent.alive()).as(agent.log()).isTrue();
                assertThat(a.addresses("eth0")).contains("192.0.2.100");

                var times = new ArrayList<Double>();
                var advert = Pattern.compile("^(\\d+\\.\\d+) IP 192\\.0\\.2\\.1 > 224\\.0\\.0\\.18: VRRPv2");
                for (var l : Files.readAllLines(capture)) {
                    var m = advert.matcher(l);
                    if (m.find()) {
                        times.add(Double.parseDouble(m.group(1)));
                    }
                }
                assertThat(times.size()).as("adverts during the abuse").isGreaterThanOrEqualTo(6);
                double worst = 0;
                for (int i = 1; i < times.size(); i++) {
                    worst = Math.max(worst, times.get(i) - times.get(i - 1));
                }
                assertThat(worst).as("largest gap between adverts (advert_int 1), s").isLessThan(2.0);

                long rssKb = Files.readAllLines(Path.of("/proc/" + agent.pid() + "/status")).stream()
                        .filter(l -> l.startsWith("VmRSS:")).map(l -> l.replaceAll("\\D", "")).mapToLong(Long::parseLong)
                        .findFirst().orElseThrow();
                assertThat(rssKb).as("agent RSS, kB (heap is capped at 128 MB)").isLessThan(400_000);
            }
        }
    }

    private static void write(SocketChannel ch, String s) throws IOException {
        var b = ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /// One line, or what came before the connection closed ("" if nothing); reading stops at the
    /// deadline only between bytes (the test's timeout covers a read that never returns).
    private static String readLine(SocketChannel ch, Duration deadline) throws IOException {
        var out = new java.io.ByteArrayOutputStream();
        var b = ByteBuffer.allocate(1);
        long end = System.nanoTime() + deadline.toNanos();
        while (System.nanoTime() < end) {
            b.clear();
            int n = ch.read(b);
            if (n < 0) {
                break;
            }
            if (b.get(0) == '\n') {
                break;
            }
            out.write(b.get(0));
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
