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
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/// The control channel's Unix-socket listener (DESIGN.md: no TCP listener; remote access is SSH
/// + `attach`).
///
/// Who may connect is the socket file's business: mode 0660, owned by the agent's user and by the
/// configured group, so the kernel refuses `connect` to anyone else (EACCES). What a connected
/// client may do is its [Role], from its credentials (SO_PEERCRED): root and the agent's own user
/// are [Role#ADMIN], the group's other members [Role#OPERATOR]. Each peer is logged with its role.
///
/// The server caps what clients can hold: clients in all, sessions of one operator's user (so
/// an operator's idle clients never lock root out), bytes waiting for one slow reader, and the
/// time a client may stay connected without sending a request. Refusals are logged at most once
/// a second per kind. A socket file left by a crashed agent is removed; one that answers means
/// another agent is running, and a path that is not a socket at all is left alone: both refuse
/// the start.
public final class ControlServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ControlServer.class.getName());

    /// DESIGN.md's default path.
    public static final Path DEFAULT_SOCKET = Path.of("/run/pharos/agent.sock");

    /// The server's bounds.
    ///
    /// @param maxClients        sessions of operators in all; admins may hold as many again, so a
    ///                          crowd of operators' clients never locks root out
    /// @param maxPerUser        sessions one operator's user may hold
    /// @param maxLineBytes      the longest request line
    /// @param outboxBytes       bytes that may wait for one client before it is disconnected
    /// @param firstRequest      how long a client may stay connected without sending a request
    public record Limits(int maxClients, int maxPerUser, int maxLineBytes, long outboxBytes, Duration firstRequest) {

        public static final Limits DEFAULT = new Limits(1024, 64, Protocol.MAX_LINE_BYTES, ControlSession.OUTBOX_BYTES,
                Duration.ofSeconds(30));
    }

    private final Path path;
    private final ServerSocketChannel server;
    private final Dispatcher dispatcher;
    private final EventJournal journal;
    private final Limits limits;
    private final UserPrincipal root;
    private final UserPrincipal self;
    private final RefusalLog refusals;
    private final Set<ControlSession> sessions = ConcurrentHashMap.newKeySet();
    private final Map<ControlSession, Object> owners = new ConcurrentHashMap<>();
    private final AtomicInteger counter = new AtomicInteger();
    private final Thread acceptor;
    private final ScheduledExecutorService timeouts;
    private volatile boolean closed;

    private ControlServer(Path path, ServerSocketChannel server, Dispatcher dispatcher, EventJournal journal,
            Limits limits, UserPrincipal root, UserPrincipal self, RefusalLog refusals) {
        this.path = path;
        this.server = server;
        this.dispatcher = dispatcher;
        this.journal = journal;
        this.limits = limits;
        this.root = root;
        this.self = self;
        this.refusals = refusals;
        this.acceptor = Thread.ofPlatform().name("control-accept").daemon().unstarted(this::acceptLoop);
        this.timeouts = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().name("control-timeouts").daemon().unstarted(r));
    }

    /// Binds the socket and starts accepting, with [Limits#DEFAULT] but for the two given.
    ///
    /// @param group the group that may connect besides the owner, or null to keep the agent's own
    public static ControlServer start(Path path, String group, Dispatcher dispatcher, EventJournal journal,
            int maxClients, int maxLineBytes) throws IOException {
        var d = Limits.DEFAULT;
        return start(path, group, dispatcher, journal,
                new Limits(maxClients, d.maxPerUser(), maxLineBytes, d.outboxBytes(), d.firstRequest()));
    }

    /// Binds the socket and starts accepting.
    ///
    /// @param group the group that may connect besides the owner, or null to keep the agent's own
    public static ControlServer start(Path path, String group, Dispatcher dispatcher, EventJournal journal,
            Limits limits) throws IOException {
        var dir = path.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            if (!isSocket(path)) {
                throw new IOException(path + " exists and is not a socket; refusing to delete it (give --control-socket "
                        + "a path of its own)");
            }
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
        UserPrincipal self;
        try {
            Files.deleteIfExists(staging);
            server.bind(UnixDomainSocketAddress.of(staging), 128);
            // Made by this process, so its owner is the agent's own user.
            self = Files.getOwner(staging, LinkOption.NOFOLLOW_LINKS);
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
        UserPrincipal root;
        try {
            root = path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("root");
        } catch (IOException e) {
            root = null; // no user named root: uid 0 is then known only as the owner, if it is
        }
        var s = new ControlServer(path, server, dispatcher, journal, limits, root, self, new RefusalLog());
        s.acceptor.start();
        long period = Math.max(10, Math.min(1000, limits.firstRequest().toMillis() / 4));
        s.timeouts.scheduleWithFixedDelay(s::closeSilentClients, period, period, TimeUnit.MILLISECONDS);
        LOG.log(Level.INFO, "Control channel listening on {0} (mode 0660{1}; admins: {2}{3})", path,
                group == null ? "" : ", group " + group, self.equals(root) ? "root" : "root and " + self.getName(),
                group == null ? "" : "; the group's other members are operators");
        return s;
    }

    /// A name beside `path` for binding before the rename, or `path` itself when a longer name
    /// would not fit in `sun_path` (107 bytes).
    static Path stagingPath(Path path) {
        var abs = path.toAbsolutePath();
        var staging = abs.resolveSibling("." + abs.getFileName() + "." + ProcessHandle.current().pid());
        return staging.toString().getBytes(StandardCharsets.UTF_8).length <= 107 ? staging : path;
    }

    private static boolean isSocket(Path path) throws IOException {
        var mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return (mode & 0170000) == 0140000; // S_IFMT, S_IFSOCK
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
            UnixDomainPrincipal credentials = null;
            try {
                credentials = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
            } catch (IOException | UnsupportedOperationException e) {
                // unknown: an operator, the least role
            }
            var role = role(credentials);
            // Operators are counted per user; an unknown peer is its own user, "unknown".
            Object owner = credentials == null ? "unknown" : credentials.user();
            var peer = "client " + counter.incrementAndGet() + " (" + describe(credentials) + ", " + role.label() + ")";
            var refusal = refusal(role, owner);
            if (refusal != null) {
                refusals.refused(RefusalLog.Kind.TOO_MANY_CLIENTS, peer + ": refused, " + refusal);
                refuse(channel, refusal);
                continue;
            }
            LOG.log(Level.DEBUG, "{0}: connected", peer);
            var in = Channels.newInputStream(channel);
            var out = Channels.newOutputStream(channel);
            var session = new ControlSession(peer, role, in, out, dispatcher, journal, limits.maxLineBytes(),
                    limits.outboxBytes(), refusals, this::forget);
            owners.put(session, role == Role.ADMIN ? Role.ADMIN : owner);
            sessions.add(session);
            Thread.ofVirtual().name("control-read " + peer).start(() -> {
                try {
                    session.serve();
                } finally {
                    forget(session);
                    try {
                        channel.close();
                    } catch (IOException ignored) {
                        // already gone
                    }
                }
            });
        }
    }

    private void forget(ControlSession session) {
        sessions.remove(session);
        owners.remove(session);
    }

    /// Why a new client of `role` and `owner` is refused, or null when it is not. The check and
    /// the insert are not atomic, but only the accept thread inserts.
    private String refusal(Role role, Object owner) {
        long admins = owners.values().stream().filter(o -> o == Role.ADMIN).count();
        if (role == Role.ADMIN) {
            return admins >= limits.maxClients() ? limits.maxClients() + " administrators' clients are connected already"
                    : null;
        }
        if (sessions.size() - admins >= limits.maxClients()) {
            return limits.maxClients() + " clients are connected already";
        }
        long mine = owners.values().stream().filter(owner::equals).count();
        return mine >= limits.maxPerUser() ? "this user has " + mine + " clients connected already (limit "
                + limits.maxPerUser() + ")" : null;
    }

    /// Root and the agent's own user are admins; anyone else the socket let in is an operator.
    private Role role(UnixDomainPrincipal credentials) {
        if (credentials == null) {
            return Role.OPERATOR;
        }
        var user = credentials.user();
        return user.equals(self) || (root != null && user.equals(root)) ? Role.ADMIN : Role.OPERATOR;
    }

    /// Ends sessions that have sent no request within [Limits#firstRequest] of connecting.
    private void closeSilentClients() {
        long now = System.nanoTime();
        long limit = limits.firstRequest().toNanos();
        for (var s : sessions) {
            if (!s.hasSentARequest() && now - s.connectedAt() > limit) {
                s.close("it sent no request within " + limits.firstRequest().toMillis() + " ms of connecting");
            }
        }
    }

    private static void refuse(SocketChannel channel, String why) {
        try (channel) {
            var line = JsonRpc.encode(new RpcMessage.Failure(NullNode.instance,
                    RpcError.of(Protocol.Errors.BUSY, "refused: " + why + "; try again later"))) + "\n";
            channel.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException ignored) {
            // it is being refused anyway
        }
    }

    private static String describe(UnixDomainPrincipal p) {
        return p == null ? "credentials unknown" : "user " + p.user().getName() + ", group " + p.group().getName();
    }

    public int sessionCount() {
        return sessions.size();
    }

    /// Waits until every client has been sent what is queued for it (the agent's last events
    /// before it stops), at most `deadline`.
    public void drain(Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        while (System.nanoTime() < end && !sessions.stream().allMatch(ControlSession::drained)) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /// Stops accepting, ends every session, removes the socket file.
    @Override
    public void close() {
        closed = true;
        timeouts.shutdownNow();
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
