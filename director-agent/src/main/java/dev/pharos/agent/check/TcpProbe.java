package dev.pharos.agent.check;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;

/// `TCP_CHECK` (keepalived's `check_tcp.c`): the attempt succeeds when a TCP connection to the
/// endpoint opens within `connect_timeout`; the connection is closed at once. Checks connect
/// directly, never through a proxy the JVM may be configured with (`Proxy.NO_PROXY`, which also
/// skips the proxy lookup on every connection).
public final class TcpProbe implements Probe {

    private final CheckSpec.TcpCheck spec;

    public TcpProbe(CheckSpec.TcpCheck spec) {
        this.spec = spec;
    }

    @Override
    public ProbeResult attempt() {
        var endpoint = spec.endpoint();
        try (var socket = new Socket(Proxy.NO_PROXY)) {
            bind(socket, endpoint);
            socket.connect(endpoint.connectTo(), timeoutMillis(endpoint));
            return ProbeResult.up();
        } catch (IOException e) {
            return ProbeResult.down(Failures.reason(e, endpoint.connectTimeout()));
        }
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
