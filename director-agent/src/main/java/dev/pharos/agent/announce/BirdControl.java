package dev.pharos.agent.announce;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/// One connection to BIRD 2's control socket, speaking what `birdc` speaks: a command a line; each
/// reply line begins with a four-digit code followed by `-` when more lines follow or a space on
/// the last, and a line beginning with a space continues the code before it. A last code 0xxx
/// ends a command that worked; 8xxx (runtime) and 9xxx (syntax) one that failed. BIRD greets a
/// new connection with `0001 BIRD 2.x ready.`
///
/// Every read has a deadline: a hung daemon is an error after `timeout`, not a stuck agent.
final class BirdControl implements AutoCloseable {

    /// One reply line: its code and its text.
    record Line(int code, String text) {
    }

    /// BIRD answered with an error code (8xxx, 9xxx).
    static final class BirdException extends IOException {
        BirdException(String command, Line line) {
            super("BIRD refused '" + command + "': " + line.code() + " " + line.text().strip());
        }
    }

    /// Far beyond any answer the announcer asks for (`show protocols` of a few hundred lines).
    private static final int MAX_REPLY_BYTES = 4 << 20;

    private final SocketChannel channel;
    private final Selector selector;
    private final Duration timeout;
    private final ByteBuffer in = ByteBuffer.allocate(8192);
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    private BirdControl(SocketChannel channel, Selector selector, Duration timeout) {
        this.channel = channel;
        this.selector = selector;
        this.timeout = timeout;
    }

    /// Connects and reads BIRD's greeting.
    static BirdControl connect(Path socket, Duration timeout) throws IOException {
        var channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.configureBlocking(false);
            var selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
            var control = new BirdControl(channel, selector, timeout);
            var hello = control.reply("(greeting)");
            if (hello.isEmpty() || hello.getLast().code() != 1) {
                control.close();
                throw new IOException(socket + " is not BIRD's control socket (no greeting)");
            }
            return control;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw new IOException("cannot talk to BIRD at " + socket + ": " + e.getMessage(), e);
        }
    }

    /// Sends `command` and returns its reply lines; [BirdException] for an error code.
    List<Line> command(String command) throws IOException {
        if (command.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("one line per command");
        }
        var out = ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (out.hasRemaining()) {
            channel.write(out);
            if (out.hasRemaining() && System.nanoTime() > deadline) {
                throw new IOException("BIRD does not read its control socket");
            }
            if (out.hasRemaining()) {
                Thread.onSpinWait();
            }
        }
        return reply(command);
    }

    private List<Line> reply(String command) throws IOException {
        var lines = new ArrayList<Line>();
        long deadline = System.nanoTime() + timeout.toNanos();
        int bytes = 0;
        int code = 0;
        while (true) {
            var raw = readLine(deadline);
            bytes += raw.length() + 1;
            if (bytes > MAX_REPLY_BYTES) {
                throw new IOException("BIRD's reply to '" + command + "' is larger than " + MAX_REPLY_BYTES + " bytes");
            }
            boolean last;
            String text;
            if (raw.length() >= 5 && isCode(raw) && (raw.charAt(4) == ' ' || raw.charAt(4) == '-')) {
                code = Integer.parseInt(raw.substring(0, 4));
                last = raw.charAt(4) == ' ';
                text = raw.substring(5);
            } else if (raw.startsWith(" ")) {
                last = false;
                text = raw.substring(1);
            } else {
                throw new IOException("BIRD's reply to '" + command + "' has a line that is not its protocol: " + raw);
            }
            var line = new Line(code, text);
            lines.add(line);
            if (last) {
                if (code >= 8000) {
                    throw new BirdException(command, line);
                }
                return lines;
            }
        }
    }

    private static boolean isCode(String raw) {
        for (int i = 0; i < 4; i++) {
            if (!Character.isDigit(raw.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private String readLine(long deadline) throws IOException {
        while (true) {
            var buffered = pending.toByteArray();
            for (int i = 0; i < buffered.length; i++) {
                if (buffered[i] == '\n') {
                    pending.reset();
                    pending.write(buffered, i + 1, buffered.length - i - 1);
                    return new String(buffered, 0, i, StandardCharsets.UTF_8);
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IOException("BIRD did not answer within " + timeout.toMillis() + " ms");
            }
            selector.select(Math.max(1, left / 1_000_000));
            selector.selectedKeys().clear();
            in.clear();
            int n = channel.read(in);
            if (n < 0) {
                throw new IOException("BIRD closed its control socket");
            }
            pending.write(in.array(), 0, n);
            if (pending.size() > MAX_REPLY_BYTES) {
                throw new IOException("BIRD sent a line longer than " + MAX_REPLY_BYTES + " bytes");
            }
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
