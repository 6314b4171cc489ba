package dev.pharos.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

/// FRR's zebra and bgpd (and bfdd, when given a configuration) in a test namespace, as Debian
/// packages them (`apt-get install frr`), each with its own files: they run as user `frr` (zebra
/// refuses to run as root outside group frrvty), so the directory is given to it. `vtysh` reaches
/// them through `--vty_socket`.
public final class Frr implements AutoCloseable {

    public static final Path ZEBRA = Path.of("/usr/lib/frr/zebra");
    public static final Path BGPD = Path.of("/usr/lib/frr/bgpd");
    public static final Path BFDD = Path.of("/usr/lib/frr/bfdd");

    private final Netns.Host host;
    private final Path dir;
    private final String bgpdConfig;
    private Process zebra;
    private Process bgpd;
    private Process bfdd;

    private Frr(Netns.Host host, Path dir, String bgpdConfig) {
        this.host = host;
        this.dir = dir;
        this.bgpdConfig = bgpdConfig;
    }

    public static boolean available() {
        return Files.isExecutable(ZEBRA) && Files.isExecutable(BGPD) && Files.isExecutable(Path.of("/usr/bin/vtysh"));
    }

    public static boolean bfdAvailable() {
        return available() && Files.isExecutable(BFDD);
    }

    /// zebra and bgpd (with `bgpdConfig`) in `host`; returns once bgpd's vty socket is there.
    public static Frr start(Netns.Host host, Path dir, String bgpdConfig) {
        return start(host, dir, bgpdConfig, "");
    }

    /// The same with bfdd on `bfddConfig` too, unless it is empty (for `neighbor X bfd` in bgpd,
    /// which registers its peers with bfdd through zebra).
    public static Frr start(Netns.Host host, Path dir, String bgpdConfig, String bfddConfig) {
        var frr = new Frr(host, dir, bgpdConfig);
        try {
            Files.createDirectories(dir);
            // every directory above must let user frr through (a JUnit @TempDir is 0700)
            for (var d = dir; d != null && !d.equals(d.getRoot()); d = d.getParent()) {
                if (d.startsWith(Path.of("/tmp")) && !d.equals(Path.of("/tmp"))) {
                    Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
                }
            }
            Files.writeString(dir.resolve("zebra.conf"), "");
            Netns.run("chown", "-R", "frr:frr", dir.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        frr.zebra = host.start(dir.resolve("zebra.log"), ZEBRA.toString(), "-u", "frr", "-g", "frr", "-f",
                dir.resolve("zebra.conf").toString(), "-i", dir.resolve("zebra.pid").toString(), "-z",
                dir.resolve("zserv.api").toString(), "--vty_socket", dir.toString());
        if (!Netns.await(Duration.ofSeconds(30), () -> Files.exists(dir.resolve("zserv.api")))) {
            throw new IllegalStateException("zebra did not start in " + host.name() + ": " + frr.log("zebra.log"));
        }
        if (!bfddConfig.isEmpty()) {
            frr.startBfdd(bfddConfig);
        }
        frr.startBgpd();
        return frr;
    }

    /// (Re)starts bgpd on its configuration file, as written at the start (what the agent changed
    /// at run time is gone, as after a restart of the real daemon).
    public void startBgpd() {
        try {
            Files.writeString(dir.resolve("bgpd.conf"), bgpdConfig);
            Netns.run("chown", "frr:frr", dir.resolve("bgpd.conf").toString());
            Files.deleteIfExists(dir.resolve("bgpd.vty"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        bgpd = host.start(dir.resolve("bgpd.log"), BGPD.toString(), "-u", "frr", "-g", "frr", "-f",
                dir.resolve("bgpd.conf").toString(), "-i", dir.resolve("bgpd.pid").toString(), "-z",
                dir.resolve("zserv.api").toString(), "--vty_socket", dir.toString(), "-p", "179");
        if (!Netns.await(Duration.ofSeconds(30), () -> Files.exists(bgpd()))) {
            throw new IllegalStateException("bgpd did not start in " + host.name() + ": " + log("bgpd.log"));
        }
    }

    private void startBfdd(String config) {
        try {
            Files.writeString(dir.resolve("bfdd.conf"), config);
            Netns.run("chown", "frr:frr", dir.resolve("bfdd.conf").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // its control socket defaults to /var/run/frr/bfdd.sock, shared by every namespace
        bfdd = host.start(dir.resolve("bfdd.log"), BFDD.toString(), "-u", "frr", "-g", "frr", "-f",
                dir.resolve("bfdd.conf").toString(), "-i", dir.resolve("bfdd.pid").toString(), "-z",
                dir.resolve("zserv.api").toString(), "--vty_socket", dir.toString(), "--bfdctl",
                dir.resolve("bfdd.sock").toString());
        if (!Netns.await(Duration.ofSeconds(30), () -> Files.exists(dir.resolve("bfdd.vty")))) {
            throw new IllegalStateException("bfdd did not start in " + host.name() + ": " + log("bfdd.log"));
        }
    }

    public void stopBgpd() {
        Netns.stop(bgpd, Duration.ofSeconds(10));
    }

    /// bgpd's vty socket.
    public Path bgpd() {
        return dir.resolve("bgpd.vty");
    }

    /// One `vtysh -c` command's output.
    public String vtysh(String command) {
        return host.exec("vtysh", "--vty_socket", dir.toString(), "-c", command).output();
    }

    private String log(String name) {
        try {
            return Files.readString(dir.resolve(name));
        } catch (IOException e) {
            return "(no " + name + ")";
        }
    }

    @Override
    public void close() {
        if (bgpd != null) {
            Netns.stop(bgpd, Duration.ofSeconds(10));
        }
        if (bfdd != null) {
            Netns.stop(bfdd, Duration.ofSeconds(10));
        }
        if (zebra != null) {
            Netns.stop(zebra, Duration.ofSeconds(10));
        }
    }
}
