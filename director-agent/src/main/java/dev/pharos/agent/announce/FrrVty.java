package dev.pharos.agent.announce;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/// One connection to an FRR daemon's vty socket (`bgpd.vty`), as `vtysh` speaks to it: a command
/// ends with a NUL byte; the answer is the command's output followed by three NUL bytes and a
/// status byte (0 for success; FRR's `CMD_*` codes otherwise, e.g. 2 for an unknown command).
/// The session starts in FRR's view node; `enable` then `configure terminal` reach configuration.
final class FrrVty implements AutoCloseable {

    /// FRR answered a command with a status other than success.
    static final class FrrException extends IOException {
        FrrException(String command, int status, String output) {
            super("FRR refused '" + command + "' (status " + status + ")" + (output.isBlank() ? "" : ": "
                    + output.strip()));
        }
    }

    private final ControlSocket socket;

    private FrrVty(ControlSocket socket) {
        this.socket = socket;
    }

    static FrrVty connect(Path path, Duration timeout) throws IOException {
        return new FrrVty(ControlSocket.connect("FRR", path, timeout));
    }

    /// Runs `command` and returns its output; [FrrException] for a status other than success.
    String command(String command) throws IOException {
        if (command.indexOf('\0') >= 0 || command.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("one line per command");
        }
        var bytes = command.getBytes(StandardCharsets.UTF_8);
        var framed = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, framed, 0, bytes.length);
        socket.write(framed);
        var answer = socket.readUntil(FrrVty::answerEnd);
        int status = answer[answer.length - 1] & 0xff;
        var output = new String(answer, 0, answer.length - 4, StandardCharsets.UTF_8);
        if (status != 0) {
            throw new FrrException(command, status, output);
        }
        return output;
    }

    /// Three NUL bytes and the status byte end an answer (the output itself has no NUL).
    private static int answerEnd(byte[] bytes) {
        for (int i = 0; i + 3 < bytes.length; i++) {
            if (bytes[i] == 0 && bytes[i + 1] == 0 && bytes[i + 2] == 0) {
                return i + 4;
            }
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
