package dev.pharos.agent.check;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;

/// One `TCP_CHECK` or plain `HTTP_GET` attempt as a non-blocking exchange on a [CheckLoop]:
/// connect, (for HTTP, per URL) send the request and read the response, close, report once.
/// Each URL is bounded by `connect_timeout` from its connect to the end of its response, as the
/// blocking path is. Closing is a normal close (FIN), as keepalived's.
final class Exchange implements CheckLoop.Handler {

    private static final System.Logger LOG = System.getLogger(Exchange.class.getName());

    private final CheckLoop loop;
    private final CheckSpec.Endpoint endpoint;
    private final HttpProbe http;
    private final Consumer<ProbeResult> done;
    private int url;
    private SocketChannel channel;
    private SelectionKey key;
    private CheckLoop.Timeout deadline;
    private ResponseParser parser;
    private ByteBuffer unsent;
    private boolean finished;

    private Exchange(CheckLoop loop, CheckSpec.Endpoint endpoint, HttpProbe http, Consumer<ProbeResult> done) {
        this.loop = loop;
        this.endpoint = endpoint;
        this.http = http;
        this.done = done;
    }

    /// A `TCP_CHECK` attempt; call on the loop thread.
    static void tcp(CheckLoop loop, CheckSpec.Endpoint endpoint, Consumer<ProbeResult> done) {
        new Exchange(loop, endpoint, null, done).open();
    }

    /// A plain `HTTP_GET` attempt of every URL of `probe`; call on the loop thread.
    static void http(CheckLoop loop, HttpProbe probe, Consumer<ProbeResult> done) {
        new Exchange(loop, probe.spec().endpoint(), probe, done).open();
    }

    private void open() {
        deadline = loop.after(endpoint.connectTimeout().toNanos(), this::timedOut);
        try {
            channel = SocketChannel.open();
            channel.configureBlocking(false);
            if (endpoint.bindTo() != null || endpoint.bindPort() != 0) {
                channel.bind(endpoint.bindTo() == null ? new InetSocketAddress(endpoint.bindPort())
                        : new InetSocketAddress(endpoint.bindTo(), endpoint.bindPort()));
            }
            // On loopback and near servers the handshake has mostly completed when connect
            // returns; asking at once saves a round through the selector.
            if (channel.connect(endpoint.connectTo()) || channel.finishConnect()) {
                connected();
            } else {
                interest(SelectionKey.OP_CONNECT);
            }
        } catch (IOException e) {
            fail(Failures.reason(e, endpoint.connectTimeout()));
        } catch (HttpProbe.FetchException e) {
            fail(e.getMessage());
        } catch (RuntimeException e) {
            crashed(e);
        }
    }

    @Override
    public void ready(SelectionKey readyKey) {
        if (finished) {
            return;
        }
        try {
            if (readyKey.isConnectable()) {
                if (channel.finishConnect()) {
                    connected();
                }
            } else if (readyKey.isWritable()) {
                channel.write(unsent);
                if (!unsent.hasRemaining()) {
                    unsent = null;
                    interest(SelectionKey.OP_READ);
                }
            } else if (readyKey.isReadable()) {
                read();
            }
        } catch (IOException e) {
            fail(Failures.reason(e, endpoint.connectTimeout()));
        } catch (HttpProbe.FetchException e) {
            fail(e.getMessage());
        } catch (RuntimeException e) {
            crashed(e);
        }
    }

    private void connected() throws IOException, HttpProbe.FetchException {
        if (http == null) {
            finish(ProbeResult.up());
            return;
        }
        var request = http.request(url);
        parser = new ResponseParser(http.wantsDigest(url) ? HttpProbe.md5() : null);
        var buffer = loop.buffer.clear();
        if (request.length <= buffer.capacity()) {
            buffer.put(request).flip();
            channel.write(buffer);
            unsent = buffer.hasRemaining() ? ByteBuffer.wrap(request, buffer.position(), buffer.remaining()) : null;
        } else {
            unsent = ByteBuffer.wrap(request);
            channel.write(unsent);
            unsent = unsent.hasRemaining() ? unsent : null;
        }
        interest(unsent != null ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
    }

    private void read() throws IOException, HttpProbe.FetchException {
        var buffer = loop.buffer;
        var bytes = loop.bytes;
        while (true) {
            buffer.clear();
            int n = channel.read(buffer);
            if (n == 0) {
                return;
            }
            if (n < 0) {
                responded(true);
                return;
            }
            buffer.flip().get(bytes, 0, n);
            parser.feed(bytes, 0, n);
            if (parser.complete()) {
                responded(serverClosed());
                return;
            }
        }
    }

    /// Whether the server's end of stream has arrived (it usually comes with the response). What
    /// happens after a complete response never fails the attempt, as on the blocking path.
    private boolean serverClosed() {
        try {
            return channel.read(loop.buffer.clear()) < 0;
        } catch (IOException e) {
            return false;
        }
    }

    /// @param serverClosed the server closed its end: the whole exchange is over for it
    private void responded(boolean serverClosed) throws HttpProbe.FetchException {
        var response = parser.finish();
        if (serverClosed) {
            abort();
        }
        closeChannel();
        var failed = http.judge(url, response);
        if (failed != null) {
            finish(failed);
        } else if (++url < http.spec().urls().size()) {
            deadline.cancel();
            open();
        } else {
            finish(ProbeResult.up());
        }
    }

    /// Deviation from keepalived (which closes normally): once the server has sent its response
    /// and closed its end, the checker's socket is closed with a reset (`SO_LINGER` 0) instead
    /// of a FIN. The server's application has finished with the connection and sees no
    /// difference; its kernel drops the socket instead of answering the FIN and holding it in
    /// TIME_WAIT, and on loopback the checker's process no longer pays for that exchange
    /// (about a fifth of its CPU at 10,000 checks/s in `bench/checks`). A connection the
    /// server has not closed (a Content-Length response without end of stream, a failure, a
    /// timeout) is closed normally.
    private void abort() {
        try {
            channel.setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException e) {
            // the socket is gone already; the close below releases it either way
        }
    }

    private void interest(int ops) throws IOException {
        if (key == null) {
            key = loop.register(channel, ops, this);
        } else {
            key.interestOps(ops);
        }
    }

    private void timedOut() {
        if (!finished) {
            fail("timeout after " + Failures.seconds(endpoint.connectTimeout()));
        }
    }

    private void fail(String reason) {
        finish(ProbeResult.down(http == null ? reason : http.prefix(url) + reason));
    }

    private void crashed(RuntimeException e) {
        LOG.log(Level.ERROR, "check of " + endpoint.hostPort() + " failed unexpectedly", e);
        finish(ProbeResult.down("internal error: " + e));
    }

    private void finish(ProbeResult result) {
        if (finished) {
            return;
        }
        finished = true;
        deadline.cancel();
        closeChannel();
        done.accept(result);
    }

    @Override
    public void abandon() {
        finished = true;
        deadline.cancel();
        closeChannel();
    }

    private void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // nothing more to release
            }
            channel = null;
            key = null;
        }
    }
}
