package dev.pharos.agent.control;

import com.fasterxml.jackson.databind.node.NullNode;
import dev.pharos.agent.api.JsonRpc;
import dev.pharos.agent.api.Protocol;
import dev.pharos.agent.api.RpcError;
import dev.pharos.agent.api.RpcMessage;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.net.ExtendedSocketOptions;

/// The control channel's Unix-socket listener (DESIGN.md: no TCP listener; remote access is SSH
/// + `attach`).
///
/// Access control is the socket file's: mode 0660, owned by the agent's user and by the
/// configured group, so the kernel refuses `connect` to anyone else (EACCES). Each accepted peer's
/// credentials (SO_PEERCRED) are logged. A socket file left by a crashed agent is removed; one
/// that answers means another agent is running, and this one refuses to start.
public final class ControlServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ControlServer.class.getName());

    /// DESIGN.md's default path.
    public static final Path DEFAULT_SOCKET = Path.of("/run/pharos/agent.sock");

    private final Path path;
    private final ServerSocketChannel server;
    private final Dispatcher dispatcher;
    private final EventJournal journal;
    private final int maxClients;
    private final int maxLineBytes;
    private final Set<ControlSession> sessions = ConcurrentHashMap.newKeySet();
    private final AtomicInteger counter = new AtomicInteger();
    private final Thread acceptor;
    private volatile boolean closed;

    private ControlServer(Path path, ServerSocketChannel server, Dispatcher dispatcher, EventJournal journal,
            int maxClients, int maxLineBytes) {
        this.path = path;
        this.server = server;
        this.dispatcher = dispatcher;
        this.journal = journal;
        this.maxClients = maxClients;
        this.maxLineBytes = maxLineBytes;
        this.acceptor = Thread.ofPlatform().name("control-accept").daemon().unstarted(this::acceptLoop);
    }

    /// Binds the socket and starts accepting.
    ///
    /// @param group the group that may connect besides the owner, or null to keep the agent's own
    public static ControlServer start(Path path, String group, Dispatcher dispatcher, EventJournal journal,
            int maxClients, int maxLineBytes) throws IOException {
        var dir = path.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        if (Files.exists(path)) {
            if (answers(path)) {
                throw new IOException("another agent is already listening on " + path
                        + "; stop it, or give this one another --control-socket");
            }
            LOG.log(Level.INFO, "Removing the stale control socket {0} (nothing answers on it)", path);
            Files.delete(path);
        }
        // The socket is bound and listening under a private name, given its mode and group, and only
        // then renamed into place: whoever sees the path can connect at once (no ECONNREFUSED between
        // bind and listen) and never finds it with the umask's mode.
        var staging = stagingPath(path);
        var server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            Files.deleteIfExists(staging);
            server.bind(UnixDomainSocketAddress.of(staging), 128);
            Files.setPosixFilePermissions(staging, PosixFilePermissions.fromString("rw-rw----"));
            if (group != null) {
                var lookup = staging.getFileSystem().getUserPrincipalLookupService();
                GroupPrincipal g;
                try {
                    g = lookup.lookupPrincipalByGroupName(group);
                } catch (IOException e) {
                    throw new IOException("control socket group \"" + group + "\" does not exist on this host");
                }
                Files.getFileAttributeView(staging, PosixFileAttributeView.class).setGroup(g);
            }
            if (!staging.equals(path)) {
                Files.move(staging, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | RuntimeException e) {
            server.close();
            Files.deleteIfExists(staging);
            throw e;
        }
        var s = new ControlServer(path, server, dispatcher, journal, maxClients, maxLineBytes);
        s.acceptor.start();
        LOG.log(Level.INFO, "Control channel listening on {0} (mode 0660{1})", path,
                group == null ? "" : ", group " + group);
        return s;
    }

    /// A name beside `path` for binding before the rename, or `path` itself when a longer name
    /// would not fit in `sun_path` (107 bytes).
    static Path stagingPath(Path path) {
        var abs = path.toAbsolutePath();
        var staging = abs.resolveSibling("." + abs.getFileName() + "." + ProcessHandle.current().pid());
        return staging.toString().getBytes(StandardCharsets.UTF_8).length <= 107 ? staging : path;
    }

    private static boolean answers(Path path) {
        try (var probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            return probe.isConnected();
        } catch (IOException e) {
            return false;
        }
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(Level.ERROR, "control channel accept failed: {0}", e.getMessage());
                }
                return;
            }
            var peer = "client " + counter.incrementAndGet() + " (" + credentials(channel) + ")";
            if (sessions.size() >= maxClients) {
                LOG.log(Level.WARNING, "{0}: refused, {1} clients are connected already", peer, maxClients);
                refuse(channel);
                continue;
            }
            LOG.log(Level.DEBUG, "{0}: connected", peer);
            var in = Channels.newInputStream(channel);
            var out = Channels.newOutputStream(channel);
            var session = new ControlSession(peer, in, out, dispatcher, journal, maxLineBytes, sessions::remove);
            sessions.add(session);
            Thread.ofVirtual().name("control-read " + peer).start(() -> {
                try {
                    session.serve();
                } finally {
                    sessions.remove(session);
                    try {
                        channel.close();
                    } catch (IOException ignored) {
                        // already gone
                    }
                }
            });
        }
    }

    private static void refuse(SocketChannel channel) {
        try (channel) {
            var line = JsonRpc.encode(new RpcMessage.Failure(NullNode.instance,
                    RpcError.of(Protocol.Errors.BUSY, "too many clients are connected; try again later"))) + "\n";
            channel.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException ignored) {
            // it is being refused anyway
        }
    }

    private static String credentials(SocketChannel channel) {
        try {
            var p = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
            return "user " + p.user().getName() + ", group " + p.group().getName();
        } catch (IOException | UnsupportedOperationException e) {
            return "credentials unknown";
        }
    }

    public Path path() {
        return path;
    }

    public int sessionCount() {
        return sessions.size();
    }

    /// Stops accepting, ends every session, removes the socket file.
    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (var s : sessions) {
            s.close(null);
        }
        try {
            acceptor.join(2000);
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "could not remove the control socket {0}: {1}", path, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
