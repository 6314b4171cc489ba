package dev.pharos.agent.announce;

import java.io.IOException;
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
/// Every exchange has a deadline ([ControlSocket]).
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

    private final ControlSocket socket;

    private BirdControl(ControlSocket socket) {
        this.socket = socket;
    }

    /// Connects and reads BIRD's greeting.
    static BirdControl connect(Path path, Duration timeout) throws IOException {
        var control = new BirdControl(ControlSocket.connect("BIRD", path, timeout));
        try {
            var hello = control.reply("(greeting)");
            if (hello.isEmpty() || hello.getLast().code() != 1) {
                throw new IOException(path + " is not BIRD's control socket (no greeting)");
            }
            return control;
        } catch (IOException | RuntimeException e) {
            control.close();
            throw e;
        }
    }

    /// Sends `command` and returns its reply lines; [BirdException] for an error code.
    List<Line> command(String command) throws IOException {
        if (command.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("one line per command");
        }
        socket.write((command + "\n").getBytes(StandardCharsets.UTF_8));
        return reply(command);
    }

    private List<Line> reply(String command) throws IOException {
        var lines = new ArrayList<Line>();
        int bytes = 0;
        int code = 0;
        while (true) {
            var bytesOfLine = socket.readUntil(BirdControl::lineEnd);
            bytes += bytesOfLine.length;
            if (bytes > ControlSocket.MAX_MESSAGE_BYTES) {
                throw new IOException("BIRD's reply to '" + command + "' is larger than "
                        + ControlSocket.MAX_MESSAGE_BYTES + " bytes");
            }
            var raw = new String(bytesOfLine, 0, bytesOfLine.length - 1, StandardCharsets.UTF_8);
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

    /// One line, with its newline.
    private static int lineEnd(byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                return i + 1;
            }
        }
        return -1;
    }

    private static boolean isCode(String raw) {
        for (int i = 0; i < 4; i++) {
            if (!Character.isDigit(raw.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
