package dev.pharos.console.connect;

import dev.pharos.testing.Netns;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

/// Debian's OpenSSH `sshd` for tests: its own host key and configuration in a temporary
/// directory, listening on a free port on 127.0.0.1, root may log in with the test's keys only.
/// Ended by PID, with the session processes it started.
public final class Sshd implements AutoCloseable {

    static final Path SSHD = Path.of("/usr/sbin/sshd");

    final Path dir;
    public final int port;
    private Process process;

    public Sshd(Path dir) throws IOException {
        this.dir = dir;
        try (var s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        newHostKey();
        Files.writeString(dir.resolve("authorized_keys"), "");
        Files.writeString(dir.resolve("sshd_config"), """
                Port %d
                ListenAddress 127.0.0.1
                HostKey %s
                PidFile %s
                AuthorizedKeysFile %s
                StrictModes no
                UsePAM no
                PermitRootLogin prohibit-password
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                AllowTcpForwarding yes
                LogLevel VERBOSE
                SetEnv SHLVL=1
                """.formatted(port, dir.resolve("host_key"), dir.resolve("sshd.pid"), dir.resolve("authorized_keys")));
        // SetEnv SHLVL=1: root's login shell (bash, which sshd runs as `bash -c COMMAND`) then
        // skips ~/.bashrc, which on a developer's machine may do anything (this one's runs `pyenv
        // rehash`, which waits 60 s on a stale lock); the sessions test the console, not that file.
        // sshd insists on its privilege-separation directory.
        Files.createDirectories(Path.of("/run/sshd"));
    }

    public static boolean available() {
        return Netns.available() && Files.isExecutable(SSHD) && Files.isExecutable(Path.of("/usr/bin/ssh-keygen"));
    }

    /// Makes every session run in network namespace `netns`, as if sshd ran on that host: commands
    /// through `ip netns exec` (a forced command), SFTP through OpenSSH's sftp-server. Before [#start].
    public void sessionsIn(String netns) throws IOException {
        var wrapper = dir.resolve("in-netns.sh");
        Files.writeString(wrapper, """
                #!/bin/sh
                case "$SSH_ORIGINAL_COMMAND" in
                  */sftp-server|internal-sftp) exec /usr/lib/openssh/sftp-server ;;
                esac
                exec ip netns exec %s sh -c "$SSH_ORIGINAL_COMMAND"
                """.formatted(netns));
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(dir.resolve("sshd_config"), "Subsystem sftp /usr/lib/openssh/sftp-server\nForceCommand "
                + wrapper + "\n", StandardOpenOption.APPEND);
    }

    /// As [#sessionsIn(String)], with every session also `chroot`ed into `root` (a Debian root made
    /// by `DebianRoot`), as if sshd ran on that system: commands through its `sh`, SFTP through its
    /// own sftp-server; each session mounts `/proc` and `/sys` in a private mount namespace, so the
    /// mounts end with the last process started in it. Before [#start].
    public void sessionsIn(String netns, Path root) throws IOException {
        var wrapper = dir.resolve("in-root.sh");
        Files.writeString(wrapper, """
                #!/bin/sh
                case "$SSH_ORIGINAL_COMMAND" in
                  */sftp-server|internal-sftp) set -- /usr/lib/openssh/sftp-server ;;
                  *) set -- sh -c "$SSH_ORIGINAL_COMMAND" ;;
                esac
                exec ip netns exec %s unshare --mount --propagation private sh -c \
                  'mount -t proc proc "$0/proc" && mount -t sysfs sysfs "$0/sys" && exec chroot "$0" "$@"' %s "$@"
                """.formatted(netns, root));
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(dir.resolve("sshd_config"), "Subsystem sftp /usr/lib/openssh/sftp-server\nForceCommand "
                + wrapper + "\n", StandardOpenOption.APPEND);
    }

    void newHostKey() throws IOException {
        Files.deleteIfExists(dir.resolve("host_key"));
        Files.deleteIfExists(dir.resolve("host_key.pub"));
        keygen("-t", "ed25519", "-N", "", "-f", dir.resolve("host_key").toString());
    }

    /// The host key's fingerprint as `ssh-keygen -lf` prints it (`SHA256:…`).
    String hostFingerprint() {
        var r = Netns.exec(Duration.ofSeconds(30), "/usr/bin/ssh-keygen", "-lf", dir.resolve("host_key.pub").toString());
        return r.output().split("\\s+")[1];
    }

    /// A client key pair; its public half is authorized. `pem` writes the legacy PEM format.
    public Path clientKey(String name, String passphrase, boolean pem) throws IOException {
        var key = dir.resolve(name);
        if (pem) {
            keygen("-t", "rsa", "-b", "2048", "-m", "PEM", "-N", passphrase, "-f", key.toString());
        } else {
            keygen("-t", "ed25519", "-N", passphrase, "-f", key.toString());
        }
        Files.writeString(dir.resolve("authorized_keys"), Files.readString(dir.resolve(name + ".pub")),
                StandardOpenOption.APPEND);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        return key;
    }

    private static void keygen(String... args) throws IOException {
        var cmd = new String[args.length + 2];
        cmd[0] = "/usr/bin/ssh-keygen";
        cmd[1] = "-q";
        System.arraycopy(args, 0, cmd, 2, args.length);
        var r = Netns.exec(Duration.ofSeconds(60), cmd);
        if (r.exitCode() != 0) {
            throw new IOException("ssh-keygen failed: " + r.output());
        }
    }

    public Sshd start() throws IOException {
        process = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", dir.resolve("sshd_config").toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("sshd.log").toFile()))
                .start();
        if (!Netns.await(Duration.ofSeconds(20), () -> log().contains("Server listening on 127.0.0.1 port " + port))) {
            throw new IOException("sshd did not start:\n" + log());
        }
        return this;
    }

    /// Ends sshd and every session it runs (a real restart drops the connections).
    public void stop() {
        if (process != null) {
            process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            Netns.stop(process, Duration.ofSeconds(5));
            process = null;
        }
    }

    public String log() {
        try {
            return Files.readString(dir.resolve("sshd.log"));
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        stop();
    }
}
