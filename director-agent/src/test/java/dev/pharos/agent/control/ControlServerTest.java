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
import java.time.Duration;
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

    @Test
    void aPathThatIsNotASocketIsLeftAlone(@TempDir Path dir) throws Exception {
        // --control-socket pointing at a file by mistake (the config, a log) must not delete it.
        var file = dir.resolve("keepalived.conf");
        Files.writeString(file, "vrrp_instance VI_1 {\n}\n");
        assertThatThrownBy(() -> start(file)).isInstanceOf(IOException.class)
                .hasMessageContaining(file + " exists and is not a socket; refusing to delete it");
        assertThat(Files.readString(file)).isEqualTo("vrrp_instance VI_1 {\n}\n");
        var link = dir.resolve("link.sock");
        Files.createSymbolicLink(link, file);
        assertThatThrownBy(() -> start(link)).isInstanceOf(IOException.class).hasMessageContaining("is not a socket");
        assertThat(Files.isSymbolicLink(link)).as("the link is left too").isTrue();
        assertThat(Files.readString(file)).isEqualTo("vrrp_instance VI_1 {\n}\n");
    }

    @Test
    void clientsThatSendNothingAreClosedSoOthersGetIn(@TempDir Path dir) throws Exception {
        // Before, as many idle clients as the limit held every place for good.
        var socket = dir.resolve("idle.sock");
        var limits = new ControlServer.Limits(4, 64, Protocol.MAX_LINE_BYTES, ControlSession.OUTBOX_BYTES,
                Duration.ofMillis(500));
        try (var server = ControlServer.start(socket, null, dispatcher, journal, limits)) {
            var idle = new java.util.ArrayList<SocketChannel>();
            try {
                for (int i = 0; i < 4; i++) {
                    idle.add(SocketChannel.open(UnixDomainSocketAddress.of(socket)));
                }
                assertThat(dev.pharos.testing.Netns.await(Duration.ofSeconds(10), () -> server.sessionCount() == 4))
                        .isTrue();
                // Each idle client is told nothing and finds its connection closed.
                for (var c : idle) {
                    var buffer = ByteBuffer.allocate(4096);
                    long end = System.nanoTime() + 20_000_000_000L;
                    int n = 0;
                    while (System.nanoTime() < end && (n = c.read(buffer)) >= 0) {
                        buffer.clear();
                    }
                    assertThat(n).as("closed by the agent").isNegative();
                }
                assertThat(dev.pharos.testing.Netns.await(Duration.ofSeconds(10), () -> server.sessionCount() == 0))
                        .isTrue();
                assertThat(hello(socket)).contains("world");
            } finally {
                for (var c : idle) {
                    c.close();
                }
            }
        }
    }

    @Test
    void aClientThatAskedInTimeIsNotClosed(@TempDir Path dir) throws Exception {
        var socket = dir.resolve("busy.sock");
        var limits = new ControlServer.Limits(4, 64, Protocol.MAX_LINE_BYTES, ControlSession.OUTBOX_BYTES,
                Duration.ofMillis(300));
        try (var server = ControlServer.start(socket, null, dispatcher, journal, limits);
                var listener = ControlClient.connect(socket)) {
            listener.call(Protocol.HELLO, null, Duration.ofSeconds(20));
            // A client that connected after the listener is closed for its silence: by then the
            // listener, older and silent since its one request (as a subscriber is), was judged too.
            try (var idle = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                var buffer = ByteBuffer.allocate(4096);
                long end = System.nanoTime() + 20_000_000_000L;
                int n = 0;
                while (System.nanoTime() < end && (n = idle.read(buffer)) >= 0) {
                    buffer.clear();
                }
                assertThat(n).as("the silent client is closed").isNegative();
            }
            assertThat(listener.isOpen()).isTrue();
            assertThat(listener.call(Protocol.HELLO, null, Duration.ofSeconds(20)).toString()).contains("world");
            // the closed one is forgotten just after its streams close
            assertThat(dev.pharos.testing.Netns.await(Duration.ofSeconds(10), () -> server.sessionCount() == 1)).isTrue();
        }
    }

    private static String hello(Path socket) throws IOException {
        try (var c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            c.write(ByteBuffer.wrap("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"agent.hello\"}\n"
                    .getBytes(StandardCharsets.UTF_8)));
            var in = ByteBuffer.allocate(4096);
            long end = System.nanoTime() + 20_000_000_000L;
            while (System.nanoTime() < end && (in.position() == 0 || in.get(in.position() - 1) != '\n')) {
                if (c.read(in) < 0) {
                    break;
                }
            }
            return new String(in.array(), 0, in.position(), StandardCharsets.UTF_8);
        }
    }
}
