package dev.pharos.agent.control;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.POJONode;
import dev.pharos.agent.api.AgentEvent;
import dev.pharos.agent.api.JsonRpc;
import dev.pharos.agent.api.Protocol;
import dev.pharos.agent.api.Results;
import dev.pharos.agent.api.RpcError;
import dev.pharos.agent.api.RpcException;
import dev.pharos.agent.api.RpcMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/// One client on the control channel, over any pair of byte streams: reads request lines,
/// answers each through the [Dispatcher], and writes subscribed events.
///
/// Reading and writing are two threads so that a client which stops reading its events cannot
/// stall the agent: outgoing lines wait in a queue bounded in bytes (one `state.get` of 2,000
/// real servers is megabytes, so a bound in messages bounds nothing), and when it is full the
/// session is closed with one logged reason (the client can reconnect and ask for what it missed).
public final class ControlSession implements Method.Session {

    private static final System.Logger LOG = System.getLogger(ControlSession.class.getName());

    /// Bytes waiting for a slow client before it is disconnected.
    public static final long OUTBOX_BYTES = 8L << 20;

    /// What ends a response line after its result.
    private static final byte[] END = "}\n".getBytes(StandardCharsets.UTF_8);

    private final String peer;
    private final Role role;
    private final InputStream in;
    private final OutputStream out;
    private final Dispatcher dispatcher;
    private final EventJournal journal;
    private final int maxLineBytes;
    private final long outboxBytes;
    private final RefusalLog refusals;
    /// Lines to write, each as slices (a shared [EncodedJson] result is one of them, never copied).
    private final BlockingQueue<Line> outbox = new LinkedBlockingQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final long connectedAt = System.nanoTime();
    private volatile long requests;
    private final Consumer<AgentEvent> subscriber = this::deliver;
    private volatile boolean subscribed;
    private List<AgentEvent> holding;
    private volatile boolean closed;
    private volatile String closeReason;
    private final Consumer<ControlSession> onClose;

    /// A session inside the agent's own JVM (the lab, tests): [Role#ADMIN], as the process that
    /// made it could call the methods directly anyway; the default outbox and refusal log.
    public ControlSession(String peer, InputStream in, OutputStream out, Dispatcher dispatcher, EventJournal journal,
            int maxLineBytes, Consumer<ControlSession> onClose) {
        this(peer, Role.ADMIN, in, out, dispatcher, journal, maxLineBytes, OUTBOX_BYTES, new RefusalLog(), onClose);
    }

    /// @param role         what the client may do, from its credentials
    /// @param outboxBytes  how many bytes may wait for the client before it is disconnected; one
    ///                     message larger than this is still sent when nothing else waits
    /// @param refusals     where over-long and malformed lines are logged, rate-limited
    public ControlSession(String peer, Role role, InputStream in, OutputStream out, Dispatcher dispatcher,
            EventJournal journal, int maxLineBytes, long outboxBytes, RefusalLog refusals,
            Consumer<ControlSession> onClose) {
        this.peer = peer;
        this.role = role;
        this.in = in;
        this.out = out;
        this.dispatcher = dispatcher;
        this.journal = journal;
        this.maxLineBytes = maxLineBytes;
        this.outboxBytes = outboxBytes;
        this.refusals = refusals;
        this.onClose = onClose;
    }

    /// Serves the client until it closes its side or the session is closed; returns then.
    /// The calling thread reads; a virtual thread writes.
    public void serve() {
        var writer = Thread.ofVirtual().name("control-write " + peer).start(this::writeLoop);
        try {
            var reader = new LineReader(in, maxLineBytes);
            while (!closed) {
                var line = reader.next();
                switch (line) {
                    case LineReader.Line.End e -> {
                        return;
                    }
                    case LineReader.Line.TooLong t -> {
                        requests++;
                        refusals.refused(RefusalLog.Kind.LINE_TOO_LONG, peer + ": refused a request line of "
                                + t.bytes() + " bytes (limit " + maxLineBytes + ")");
                        send(new RpcMessage.Failure(NullNode.instance, RpcError.of(Protocol.Errors.INVALID_REQUEST,
                                "request line of " + t.bytes() + " bytes exceeds the limit of " + maxLineBytes)));
                    }
                    case LineReader.Line.Text text -> handle(text.text());
                }
            }
        } catch (IOException e) {
            if (!closed) {
                LOG.log(Level.DEBUG, "{0}: connection lost: {1}", peer, e.getMessage());
            }
        } finally {
            end(null, false);
            try {
                writer.join(Duration.ofSeconds(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void handle(String line) {
        if (line.isBlank()) {
            return;
        }
        requests++;
        RpcMessage message;
        try {
            message = JsonRpc.decode(line);
        } catch (RpcException e) {
            refusals.refused(RefusalLog.Kind.BAD_JSON, peer + ": refused a malformed request: " + e.error().message());
            send(new RpcMessage.Failure(NullNode.instance, e.error()));
            return;
        }
        var response = dispatcher.handle(message, this);
        List<AgentEvent> held;
        synchronized (this) {
            response.ifPresent(this::send);
            held = holding;
            holding = null;
        }
        // Events that arrived while events.subscribe ran go after its response, in order.
        if (held != null) {
            held.forEach(this::deliver);
        }
    }

    private void send(RpcMessage message) {
        if (message instanceof RpcMessage.Success s && s.result() instanceof POJONode p
                && p.getPojo() instanceof EncodedJson json) {
            // The envelope JsonRpc.encode writes, around the result's own slices.
            var head = ("{\"jsonrpc\":\"2.0\",\"id\":" + s.id() + ",\"result\":").getBytes(StandardCharsets.UTF_8);
            var line = new EncodedJson.Slice[json.parts().size() + 2];
            line[0] = EncodedJson.Slice.of(head);
            for (int i = 0; i < json.parts().size(); i++) {
                line[i + 1] = json.parts().get(i);
            }
            line[line.length - 1] = EncodedJson.Slice.of(END);
            enqueue(new Line(line, json.written()));
            return;
        }
        enqueue(JsonRpc.encode(message));
    }

    /// One line to write, and what to run once it is written (null: nothing).
    private record Line(EncodedJson.Slice[] slices, Runnable written) {
    }

    private void deliver(AgentEvent event) {
        synchronized (this) {
            if (holding != null) {
                holding.add(event);
                return;
            }
        }
        enqueue(JsonRpc.encode(new RpcMessage.Notification(Protocol.EVENT_NOTIFICATION,
                JsonNodeFactory.instance.pojoNode(event))));
    }

    private void enqueue(String line) {
        enqueue(new Line(new EncodedJson.Slice[] {EncodedJson.Slice.of((line + "\n").getBytes(StandardCharsets.UTF_8))},
                null));
    }

    private void enqueue(Line line) {
        if (closed) {
            return;
        }
        long length = 0;
        for (var slice : line.slices()) {
            length += slice.length();
        }
        long after = queuedBytes.addAndGet(length);
        if (after > outboxBytes && after > length) {
            queuedBytes.addAndGet(-length);
            close("it does not read its messages (" + (after - length) + " bytes waiting, limit "
                    + outboxBytes + ")");
            return;
        }
        outbox.add(line);
    }

    private void writeLoop() {
        try {
            while (true) {
                var line = outbox.poll(250, TimeUnit.MILLISECONDS);
                if (line == null) {
                    if (closed) {
                        return;
                    }
                    continue;
                }
                long length = 0;
                for (var slice : line.slices()) {
                    out.write(slice.bytes(), slice.offset(), slice.length());
                    length += slice.length();
                }
                queuedBytes.addAndGet(-length);
                if (line.written() != null) {
                    line.written().run();
                }
                if (outbox.isEmpty()) {
                    out.flush();
                }
            }
        } catch (IOException e) {
            if (!closed) {
                close("write failed: " + e.getMessage());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                out.close();
            } catch (IOException ignored) {
                // the peer is gone already
            }
        }
    }

    /// Whether everything queued for the client has been written.
    public boolean drained() {
        return queuedBytes.get() == 0;
    }

    /// Ends the session now: stops events and closes both streams (which also unblocks the
    /// reader). `reason` is logged as a warning; null for an ordinary end (the agent stopping).
    public void close(String reason) {
        end(reason, true);
    }

    /// `abort` false: the client closed its side; what is queued for it is still written.
    private void end(String reason, boolean abort) {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            closeReason = reason;
        }
        journal.unsubscribe(subscriber);
        if (reason != null) {
            LOG.log(Level.WARNING, "{0}: disconnected: {1}", peer, reason);
        }
        if (abort) {
            try {
                in.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            try {
                out.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        onClose.accept(this);
    }

    public boolean closed() {
        return closed;
    }

    public String closeReason() {
        return closeReason;
    }

    @Override
    public Results.Subscribed subscribe(Long afterSequence) {
        if (subscribed) {
            journal.unsubscribe(subscriber);
        }
        subscribed = true;
        synchronized (this) {
            holding = new ArrayList<>();
        }
        return journal.subscribe(afterSequence, subscriber);
    }

    @Override
    public void unsubscribe() {
        subscribed = false;
        journal.unsubscribe(subscriber);
    }

    @Override
    public String peer() {
        return peer;
    }

    @Override
    public Role role() {
        return role;
    }

    /// Whether the client has sent a non-blank line since it connected (an idle client that
    /// never has only holds a place that someone else may need).
    boolean hasSentARequest() {
        return requests > 0;
    }

    /// [System#nanoTime] when the session was made.
    long connectedAt() {
        return connectedAt;
    }
}
