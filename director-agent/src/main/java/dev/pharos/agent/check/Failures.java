package dev.pharos.agent.check;

import java.io.EOFException;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Locale;
import javax.net.ssl.SSLException;

/// Turns what the network threw into the short reason a [ProbeResult.Down] carries.
final class Failures {

    private Failures() {
    }

    /// `timeout after 3s`, `connection refused`, `connection reset`, `no route to host`,
    /// `network unreachable`…
    static String reason(IOException e, Duration timeout) {
        var message = e.getMessage() == null ? "" : e.getMessage();
        var lower = message.toLowerCase(Locale.ROOT);
        if (e instanceof SocketTimeoutException) {
            return "timeout after " + seconds(timeout);
        }
        if (e instanceof NoRouteToHostException || lower.contains("no route to host")) {
            return "no route to host";
        }
        if (lower.contains("network is unreachable")) {
            return "network unreachable";
        }
        if (e instanceof PortUnreachableException) {
            return "port unreachable";
        }
        if (e instanceof ConnectException) {
            return lower.contains("refused") ? "connection refused" : "connect failed: " + message;
        }
        if (e instanceof SSLException) {
            return "TLS error: " + message;
        }
        if (lower.contains("connection reset")) {
            return "connection reset";
        }
        if (lower.contains("broken pipe")) {
            return "connection closed by the server";
        }
        if (message.isEmpty()) {
            // an exception's class name is no reason an operator can act on
            return switch (e) {
                case EOFException eof -> "connection closed before the answer";
                case ClosedChannelException closed -> "connection closed";
                default -> "input/output error";
            };
        }
        return message;
    }

    /// `3s`, `1.5s`, `200ms`.
    static String seconds(Duration d) {
        if (d.toMillis() < 1000) {
            return d.toMillis() + "ms";
        }
        if (d.toMillis() % 1000 == 0) {
            return d.toSeconds() + "s";
        }
        return new BigDecimal(d.toMillis()).movePointLeft(3).stripTrailingZeros().toPlainString() + "s";
    }
}
