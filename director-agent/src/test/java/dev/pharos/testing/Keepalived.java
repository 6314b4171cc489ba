package dev.pharos.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/// Real keepalived (Debian's package, or another build given by path) running in a test namespace as a VRRP peer:
/// `keepalived -n -l -D -P` with its own config, pid files and log under a work directory.
///
/// [#kill()] ends it as a crash would (SIGKILL to the VRRP child and the parent: no priority-0
/// advert); [#stop()] is a graceful stop (SIGTERM: keepalived sends priority 0 and drops its VIPs).
public final class Keepalived implements AutoCloseable {

    private final Netns.Host host;
    private final Path dir;
    private final String name;
    private final Process process;

    private Keepalived(Netns.Host host, Path dir, String name, Process process) {
        this.host = host;
        this.dir = dir;
        this.name = name;
        this.process = process;
    }

    /// True when Debian's keepalived is installed.
    public static boolean installed() {
        return Files.isExecutable(Path.of("/usr/sbin/keepalived"));
    }

    /// Starts keepalived in `host` with `config`; files go to `dir` under `name`.
    public static Keepalived start(Netns.Host host, Path dir, String name, String config) {
        return start(Path.of("/usr/sbin/keepalived"), host, dir, name, config);
    }

    /// Starts the keepalived `binary` (another version than Debian's) as [#start(Netns.Host, Path, String, String)] does.
    public static Keepalived start(Path binary, Netns.Host host, Path dir, String name, String config) {
        try {
            Files.createDirectories(dir);
            var conf = dir.resolve(name + ".conf");
            Files.writeString(conf, config, StandardCharsets.UTF_8);
            var log = dir.resolve(name + ".log");
            var p = host.start(log, binary.toString(), "-n", "-l", "-D", "-P", "-G",
                    "-f", conf.toString(),
                    "-p", dir.resolve(name + ".pid").toString(),
                    "-r", dir.resolve(name + ".vrrp.pid").toString());
            return new Keepalived(host, dir, name, p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Netns.Host host() {
        return host;
    }

    /// Everything keepalived has logged so far.
    public String log() {
        return new LogFile(dir.resolve(name + ".log")).read();
    }

    /// Waits until the log contains `text`.
    public boolean awaitLog(Duration deadline, String text) {
        return new LogFile(dir.resolve(name + ".log")).await(deadline, text);
    }

    public boolean alive() {
        return process.isAlive();
    }

    /// Graceful stop: SIGTERM, as `systemctl stop keepalived` does.
    public void stop() {
        Netns.stop(process, Duration.ofSeconds(10));
    }

    /// Crash: SIGKILL to the VRRP child first (so it cannot send priority 0), then the parent.
    public void kill() {
        vrrpChildPid().flatMap(ProcessHandle::of).ifPresent(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Optional<Long> vrrpChildPid() {
        try {
            var file = dir.resolve(name + ".vrrp.pid");
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            return Optional.of(Long.parseLong(Files.readString(file).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            stop();
        }
        vrrpChildPid().flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive).ifPresent(ProcessHandle::destroyForcibly);
    }
}
