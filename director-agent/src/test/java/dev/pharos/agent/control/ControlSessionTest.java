package dev.pharos.agent.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.pharos.agent.api.AgentEvent;
import dev.pharos.agent.api.JsonRpc;
import dev.pharos.agent.api.Protocol;
import dev.pharos.agent.api.Results;
import dev.pharos.agent.api.RpcMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/// Sessions over in-memory streams: long lines, order of answers, and a client that never reads.
class ControlSessionTest {

    private final EventJournal journal = new EventJournal(Clock.systemUTC(), 100);
    private final Dispatcher dispatcher = new Dispatcher(Map.of(
            Protocol.HELLO, (p, s) -> Map.of("hello", "world"),
            Protocol.EVENTS_SUBSCRIBE, (p, s) -> s.subscribe(null)));

    private String serve(String input, int limit) {
        var out = new ByteArrayOutputStream();
        var session = new ControlSession("test", new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), out,
                dispatcher, journal, limit, x -> {
                });
        session.serve();
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void answersEachLineInOrder() {
        var out = serve("""
                {"jsonrpc":"2.0","id":1,"method":"agent.hello"}

                {"jsonrpc":"2.0","method":"agent.hello"}
                {"jsonrpc":"2.0","id":2,"method":"nope"}
                {"jsonrpc":"2.0","id":3,"method":"agent.hello"}\r
                """, 1000);
        var lines = out.lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).contains("\"id\":1").contains("world");
        assertThat(lines.get(1)).contains("\"id\":2").contains("-32601");
        assertThat(lines.get(2)).contains("\"id\":3");
    }

    @Test
    void anEncodedResultIsWrittenAsItIsInTheSameEnvelope() throws Exception {
        var shared = "{\"a\":[1,2],\"b\":\"é\"}".getBytes(StandardCharsets.UTF_8);
        // Two slices of one shared array: the result is {"a":[1,2]} cut from it and closed.
        var result = new EncodedJson(List.of(new EncodedJson.Slice(shared, 0, 10),
                EncodedJson.Slice.of("}".getBytes(StandardCharsets.UTF_8))));
        var encoded = new Dispatcher(Map.of("big.get", (p, s) -> result));
        var out = new ByteArrayOutputStream();
        new ControlSession("test", new ByteArrayInputStream("""
                {"jsonrpc":"2.0","id":"x1","method":"big.get"}
                """.getBytes(StandardCharsets.UTF_8)), out, encoded, journal, 1000, x -> {
                }).serve();
        var line = out.toString(StandardCharsets.UTF_8);
        assertThat(line).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":\"x1\",\"result\":{\"a\":[1,2]}}\n");
        // What the session writes is what the codec writes for the same message.
        assertThat(line.strip()).isEqualTo(JsonRpc.encode(new RpcMessage.Success(new TextNode("x1"),
                JsonNodeFactory.instance.pojoNode(result))));
    }

    @Test
    void anOverLongLineIsRefusedAndTheNextOneServed() {
        var huge = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + "x".repeat(5000) + "\"}";
        var out = serve(huge + "\n{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"agent.hello\"}\n", 1000);
        var lines = out.lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).contains("-32600").contains("exceeds the limit of 1000");
        assertThat(lines.get(1)).contains("\"id\":2").contains("world");
    }

    @Test
    void aHundredMegabyteLineCostsNoMemory() {
        // Streamed, never held: the session reads it to its end and answers with one error.
        InputStream endless = new InputStream() {
            long left = 100L << 20;
            boolean newline;

            @Override
            public int read() {
                if (left-- > 0) {
                    return 'a';
                }
                if (!newline) {
                    newline = true;
                    return '\n';
                }
                return -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    int c = read();
                    if (c < 0) {
                        return -1;
                    }
                    b[off] = (byte) c;
                    return 1;
                }
                int n = (int) Math.min(len, left);
                java.util.Arrays.fill(b, off, off + n, (byte) 'a');
                left -= n;
                return n;
            }
        };
        var out = new ByteArrayOutputStream();
        new ControlSession("big", endless, out, dispatcher, journal, Protocol.MAX_LINE_BYTES, x -> {
        }).serve();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("104857600 bytes exceeds the limit");
    }

    @Test
    void aClientThatNeverReadsItsEventsIsDisconnected() throws Exception {
        var clientIn = new PipedOutputStream();
        var sessionIn = new PipedInputStream(clientIn, 65536);
        var blocked = new CountDownLatch(1);
        var writer = new java.util.concurrent.atomic.AtomicReference<Thread>();
        OutputStream neverDrained = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                writer.set(Thread.currentThread());
                blocked.countDown();
                try {
                    // A client whose socket buffer is full: writes block until the session gives up on it.
                    Thread.sleep(Duration.ofMinutes(5));
                } catch (InterruptedException e) {
                    throw new IOException("interrupted");
                }
            }

            @Override
            public void close() {
                var w = writer.get();
                if (w != null) {
                    w.interrupt();
                }
            }
        };
        var closed = new CountDownLatch(1);
        var session = new ControlSession("slow", sessionIn, neverDrained, dispatcher, journal, 1000, x -> closed.countDown());
        var thread = Thread.ofVirtual().start(session::serve);
        clientIn.write("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"events.subscribe\"}\n".getBytes(StandardCharsets.UTF_8));
        clientIn.flush();
        assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(dev.pharos.testing.Netns.await(Duration.ofSeconds(10), () -> journal.subscriberCount() == 1)).isTrue();
        // Bounded in bytes: each event is over 50 bytes, so this many overflow the outbox.
        for (int i = 0; i < ControlSession.OUTBOX_BYTES / 50 && !session.closed(); i++) {
            journal.publish((seq, at) -> new AgentEvent.ComponentRestarted(seq, at, "vrrp", "flood"));
        }
        assertThat(closed.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(session.closeReason()).contains("does not read its messages");
        assertThat(journal.subscriberCount()).isZero();
        clientIn.close();
        thread.join(Duration.ofSeconds(10));
        assertThat(thread.isAlive()).isFalse();
    }

    @Test
    void eventsAfterASubscribeFollowItsAnswer() throws Exception {
        var out = new ByteArrayOutputStream();
        var answered = new AtomicReference<Results.Subscribed>();
        var d = new Dispatcher(Map.of(Protocol.EVENTS_SUBSCRIBE, (p, s) -> {
            var r = s.subscribe(null);
            // an event published while the method still runs must come after its answer
            journal.publish((seq, at) -> new AgentEvent.ComponentRestarted(seq, at, "vrrp", "during"));
            answered.set(r);
            return r;
        }));
        new ControlSession("order", new ByteArrayInputStream(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"events.subscribe\"}\n".getBytes(StandardCharsets.UTF_8)), out,
                d, journal, 1000, x -> {
                }).serve();
        var lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).contains("\"id\":1");
        assertThat(lines.get(1)).contains("\"method\":\"event\"").contains("during");
        // the answer names the last sequence before the subscription; the event held back is the next one
        var last = answered.get().lastSequence();
        assertThat(lines.get(0)).contains("\"lastSequence\":" + last);
        assertThat(lines.get(1)).contains("\"sequence\":" + (last + 1));
    }

    @Test
    void aSlowReaderOfLargeAnswersIsClosedByTheBytesWaiting() throws Exception {
        // Twenty answers of 1 MiB each are far below any count of messages but 20 MiB of heap:
        // a slow reader of a 2,000-server state.get once ran the agent out of memory.
        var big = "x".repeat(1 << 20);
        var d = new Dispatcher(Map.of(Protocol.STATE_GET, (p, s) -> Map.of("big", big)));
        var clientIn = new PipedOutputStream();
        var sessionIn = new PipedInputStream(clientIn, 65536);
        var neverDrained = new BlockingOutput();
        var closed = new CountDownLatch(1);
        var session = new ControlSession("slow", sessionIn, neverDrained, d, journal, 1000, x -> closed.countDown());
        var thread = Thread.ofVirtual().start(session::serve);
        for (int i = 0; i < 20 && !session.closed(); i++) {
            clientIn.write(("{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"state.get\"}\n")
                    .getBytes(StandardCharsets.UTF_8));
            clientIn.flush();
        }
        assertThat(closed.await(20, TimeUnit.SECONDS)).as("closed for the bytes waiting").isTrue();
        assertThat(session.closeReason()).contains("does not read its messages").contains("bytes waiting");
        clientIn.close();
        thread.join(Duration.ofSeconds(10));
        assertThat(thread.isAlive()).isFalse();
    }

    @Test
    void oneAnswerLargerThanTheOutboxIsStillSent() {
        var big = "y".repeat(3 << 20);
        var d = new Dispatcher(Map.of(Protocol.STATE_GET, (p, s) -> Map.of("big", big)));
        var out = new ByteArrayOutputStream();
        new ControlSession("one", Role.OPERATOR, new ByteArrayInputStream(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"state.get\"}\n".getBytes(StandardCharsets.UTF_8)), out,
                d, journal, 1000, 1 << 20, new RefusalLog(), x -> {
                }).serve();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("\"id\":1").contains(big);
    }

    @Test
    void refusalsAreLoggedAtMostOnceASecondPerKind() {
        // Thousands of bad lines a second once wrote thousands of log lines a second.
        var logged = new java.util.concurrent.CopyOnWriteArrayList<String>();
        var logger = java.util.logging.Logger.getLogger("dev.pharos.agent.control");
        var handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                var text = r.getParameters() == null ? r.getMessage()
                        : java.text.MessageFormat.format(r.getMessage(), r.getParameters());
                if (text.contains("refused")) {
                    logged.add(text);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
        try {
            var input = new StringBuilder();
            for (int i = 0; i < 3000; i++) {
                input.append("z".repeat(200)).append('\n').append("{not json\n");
            }
            long start = System.nanoTime();
            var out = serve(input.toString(), 100);
            double seconds = (System.nanoTime() - start) / 1e9;
            assertThat(out.lines().count()).as("every line still answered").isEqualTo(6000);
            // two kinds, at most one line a second each (plus the first of each)
            assertThat(logged.size()).as("%s", logged).isLessThanOrEqualTo(2 * ((int) Math.ceil(seconds) + 1));
            assertThat(logged).anyMatch(l -> l.contains("refused a request line of 200 bytes"));
            assertThat(logged).anyMatch(l -> l.contains("refused a malformed request"));
        } finally {
            logger.removeHandler(handler);
        }
    }

    @Test
    void refusalLogSaysHowManyItLeftOut() {
        var now = new java.util.concurrent.atomic.AtomicLong();
        var lines = new java.util.ArrayList<String>();
        var log = new RefusalLog(Duration.ofSeconds(1), now::get, lines::add);
        for (int i = 0; i < 5000; i++) {
            now.set(i * 100_000L); // 5,000 in half a second
            log.refused(RefusalLog.Kind.LINE_TOO_LONG, "long " + i);
        }
        log.refused(RefusalLog.Kind.BAD_JSON, "bad");
        assertThat(lines).containsExactly("long 0", "bad");
        now.set(2_000_000_000L);
        log.refused(RefusalLog.Kind.LINE_TOO_LONG, "long again");
        assertThat(lines.getLast()).isEqualTo("long again (and 4999 more over-long lines refused in the last 2 s)");
        now.set(2_500_000_000L);
        log.refused(RefusalLog.Kind.LINE_TOO_LONG, "dropped");
        now.set(3_500_000_000L);
        log.refused(RefusalLog.Kind.LINE_TOO_LONG, "next");
        assertThat(lines.getLast()).isEqualTo("next (and 1 more over-long lines refused in the last 2 s)");
    }

    @Test
    void anOperatorIsRefusedWhatTheTableKeepsForAdmins() {
        var called = new java.util.concurrent.atomic.AtomicInteger();
        var d = new Dispatcher(Map.of(Protocol.HELLO, (p, s) -> Map.of("role", s.role().label()),
                "debug.heapDump", (p, s) -> called.incrementAndGet()));
        var operator = new Method.Session() {
            @Override
            public Results.Subscribed subscribe(Long afterSequence) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void unsubscribe() {
            }

            @Override
            public String peer() {
                return "client 1 (user nobody, group nogroup, operator)";
            }

            @Override
            public Role role() {
                return Role.OPERATOR;
            }
        };
        var hello = d.handle(new dev.pharos.agent.api.RpcMessage.Request(
                com.fasterxml.jackson.databind.node.IntNode.valueOf(1), Protocol.HELLO, null), operator).orElseThrow();
        assertThat(dev.pharos.agent.api.JsonRpc.encode(hello)).contains("operator");
        var refused = d.handle(new dev.pharos.agent.api.RpcMessage.Request(
                com.fasterxml.jackson.databind.node.IntNode.valueOf(2), "debug.heapDump", null), operator).orElseThrow();
        assertThat(refused).isInstanceOfSatisfying(dev.pharos.agent.api.RpcMessage.Failure.class, f -> {
            assertThat(f.error().code()).isEqualTo(Protocol.Errors.NOT_PERMITTED);
            assertThat(f.error().message()).contains("debug.heapDump needs root").contains("sudo director-agent ctl");
        });
        assertThat(called).hasValue(0);
        // Every method of the protocol is declared; all are open to operators (config.apply with
        // conditions it checks itself), so a method absent from the table is one nobody decided on.
        assertThat(Protocol.METHODS).allMatch(m -> Role.required(m) == Role.OPERATOR);
        assertThat(Role.required("debug.heapDump")).isEqualTo(Role.ADMIN);
    }

    /// A client whose socket buffer is full: writes block until the session gives up on it.
    private static final class BlockingOutput extends OutputStream {
        private final CountDownLatch closed = new CountDownLatch(1);

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                closed.await(5, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IOException("closed");
        }

        @Override
        public void close() {
            closed.countDown();
        }
    }
}
