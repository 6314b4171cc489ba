package dev.pharos.agent.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.LongNode;
import dev.pharos.agent.api.AgentEvent;
import dev.pharos.agent.api.JsonRpc;
import dev.pharos.agent.api.Protocol;
import dev.pharos.agent.api.RpcException;
import dev.pharos.agent.api.RpcMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/// A JSON-RPC client of the control channel, over any byte streams: the Unix socket (`ctl`,
/// `status`), an SSH exec channel running `attach` (the console), or a pipe (the lab).
///
/// Calls may be made from any thread and concurrently; responses are matched by id. Events from
/// `events.subscribe` go to the event listener, on the client's reader thread, in order.
public final class ControlClient implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ControlClient.class.getName());

    private final InputStream in;
    private final OutputStream out;
    private final AutoCloseable resource;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<RpcMessage>> pending = new ConcurrentHashMap<>();
    private final CompletableFuture<String> closed = new CompletableFuture<>();
    private volatile Consumer<AgentEvent> events = e -> {
    };
    private final Thread reader;

    private ControlClient(InputStream in, OutputStream out, AutoCloseable resource, String name) {
        this.in = in;
        this.out = out;
        this.resource = resource;
        this.reader = Thread.ofVirtual().name("control-client " + name).start(this::readLoop);
    }

    /// Connects to an agent's Unix socket. The message names the socket and the likely cause.
    public static ControlClient connect(Path socket) throws IOException {
        SocketChannel channel;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            var why = e.getMessage() == null ? e.toString() : e.getMessage();
            if (why.contains("No such file") || why.contains("Connection refused")) {
                why += " (is the agent running? its socket is set with --control-socket)";
            } else if (why.contains("Permission denied")) {
                why += " (the socket is mode 0660: run as its owner or a member of its group)";
            }
            throw new IOException("cannot connect to the agent at " + socket + ": " + why, e);
        }
        return new ControlClient(Channels.newInputStream(channel), Channels.newOutputStream(channel), channel,
                socket.toString());
    }

    /// A client over streams someone else opened (an SSH channel, a pipe); closing the client
    /// closes `resource`.
    public static ControlClient over(InputStream in, OutputStream out, AutoCloseable resource, String name) {
        return new ControlClient(in, out, resource, name);
    }

    /// Where subscribed events go (set it before calling `events.subscribe`).
    public void onEvent(Consumer<AgentEvent> listener) {
        this.events = listener;
    }

    /// Calls a method and waits for its result. An error response is thrown as [RpcException];
    /// a lost connection or no answer within `timeout` as [IOException].
    public JsonNode call(String method, Object params, Duration timeout) throws RpcException, IOException {
        long id = ids.incrementAndGet();
        var future = new CompletableFuture<RpcMessage>();
        pending.put(id, future);
        try {
            var request = new RpcMessage.Request(LongNode.valueOf(id), method,
                    params == null ? JsonRpc.mapper().createObjectNode() : JsonRpc.tree(params));
            write(JsonRpc.encode(request));
            var response = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return switch (response) {
                case RpcMessage.Success s -> s.result();
                case RpcMessage.Failure f -> throw new RpcException(f.error());
                case RpcMessage.Request r -> throw new IllegalStateException("not a response");
                case RpcMessage.Notification n -> throw new IllegalStateException("not a response");
            };
        } catch (TimeoutException e) {
            throw new IOException(method + ": no answer from the agent within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw new IOException(method + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(method + ": interrupted");
        } finally {
            pending.remove(id);
        }
    }

    /// [#call], with the result read as `type`.
    public <T> T call(String method, Object params, Class<T> type, Duration timeout) throws RpcException, IOException {
        var node = call(method, params, timeout);
        try {
            return JsonRpc.mapper().treeToValue(node, type);
        } catch (JsonProcessingException e) {
            throw new IOException(method + ": the agent's answer does not fit " + type.getSimpleName() + ": "
                    + e.getOriginalMessage(), e);
        }
    }

    private synchronized void write(String line) throws IOException {
        if (closed.isDone()) {
            throw new IOException("the connection to the agent is closed: " + closed.getNow(""));
        }
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private void readLoop() {
        String why = "the agent closed the connection";
        try {
            var lines = new LineReader(in, 64 << 20);
            while (true) {
                var line = lines.next();
                if (line instanceof LineReader.Line.End) {
                    break;
                }
                if (!(line instanceof LineReader.Line.Text text)) {
                    why = "the agent sent a line over 64 MiB";
                    break;
                }
                dispatch(text.text());
            }
        } catch (IOException e) {
            why = "connection lost: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        } finally {
            closed.complete(why);
            var failure = new IOException(why);
            pending.values().forEach(f -> f.completeExceptionally(failure));
        }
    }

    private void dispatch(String line) {
        RpcMessage m;
        try {
            m = JsonRpc.decode(line);
        } catch (RpcException e) {
            LOG.log(Level.WARNING, "ignoring a line the agent sent: {0}", e.getMessage());
            return;
        }
        switch (m) {
            case RpcMessage.Success s -> complete(s.id(), s);
            case RpcMessage.Failure f -> {
                if (f.id() == null || f.id().isNull()) {
                    // An error without id answers a line the agent could not read (e.g. too long):
                    // it belongs to the oldest pending call, since the agent answers in order.
                    pending.keySet().stream().min(Long::compare).ifPresent(id -> complete(LongNode.valueOf(id), f));
                } else {
                    complete(f.id(), f);
                }
            }
            case RpcMessage.Notification n -> {
                if (n.method().equals(Protocol.EVENT_NOTIFICATION)) {
                    try {
                        events.accept(JsonRpc.mapper().treeToValue(n.params(), AgentEvent.class));
                    } catch (JsonProcessingException | IllegalArgumentException e) {
                        LOG.log(Level.WARNING, "ignoring an event this client does not understand: {0}",
                                e.getMessage());
                    }
                }
            }
            case RpcMessage.Request r -> LOG.log(Level.DEBUG, "ignoring a request from the agent: {0}", r.method());
        }
    }

    private void complete(JsonNode id, RpcMessage m) {
        if (id != null && id.canConvertToLong()) {
            var f = pending.get(id.asLong());
            if (f != null) {
                f.complete(m);
            }
        }
    }

    /// Completes when the connection ends, with the reason.
    public CompletableFuture<String> closedFuture() {
        return closed;
    }

    public boolean isOpen() {
        return !closed.isDone();
    }

    @Override
    public void close() {
        try {
            resource.close();
        } catch (Exception e) {
            LOG.log(Level.DEBUG, "closing the control connection: {0}", e.getMessage());
        }
        try {
            in.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            reader.join(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
