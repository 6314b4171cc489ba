package dev.pharos.agent.check;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.function.Consumer;

/// `TCP_CHECK` (keepalived's `check_tcp.c`): the attempt succeeds when a TCP connection to the
/// endpoint opens within `connect_timeout`; the connection is closed at once. The attempt is a
/// non-blocking connect on a [CheckLoop] (an NIO channel never goes through a proxy the JVM may
/// be configured with).
public final class TcpProbe implements LoopProbe {

    private final CheckSpec.TcpCheck spec;
    private final CheckLoop loop;

    /// A probe whose attempts run on the shared check loop.
    public TcpProbe(CheckSpec.TcpCheck spec) {
        this(spec, CheckLoop.shared());
    }

    TcpProbe(CheckSpec.TcpCheck spec, CheckLoop loop) {
        this.spec = spec;
        this.loop = loop;
    }

    @Override
    public boolean onLoop() {
        return true;
    }

    @Override
    public void start(Consumer<ProbeResult> done) {
        loop.execute(() -> Exchange.tcp(loop, spec.endpoint(), done));
    }

    @Override
    public ProbeResult attempt() {
        return LoopProbe.await(this, spec.endpoint().connectTimeout());
    }

    static void bind(Socket socket, CheckSpec.Endpoint endpoint) throws IOException {
        if (endpoint.bindTo() != null || endpoint.bindPort() != 0) {
            socket.bind(endpoint.bindTo() == null ? new InetSocketAddress(endpoint.bindPort())
                    : new InetSocketAddress(endpoint.bindTo(), endpoint.bindPort()));
        }
    }

    static int timeoutMillis(CheckSpec.Endpoint endpoint) {
        return (int) Math.clamp(endpoint.connectTimeout().toMillis(), 1, Integer.MAX_VALUE);
    }
}
