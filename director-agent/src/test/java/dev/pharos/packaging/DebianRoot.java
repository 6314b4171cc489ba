package dev.pharos.packaging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Assumptions;

import dev.pharos.testing.Netns;
import dev.pharos.testing.Netns.Result;

/// A fresh Debian 12 root file system for installing a package into, removed by [#close()].
///
/// Made once with `debootstrap` (minbase, plus adduser, systemd and procps: what a Debian server
/// has that the package relies on; no JDK; and keepalived, iproute2 and OpenSSH's SFTP server, the
/// keepalived director the console's "Add a director" replaces) from Debian's mirror, about 2 min,
/// and kept as a tarball in `/var/cache/pharos-debroot/`, named after the suite and the package
/// list, so a changed list makes a new one (`PHAROS_DEBROOT_CACHE` to move it,
/// `PHAROS_DEBIAN_MIRROR` for another mirror); each root after that is unpacked from it in
/// seconds. Commands run `chroot`ed in it, in a private mount namespace of their own with `/proc`
/// (the runtime's `java` finds its libraries through `/proc/self/exe`) and `/sys` mounted: the
/// mounts end with the command, so nothing outlives it on the host.
public final class DebianRoot implements AutoCloseable {

    private static final String SUITE = "bookworm";
    private static final String INCLUDE = "adduser,systemd,procps,keepalived,iproute2,openssh-sftp-server";

    private final Path dir;

    private DebianRoot(Path dir) {
        this.dir = dir;
    }

    /// A new root from the cached tarball (made first if there is none), or the test is skipped
    /// (a JUnit assumption) when this is not root or debootstrap is missing.
    public static DebianRoot create() throws IOException {
        Assumptions.assumeTrue(Netns.available(), "a Debian root needs root (chroot, mounts)");
        var tarball = tarball();
        var dir = Files.createTempDirectory("pharos-debroot");
        var root = new DebianRoot(dir);
        var untar = Netns.exec(Duration.ofMinutes(5), "tar", "-C", dir.toString(), "--numeric-owner", "-xzf",
                tarball.toString());
        if (untar.exitCode() != 0) {
            root.close();
            throw new IllegalStateException("cannot unpack " + tarball + ": " + untar.output());
        }
        return root;
    }

    /// The cached tarball of a freshly bootstrapped root.
    static Path tarball() throws IOException {
        var cache = Path.of(System.getenv().getOrDefault("PHAROS_DEBROOT_CACHE", "/var/cache/pharos-debroot"));
        // The package list is part of the name: a root cached before it changed is not used.
        var tarball = cache.resolve(SUITE + "-minbase-" + Integer.toHexString(INCLUDE.hashCode()) + ".tar.gz");
        if (Files.isRegularFile(tarball)) {
            return tarball;
        }
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/debootstrap")),
                "debootstrap is not installed (apt-get install debootstrap)");
        Files.createDirectories(cache);
        var build = Files.createTempDirectory(cache, "build");
        try {
            var mirror = System.getenv().getOrDefault("PHAROS_DEBIAN_MIRROR", "http://deb.debian.org/debian");
            var root = build.resolve("root");
            var boot = Netns.exec(Duration.ofMinutes(15), "debootstrap", "--variant=minbase", "--include=" + INCLUDE,
                    SUITE, root.toString(), mirror);
            if (boot.exitCode() != 0) {
                throw new IllegalStateException("debootstrap failed: " + tail(boot.output()));
            }
            // Downloaded packages are not part of a fresh system.
            Netns.exec(Duration.ofMinutes(1), "chroot", root.toString(), "apt-get", "clean");
            var part = build.resolve("root.tar.gz");
            var tar = Netns.exec(Duration.ofMinutes(10), "tar", "-C", root.toString(), "--numeric-owner", "-czf",
                    part.toString(), ".");
            if (tar.exitCode() != 0) {
                throw new IllegalStateException("cannot pack the root: " + tar.output());
            }
            Files.move(part, tarball);
            return tarball;
        } finally {
            remove(build);
        }
    }

    public Path dir() {
        return dir;
    }

    /// A path inside the root, as the host sees it.
    public Path path(String inside) {
        return dir.resolve(inside.startsWith("/") ? inside.substring(1) : inside);
    }

    /// Runs a command in the root to completion (within `deadline`).
    public Result exec(Duration deadline, String... command) {
        return Netns.exec(deadline, chrooted(command).toArray(String[]::new));
    }

    /// The command line that runs `command` in the root, for [Netns.Host#start] and the like.
    public List<String> chrooted(String... command) {
        var script = "mount -t proc proc \"$1/proc\" && mount -t sysfs sysfs \"$1/sys\" && root=$1 && shift && exec chroot \"$root\" \"$@\"";
        var line = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh",
                dir.toString()));
        line.addAll(List.of(command));
        return line;
    }

    @Override
    public void close() {
        remove(dir);
    }

    private static void remove(Path dir) {
        // --one-file-system: should a mount have been left inside, it is not followed.
        var rm = Netns.exec(Duration.ofMinutes(2), "rm", "-rf", "--one-file-system", dir.toString());
        if (rm.exitCode() != 0) {
            throw new UncheckedIOException(new IOException("cannot remove " + dir + ": " + rm.output()));
        }
    }

    private static String tail(String output) {
        var lines = output.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }
}
