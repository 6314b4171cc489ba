package dev.pharos.agent.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pharos.agent.api.Protocol;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// The listener's file: it appears already listening and already 0660, replaces a stale one, and
/// refuses to take over a live one.
class ControlServerTest {

    private final EventJournal journal = new EventJournal(Clock.systemUTC(), 100);
    private final Dispatcher dispatcher = new Dispatcher(Map.of(Protocol.HELLO, (p, s) -> Map.of("hello", "world")));

    private ControlServer start(Path socket) throws IOException {
        return ControlServer.start(socket, null, dispatcher, journal, 8, Protocol.MAX_LINE_BYTES);
    }

    @Test
    void whoeverSeesTheSocketCanConnectAtOnce(@TempDir Path dir) throws Exception {
        // A watcher connects the moment the path exists, as scripts and the tests do; before the
        // socket was renamed into place, bind(2) made the file visible before listen(2).
        for (int round = 0; round < 40; round++) {
            var socket = dir.resolve("r" + round + ".sock");
            var failure = new AtomicReference<Throwable>();
            var watcher = Thread.ofPlatform().start(() -> {
                long end = System.nanoTime() + 10_000_000_000L;
                while (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS) && System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
                try (var c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)))
                            .isEqualTo("rw-rw----");
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            try (var server = start(socket)) {
                watcher.join(10_000);
                assertThat(failure.get()).as("round %d", round).isNull();
            }
            assertThat(Files.exists(socket)).as("removed on close").isFalse();
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no staging names left behind").isEmpty();
        }
    }

    @Test
    void answersOnTheSocket(@TempDir Path dir) throws Exception {
        var socket = dir.resolve("a.sock");
        try (var server = start(socket); var c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            c.write(ByteBuffer.wrap("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"agent.hello\"}\n"
                    .getBytes(StandardCharsets.UTF_8)));
            var in = ByteBuffer.allocate(4096);
            long end = System.nanoTime() + 20_000_000_000L;
            while (System.nanoTime() < end && (in.position() == 0 || in.get(in.position() - 1) != '\n')) {
                if (c.read(in) < 0) {
                    break;
                }
            }
            assertThat(new String(in.array(), 0, in.position(), StandardCharsets.UTF_8)).contains("world");
        }
    }

    @Test
    void aStaleSocketIsReplacedAndALiveOneIsNot(@TempDir Path dir) throws Exception {
        var socket = dir.resolve("a.sock");
        // A socket file with nobody behind it, as a killed agent leaves.
        try (var dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket));
        }
        assertThat(Files.exists(socket)).isTrue();
        try (var server = start(socket)) {
            try (var c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                assertThat(c.isConnected()).isTrue();
            }
            assertThatThrownBy(() -> start(socket)).isInstanceOf(IOException.class)
                    .hasMessageContaining("another agent is already listening on " + socket);
            try (var c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                assertThat(c.isConnected()).as("the first agent keeps its socket").isTrue();
            }
        }
    }

    @Test
    void aPathTooLongForAStagingNameIsBoundDirectly(@TempDir Path dir) {
        var abs = dir.toAbsolutePath().toString();
        var name = "s".repeat(Math.max(1, 104 - abs.length()));
        var socket = dir.resolve(name);
        assertThat(ControlServer.stagingPath(socket)).isEqualTo(socket);
        assertThat(ControlServer.stagingPath(dir.resolve("a.sock")).getFileName().toString()).startsWith(".a.sock.");
    }
}
