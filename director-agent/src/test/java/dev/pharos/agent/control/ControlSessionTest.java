package dev.pharos.agent.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.api.AgentEvent;
import dev.pharos.agent.api.Protocol;
import dev.pharos.agent.api.Results;
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
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
        var d = new Dispatcher(Map.of(Protocol.EVENTS_SUBSCRIBE, (p, s) -> {
            var r = s.subscribe(null);
            // an event published while the method still runs must come after its answer
            journal.publish((seq, at) -> new AgentEvent.ComponentRestarted(seq, at, "vrrp", "during"));
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
        assertThat(Results.Subscribed.class).isNotNull();
    }
}
