package dev.pharos.agent.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/// A Unix datagram socket (`AF_UNIX`, `SOCK_DGRAM`): what systemd's `NOTIFY_SOCKET` is. Java's
/// channels only do Unix *stream* sockets, hence this.
public final class UnixDatagram implements AutoCloseable {

    private final int fd;
    private volatile boolean closed;

    private UnixDatagram(int fd) {
        this.fd = fd;
    }

    /// An unbound socket, for sending.
    public static UnixDatagram open() throws NativeException {
        return new UnixDatagram(Libc.socket(Libc.AF_UNIX, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0, "AF_UNIX datagram"));
    }

    /// A socket bound to `path` (or `@name`), for receiving (tests play systemd with it).
    public static UnixDatagram bind(String path) throws NativeException {
        var s = open();
        try (var arena = Arena.ofConfined()) {
            Libc.bind(s.fd, SockAddr.unix(arena, path), path);
            return s;
        } catch (NativeException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /// Sends one datagram to `path` (or `@name`).
    public void send(String path, String message) throws NativeException {
        try (var arena = Arena.ofConfined()) {
            var bytes = message.getBytes(StandardCharsets.UTF_8);
            var buffer = arena.allocate(Math.max(1, bytes.length));
            MemorySegment.copy(bytes, 0, buffer, ValueLayout.JAVA_BYTE, 0, bytes.length);
            Libc.sendto(fd, buffer, bytes.length, SockAddr.unix(arena, path), path);
        }
    }

    /// The next datagram, waiting at most `timeout`.
    public Optional<String> receive(Duration timeout) throws NativeException {
        try (var arena = Arena.ofConfined()) {
            var pfd = arena.allocate(8);
            pfd.set(ValueLayout.JAVA_INT, 0, fd);
            pfd.set(ValueLayout.JAVA_SHORT, 4, (short) Libc.POLLIN);
            if (Libc.poll(pfd, 1, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis())) <= 0) {
                return Optional.empty();
            }
            var buffer = arena.allocate(65536);
            long n = Libc.recvfrom(fd, buffer, MemorySegment.NULL, MemorySegment.NULL, "notify socket");
            if (n < 0) {
                return Optional.empty();
            }
            return Optional.of(new String(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Libc.close(fd);
        }
    }
}
