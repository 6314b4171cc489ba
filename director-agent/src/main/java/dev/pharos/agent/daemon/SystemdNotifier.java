package dev.pharos.agent.daemon;

import dev.pharos.agent.linux.NativeException;
import dev.pharos.agent.linux.UnixDatagram;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/// systemd's notify protocol (`sd_notify(3)`): `READY=1` when the agent serves, `WATCHDOG=1`
/// while it is healthy, `RELOADING=1` around a reload, `STOPPING=1` on the way out, and `STATUS=`
/// lines for `systemctl status`. One datagram per message to `$NOTIFY_SOCKET`; without that
/// variable (not started by systemd) every call does nothing.
public final class SystemdNotifier implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(SystemdNotifier.class.getName());

    private final String socket;
    private final UnixDatagram channel;
    private final Duration watchdog;

    private SystemdNotifier(String socket, UnixDatagram channel, Duration watchdog) {
        this.socket = socket;
        this.channel = channel;
        this.watchdog = watchdog;
    }

    /// From the environment systemd sets: `NOTIFY_SOCKET`, `WATCHDOG_USEC`, `WATCHDOG_PID`.
    public static SystemdNotifier fromEnvironment(Map<String, String> env) {
        var socket = env.get("NOTIFY_SOCKET");
        if (socket == null || socket.isEmpty()) {
            return new SystemdNotifier(null, null, null);
        }
        Duration watchdog = null;
        var usec = env.get("WATCHDOG_USEC");
        var pid = env.get("WATCHDOG_PID");
        if (usec != null && (pid == null || pid.equals(Long.toString(ProcessHandle.current().pid())))) {
            try {
                long us = Long.parseLong(usec.trim());
                if (us > 0) {
                    watchdog = Duration.ofNanos(us * 1000);
                }
            } catch (NumberFormatException e) {
                LOG.log(Level.WARNING, "ignoring WATCHDOG_USEC={0}: not a number", usec);
            }
        }
        try {
            return new SystemdNotifier(socket, UnixDatagram.open(), watchdog);
        } catch (NativeException e) {
            LOG.log(Level.WARNING, "cannot talk to systemd ({0}): {1}", socket, e.getMessage());
            return new SystemdNotifier(null, null, null);
        }
    }

    /// How often systemd wants a `WATCHDOG=1`, if it does.
    public Optional<Duration> watchdogInterval() {
        return Optional.ofNullable(watchdog);
    }

    public void ready(String status) {
        send("READY=1\nSTATUS=" + status + "\nMAINPID=" + ProcessHandle.current().pid());
    }

    public void reloading() {
        send("RELOADING=1\nMONOTONIC_USEC=" + System.nanoTime() / 1000);
    }

    public void watchdog() {
        send("WATCHDOG=1");
    }

    public void status(String status) {
        send("STATUS=" + status);
    }

    public void stopping() {
        send("STOPPING=1\nSTATUS=stopping");
    }

    private void send(String message) {
        if (channel == null) {
            return;
        }
        try {
            channel.send(socket, message);
        } catch (NativeException | RuntimeException e) {
            // systemd gone or the socket wrong: the agent keeps running, systemd will judge it.
            LOG.log(Level.WARNING, "sd_notify to {0} failed: {1}", socket, e.getMessage());
        }
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close();
        }
    }
}
