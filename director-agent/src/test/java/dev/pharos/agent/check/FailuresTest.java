package dev.pharos.agent.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;

/// The short reasons a Down carries, from what the JDK throws.
class FailuresTest {

    private static String reason(IOException e) {
        return Failures.reason(e, Duration.ofSeconds(3));
    }

    @Test
    void eachNetworkFailureHasItsShortReason() {
        assertThat(reason(new SocketTimeoutException("Connect timed out"))).isEqualTo("timeout after 3s");
        assertThat(reason(new ConnectException("Connection refused"))).isEqualTo("connection refused");
        assertThat(reason(new NoRouteToHostException("No route to host"))).isEqualTo("no route to host");
        assertThat(reason(new ConnectException("Network is unreachable"))).isEqualTo("network unreachable");
        assertThat(reason(new PortUnreachableException("ICMP Port Unreachable"))).isEqualTo("port unreachable");
        assertThat(reason(new SocketException("Connection reset"))).isEqualTo("connection reset");
        assertThat(reason(new SocketException("Broken pipe"))).isEqualTo("connection closed by the server");
        assertThat(reason(new SSLException("bad record MAC"))).isEqualTo("TLS error: bad record MAC");
        assertThat(reason(new ConnectException("Cannot assign requested address"))).isEqualTo("connect failed: Cannot assign requested address");
        // no class name on an operator's screen
        assertThat(reason(new IOException())).isEqualTo("input/output error");
        assertThat(reason(new EOFException())).isEqualTo("connection closed before the answer");
        assertThat(reason(new ClosedChannelException())).isEqualTo("connection closed");
    }

    @Test
    void durationsReadAsPeopleWriteThem() {
        assertThat(Failures.seconds(Duration.ofSeconds(3))).isEqualTo("3s");
        assertThat(Failures.seconds(Duration.ofMillis(1500))).isEqualTo("1.5s");
        assertThat(Failures.seconds(Duration.ofMillis(1100))).isEqualTo("1.1s");
        assertThat(Failures.seconds(Duration.ofMillis(200))).isEqualTo("200ms");
    }
}
