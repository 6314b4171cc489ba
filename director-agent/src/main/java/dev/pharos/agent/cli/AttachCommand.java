package dev.pharos.agent.cli;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/// `attach`: stdin/stdout ⇄ the control socket, byte for byte, for an SSH exec channel
/// (`ssh director director-agent attach`). When stdin ends, the agent is told (half-close) and
/// its last answers are still copied out; when the agent's side ends, `attach` exits at once.
@Command(name = "attach", description = "Bridge stdin/stdout to the agent's control socket (for SSH).")
final class AttachCommand implements Callable<Integer> {

    /// After stdin ends: how long the agent may take to finish its answers.
    private static final Duration DRAIN = Duration.ofSeconds(10);

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--control-socket", paramLabel = "PATH", defaultValue = "/run/pharos/agent.sock",
            description = "the agent's control socket (default: ${DEFAULT-VALUE})")
    Path socket;

    @Override
    public Integer call() throws InterruptedException {
        var err = spec.commandLine().getErr();
        SocketChannel channel;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            err.println("director-agent: attach: cannot connect to " + socket + ": " + e.getMessage());
            return 3;
        }
        InputStream stdin = new FileInputStream(FileDescriptor.in);
        OutputStream stdout = new FileOutputStream(FileDescriptor.out);
        var firstEnded = new CountDownLatch(1);
        // Set before the latch opens: isAlive() would race with the thread's own ending.
        var stdinEnded = new AtomicBoolean();
        Thread.ofPlatform().name("attach-up").daemon().start(() -> {
            var buffer = new byte[65536];
            try {
                int n;
                while ((n = stdin.read(buffer)) > 0) {
                    var b = ByteBuffer.wrap(buffer, 0, n);
                    while (b.hasRemaining()) {
                        channel.write(b);
                    }
                }
                channel.shutdownOutput();
                stdinEnded.set(true);
            } catch (IOException e) {
                // the agent's side closed; the down thread ends too
            } finally {
                firstEnded.countDown();
            }
        });
        var down = Thread.ofPlatform().name("attach-down").start(() -> {
            var buffer = ByteBuffer.allocate(65536);
            try {
                while (channel.read(buffer.clear()) > 0) {
                    stdout.write(buffer.array(), 0, buffer.position());
                    stdout.flush();
                }
            } catch (IOException e) {
                // stdout or the socket closed: either way the bridge is over
            } finally {
                firstEnded.countDown();
            }
        });
        firstEnded.await();
        if (stdinEnded.get()) {
            // stdin ended: the agent answers what it has and closes; don't wait for ever.
            down.join(DRAIN);
        }
        // Else the agent's side ended: exit now (the stdin reader is a daemon thread).
        try {
            channel.close();
        } catch (IOException ignored) {
            // exiting
        }
        down.join(Duration.ofSeconds(1));
        return 0;
    }
}
