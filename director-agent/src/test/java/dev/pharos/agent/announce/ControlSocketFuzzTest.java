package dev.pharos.agent.announce;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// BIRD's and FRR's control-socket decoders against a fake daemon that answers with random bytes,
/// truncated answers or nothing: each exchange ends in an answer or an IOException within the
/// deadline, never another exception or a hang.
class ControlSocketFuzzTest {

    static final Duration TIMEOUT = Duration.ofMillis(300);

    @TempDir
    Path dir;

    /// A daemon that sends `answer` to each connection after reading what it gets, then closes it
    /// (or keeps it open: silence).
    Thread fakeDaemon(ServerSocketChannel server, byte[] answer, boolean close) {
        return Thread.ofVirtual().start(() -> {
            try (var c = server.accept()) {
                c.write(ByteBuffer.wrap(answer));
                if (!close) {
                    c.read(ByteBuffer.allocate(4096));
                    c.read(ByteBuffer.allocate(4096));
                }
            } catch (IOException e) {
                // the client went away: that is the test's business
            }
        });
    }

    @Test
    void garbageIsAnIoExceptionNeverACrashOrAHang() throws Exception {
        var random = new Random(7);
        var pieces = new String[] {"0001 BIRD 2.0.12 ready.\n", "1002-x Static master4 up 1 \n", " y Static t down\n",
            "0000 \n", "9001 syntax error\n", "\0\0\0", "\0\0\0\0", "\0\0\0\2", "%", "\n", "-", " ", "12345"};
        for (int round = 0; round < 120; round++) {
            var socket = dir.resolve("s" + round);
            try (var server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(UnixDomainSocketAddress.of(socket));
                var answer = new StringBuilder();
                for (int k = random.nextInt(6); k > 0; k--) {
                    answer.append(random.nextBoolean() ? pieces[random.nextInt(pieces.length)]
                            : (char) random.nextInt(256));
                }
                var daemon = fakeDaemon(server, answer.toString().getBytes(StandardCharsets.ISO_8859_1),
                        random.nextBoolean());
                long started = System.nanoTime();
                try {
                    if (round % 2 == 0) {
                        try (var bird = BirdControl.connect(socket, TIMEOUT)) {
                            bird.command("show protocols");
                        }
                    } else {
                        try (var frr = FrrVty.connect(socket, TIMEOUT)) {
                            frr.command("enable");
                        }
                    }
                } catch (IOException expected) {
                    assertThat(expected.getMessage()).isNotBlank();
                }
                assertThat(Duration.ofNanos(System.nanoTime() - started)).as("bounded by the deadlines")
                        .isLessThan(Duration.ofSeconds(5));
                daemon.join(Duration.ofSeconds(5));
            }
        }
    }
}
