package dev.pharos.agent.announce;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;

/// A routing daemon's Unix control socket with a deadline on every exchange: a hung daemon is an
/// error after `timeout`, not a stuck agent. The daemons' framings ([BirdControl], [FrrVty]) read
/// through [#readUntil].
final class ControlSocket implements AutoCloseable {

    /// What a framing says about the bytes read so far.
    @FunctionalInterface
    interface Frame {
        /// The length of the first complete message in `bytes`, or -1 while it is incomplete.
        int end(byte[] bytes);
    }

    /// Far beyond any answer the announcer asks for.
    static final int MAX_MESSAGE_BYTES = 4 << 20;

    private final String daemon;
    private final SocketChannel channel;
    private final Selector selector;
    private final Duration timeout;
    private final ByteBuffer in = ByteBuffer.allocate(16384);
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    private ControlSocket(String daemon, SocketChannel channel, Selector selector, Duration timeout) {
        this.daemon = daemon;
        this.channel = channel;
        this.selector = selector;
        this.timeout = timeout;
    }

    static ControlSocket connect(String daemon, Path socket, Duration timeout) throws IOException {
        var channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.configureBlocking(false);
            var selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
            return new ControlSocket(daemon, channel, selector, timeout);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw new IOException("cannot connect to " + daemon + " at " + socket + ": " + e.getMessage(), e);
        }
    }

    String daemon() {
        return daemon;
    }

    Duration timeout() {
        return timeout;
    }

    /// Writes all of `bytes`, waiting for room until the deadline.
    void write(byte[] bytes) throws IOException {
        var out = ByteBuffer.wrap(bytes);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (out.hasRemaining()) {
            if (channel.write(out) == 0) {
                if (System.nanoTime() > deadline) {
                    throw new IOException(daemon + " does not read its control socket");
                }
                Thread.onSpinWait();
            }
        }
    }

    /// The next whole message as `frame` delimits it (the bytes after it stay for the next call).
    byte[] readUntil(Frame frame) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            var buffered = pending.toByteArray();
            int end = frame.end(buffered);
            if (end >= 0) {
                pending.reset();
                pending.write(buffered, end, buffered.length - end);
                var message = new byte[end];
                System.arraycopy(buffered, 0, message, 0, end);
                return message;
            }
            if (buffered.length > MAX_MESSAGE_BYTES) {
                throw new IOException(daemon + " sent more than " + MAX_MESSAGE_BYTES + " bytes without ending its answer");
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IOException(daemon + " did not answer within " + timeout.toMillis() + " ms");
            }
            selector.select(Math.max(1, left / 1_000_000));
            selector.selectedKeys().clear();
            in.clear();
            int n = channel.read(in);
            if (n < 0) {
                throw new IOException(daemon + " closed its control socket");
            }
            pending.write(in.array(), 0, n);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            selector.close();
        } finally {
            channel.close();
        }
    }
}
