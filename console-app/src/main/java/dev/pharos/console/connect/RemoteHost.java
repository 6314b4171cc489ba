package dev.pharos.console.connect;

import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.ChannelSftp;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;
import com.jcraft.jsch.SftpException;
import com.jcraft.jsch.SftpProgressMonitor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Vector;
import java.util.function.LongConsumer;

/// An SSH session to a host, for reading what it offers: commands on exec channels and files over
/// SFTP (and, for installing the agent, one upload). Opened by [SshConnector#openHost]; every read is bounded in size and time, so a host that
/// hangs or floods costs a timeout, not the console's memory.
public final class RemoteHost implements AutoCloseable {

    /// The most a command's standard output or a file may hold.
    public static final int MAX_BYTES = 4 * 1024 * 1024;

    private final String name;
    private final List<Session> sessions;
    private final Duration timeout;

    RemoteHost(String name, List<Session> sessions, Duration timeout) {
        this.name = name;
        this.sessions = List.copyOf(sessions);
        this.timeout = timeout;
    }

    /// What a command printed, and how it ended.
    ///
    /// @param exitStatus the command's exit status
    /// @param stdout     its standard output (at most [#MAX_BYTES])
    /// @param stderr     the first few kB of its standard error
    public record Result(int exitStatus, String stdout, String stderr) {
    }

    /// Runs `command` (a shell command line) and waits for it to end, at most the connection's timeout.
    public Result exec(String command) throws IOException {
        ChannelExec channel = null;
        try {
            channel = (ChannelExec) session().openChannel("exec");
            channel.setCommand(command);
            var stderr = new SshConnector.LimitedBuffer(8192);
            channel.setErrStream(stderr, true);
            var in = channel.getInputStream();
            channel.connect((int) timeout.toMillis());
            var out = new ByteArrayOutputStream();
            var buffer = new byte[16384];
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                int n = in.available() > 0 ? in.read(buffer, 0, Math.min(buffer.length, in.available())) : 0;
                if (n > 0) {
                    if (out.size() + n > MAX_BYTES) {
                        throw new IOException(name + ": `" + firstLine(command) + "` printed more than "
                                + MAX_BYTES + " bytes");
                    }
                    out.write(buffer, 0, n);
                    continue;
                }
                // the remote end said it has no more output (EOF, then CLOSE with the exit status)
                if (channel.isEOF() || channel.isClosed()) {
                    if (in.available() > 0) {
                        continue;
                    }
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException(name + ": `" + firstLine(command) + "` did not finish within "
                            + timeout.toSeconds() + " s");
                }
                // JSch has no blocking read with a deadline: wait a little for more output.
                Thread.sleep(10);
            }
            // the exit status comes with CLOSE, a moment after EOF
            while (!channel.isClosed() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            return new Result(channel.getExitStatus(), out.toString(StandardCharsets.UTF_8), stderr.text());
        } catch (JSchException e) {
            throw new IOException(name + ": cannot run a command: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(name + ": interrupted");
        } finally {
            if (channel != null) {
                channel.disconnect();
            }
        }
    }

    /// The text of the file at `path` (UTF-8), read over SFTP.
    public String read(String path) throws IOException {
        var sftp = sftp();
        try {
            var attrs = sftp.stat(path);
            if (attrs.isDir()) {
                throw new IOException(name + ": " + path + " is a directory");
            }
            if (attrs.getSize() > MAX_BYTES) {
                throw new IOException(name + ": " + path + " holds more than " + MAX_BYTES + " bytes");
            }
            var out = new ByteArrayOutputStream();
            try (var in = sftp.get(path)) {
                var buffer = new byte[16384];
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    if (out.size() + n > MAX_BYTES) {
                        throw new IOException(name + ": " + path + " grew past " + MAX_BYTES + " bytes");
                    }
                    out.write(buffer, 0, n);
                }
            }
            return out.toString(StandardCharsets.UTF_8);
        } catch (SftpException e) {
            throw new IOException(name + ": cannot read " + path + ": " + sftpReason(e), e);
        } finally {
            sftp.disconnect();
        }
    }

    /// Copies the local file `from` to `to` on the host over SFTP (mode 0600), reporting the bytes
    /// sent so far to `progress`; an upload cut short removes its partial file.
    public void upload(Path from, String to, LongConsumer progress) throws IOException {
        var sftp = sftp();
        try (var in = Files.newInputStream(from)) {
            sftp.put(in, to, new SftpProgressMonitor() {
                private long sent;

                @Override
                public void init(int op, String src, String dest, long max) {
                }

                @Override
                public boolean count(long count) {
                    sent += count;
                    progress.accept(sent);
                    return !Thread.currentThread().isInterrupted();
                }

                @Override
                public void end() {
                }
            }, ChannelSftp.OVERWRITE);
            if (Thread.currentThread().isInterrupted()) {
                sftp.rm(to);
                throw new InterruptedIOException(name + ": the upload of " + from.getFileName() + " was cancelled");
            }
            sftp.chmod(0600, to);
        } catch (SftpException e) {
            try {
                sftp.rm(to);
            } catch (SftpException alreadyGone) {
                // nothing was written, or the host refused more than the upload
            }
            throw new IOException(name + ": cannot upload " + from.getFileName() + " to " + to + ": "
                    + sftpReason(e), e);
        } finally {
            sftp.disconnect();
        }
    }

    /// The regular files whose path matches `pattern`, sorted: `*` and `?` in its last element only
    /// (SFTP's own matching); a directory that does not exist matches nothing.
    public List<String> glob(String pattern) throws IOException {
        var sftp = sftp();
        try {
            int slash = pattern.lastIndexOf('/');
            var dir = slash < 0 ? "." : slash == 0 ? "/" : pattern.substring(0, slash);
            var found = new ArrayList<String>();
            Vector<ChannelSftp.LsEntry> entries = sftp.ls(pattern);
            for (var e : entries) {
                if (!e.getAttrs().isDir() && !e.getFilename().startsWith(".")) {
                    found.add((dir.endsWith("/") ? dir : dir + "/") + e.getFilename());
                }
            }
            found.sort(null);
            return found;
        } catch (SftpException e) {
            if (e.id == ChannelSftp.SSH_FX_NO_SUCH_FILE) {
                return List.of();
            }
            throw new IOException(name + ": cannot list " + pattern + ": " + sftpReason(e), e);
        } finally {
            sftp.disconnect();
        }
    }

    private ChannelSftp sftp() throws IOException {
        try {
            var channel = (ChannelSftp) session().openChannel("sftp");
            channel.connect((int) timeout.toMillis());
            return channel;
        } catch (JSchException e) {
            throw new IOException(name + ": cannot open SFTP: " + e.getMessage(), e);
        }
    }

    private Session session() throws IOException {
        var s = sessions.getLast();
        if (!s.isConnected()) {
            throw new IOException(name + ": the SSH session is closed");
        }
        return s;
    }

    /// Whether the session still stands (keep-alives end it when the host stops answering).
    public boolean isOpen() {
        return sessions.getLast().isConnected();
    }

    private static String sftpReason(SftpException e) {
        return switch (e.id) {
            case ChannelSftp.SSH_FX_NO_SUCH_FILE -> "no such file";
            case ChannelSftp.SSH_FX_PERMISSION_DENIED -> "permission denied";
            default -> e.getMessage();
        };
    }

    private static String firstLine(String command) {
        var line = command.strip().lines().findFirst().orElse("");
        return line.length() > 60 ? line.substring(0, 60) + "…" : line;
    }

    @Override
    public void close() {
        for (int i = sessions.size() - 1; i >= 0; i--) {
            sessions.get(i).disconnect();
        }
    }
}
