package dev.pharos.testing.vm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/// A throw-away virtual machine that runs a shell script on a real kernel with IPVS: QEMU's TCG
/// (this host's `/dev/kvm` cannot boot a stock kernel) boots Debian's kernel ([GuestKernel]) with
/// a busybox initramfs that mounts the host's root read-only over 9p and runs the script
/// `chroot`ed into it, so the guest has the host's JDK, ipvsadm and iproute2 and the build's
/// classes. `/tmp` and `/run` are fresh tmpfs; the script's directory `/tmp/pharos-vm` is a
/// writable share that carries its files in and its output out.
///
/// Every run boots anew: nothing a script does outlives it. QEMU is killed (by its PID) when the
/// run's deadline passes, and the run's files are removed.
public final class Vm {

    /// Where the script runs in the guest.
    public static final String GUEST_DIR = "/tmp/pharos-vm";

    /// Where the guest sees a path of the host: as it is, except under `/tmp`, which is the
    /// guest's own (the host's is under `/run/host-tmp`): a build cloned into `/tmp` (as CI may
    /// do) has its classes there.
    public static String guestPath(String hostPath) {
        return hostPath.startsWith("/tmp/") ? "/run/host-tmp/" + hostPath.substring("/tmp/".length()) : hostPath;
    }

    /// The modules the initramfs loads before it can mount the host's root; `crc32c_generic`
    /// is what IPVS's `libcrc32c` asks for, and the module loader could not find it later.
    private static final List<String> EARLY_MODULES = List.of("virtio_pci", "9pnet_virtio", "netfs", "9p",
            "crc32c_generic");

    private static Vm prepared;
    private static String unavailable;

    private final Path qemu;
    private final GuestKernel kernel;
    private final byte[] initramfs;

    private Vm(Path qemu, GuestKernel kernel, byte[] initramfs) {
        this.qemu = qemu;
        this.kernel = kernel;
        this.initramfs = initramfs;
    }

    /// The machine, or the test is skipped (a JUnit assumption) saying what is missing.
    public static synchronized Vm require() {
        if (prepared == null && unavailable == null) {
            try {
                prepared = prepare();
            } catch (VmUnavailable e) {
                unavailable = e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                unavailable = "interrupted while preparing the guest";
            }
        }
        Assumptions.assumeTrue(prepared != null, () -> "no virtual machine for the kernel IPVS tests: " + unavailable);
        return prepared;
    }

    private static Vm prepare() throws VmUnavailable, InterruptedException {
        var qemu = onPath("qemu-system-x86_64").orElseThrow(
                () -> new VmUnavailable("qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)"));
        Path busybox;
        try {
            busybox = GuestKernel.Tool.busybox();
        } catch (IOException e) {
            throw new VmUnavailable(e.getMessage());
        }
        var kernel = GuestKernel.prepare(GuestKernel.cacheDirectory());
        try {
            return new Vm(qemu, kernel, initramfs(kernel, busybox));
        } catch (IOException e) {
            throw new VmUnavailable("could not build the initramfs: " + e.getMessage());
        }
    }

    private static Optional<Path> onPath(String command) {
        for (var dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            var p = Path.of(dir, command);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /// The guest kernel's release (`uname -r`).
    public String kernelRelease() {
        return kernel.release();
    }

    /// The guest's paths of the module files `names` need, each after the ones it depends on, for
    /// a script to `insmod` in order (with `/bin/busybox insmod`: the chroot's own `modprobe`
    /// looks under the host's `/lib/modules`), so a script loads what it needs up front rather
    /// than count on the kernel's loader finding each module by alias.
    public List<String> modules(String... names) {
        try {
            return kernel.withDependencies(List.of(names)).stream()
                    .map(p -> guestPath(p.toAbsolutePath().toString())).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /// Boots the guest, runs `script` (with `sh`, in [#GUEST_DIR], where `files` are written
    /// first) and powers off. The result holds what the script wrote to stdout and stderr and its
    /// exit status.
    ///
    /// @throws IllegalStateException when the run passes `deadline` or the guest did not run the script
    public GuestRun run(String script, Map<String, String> files, Duration deadline) {
        Path dir = null;
        Process process = null;
        var started = System.nanoTime();
        try {
            dir = Files.createTempDirectory("pharos-vm");
            var share = Files.createDirectory(dir.resolve("share"));
            for (var f : files.entrySet()) {
                Files.writeString(share.resolve(f.getKey()), f.getValue(), StandardCharsets.UTF_8);
            }
            Files.writeString(share.resolve("script.sh"), script, StandardCharsets.UTF_8);
            var initrd = Files.write(dir.resolve("initrd.cpio"), initramfs);
            var console = dir.resolve("console.log");
            var command = List.of(qemu.toString(), "-machine", "q35,accel=tcg", "-cpu", "max", "-m", "2048",
                    "-smp", "2", "-nographic", "-no-reboot", "-nic", "none",
                    "-kernel", kernel.vmlinuz().toString(), "-initrd", initrd.toString(),
                    "-append", "console=ttyS0 panic=-1 quiet loglevel=4 mitigations=off tsc=reliable",
                    "-virtfs", "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap",
                    "-virtfs", "local,path=" + share + ",mount_tag=work,security_model=none,multidevs=remap");
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(console.toFile())
                    .redirectInput(Redirect.from(Path.of("/dev/null").toFile())).start();
            if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("the guest ran longer than " + deadline + "; its console:\n"
                        + tail(console) + "\nthe script's output so far:\n" + read(share.resolve("output")));
            }
            var elapsed = Duration.ofNanos(System.nanoTime() - started);
            var exit = share.resolve("exit");
            if (!Files.exists(exit)) {
                throw new IllegalStateException("the guest did not run the script (QEMU exited with "
                        + process.exitValue() + "); its console:\n" + tail(console));
            }
            var results = new LinkedHashMap<String, String>();
            try (var listing = Files.list(share)) {
                for (var f : listing.toList()) {
                    if (Files.isRegularFile(f)) {
                        results.put(f.getFileName().toString(), read(f));
                    }
                }
            }
            return new GuestRun(read(share.resolve("output")), Integer.parseInt(read(exit).strip()),
                    Double.parseDouble(read(share.resolve("boot-seconds")).strip().split("\\s+")[0]), elapsed,
                    results, read(console));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the guest ran", e);
        } finally {
            if (process != null && process.isAlive()) {
                // by its PID, as Process does; QEMU has no children of its own here
                process.destroyForcibly();
                try {
                    process.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (dir != null) {
                GuestKernel.Tool.deleteTree(dir);
            }
        }
    }

    /// What a run left.
    ///
    /// @param output      the script's stdout and stderr
    /// @param exitCode    the script's exit status
    /// @param bootSeconds the guest's uptime when the script started
    /// @param elapsed     from QEMU's start to its exit, as the host saw it
    /// @param files       the files in the script's directory at the end, by name
    /// @param console     the guest's serial console (kernel messages, init's complaints)
    public record GuestRun(String output, int exitCode, double bootSeconds, Duration elapsed, Map<String, String> files,
            String console) {
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }

    private static String tail(Path file) throws IOException {
        var text = read(file);
        return text.length() <= 4000 ? text : text.substring(text.length() - 4000);
    }

    private static byte[] initramfs(GuestKernel kernel, Path busybox) throws IOException {
        var cpio = new Cpio();
        for (var d : List.of("bin", "sbin", "dev", "proc", "sys", "host", "lib", "modules")) {
            cpio.directory(d);
        }
        cpio.characterDevice("dev/console", 0600, 5, 1);
        cpio.file("bin/busybox", 0755, Files.readAllBytes(busybox));
        cpio.symlink("bin/sh", "busybox");
        // The kernel runs /sbin/modprobe from the initramfs's root (init never leaves it): busybox
        // finds the modules through the host's root, where the cache holds them.
        cpio.symlink("sbin/modprobe", "/bin/busybox");
        cpio.symlink("lib/modules", "/host" + kernel.root().toAbsolutePath().resolve("lib/modules"));
        var loads = new ArrayList<String>();
        int n = 0;
        for (var module : kernel.withDependencies(EARLY_MODULES)) {
            var name = String.format("modules/%02d-%s.ko", n++, GuestKernel.moduleName(module.toString()));
            cpio.file(name, 0644, Files.readAllBytes(module));
            loads.add("insmod /" + name);
        }
        cpio.file("init", 0755, initScript(loads).getBytes(StandardCharsets.UTF_8));
        return cpio.finish();
    }

    private static String initScript(List<String> loads) {
        return """
                #!/bin/busybox sh
                /bin/busybox --install -s /bin
                export PATH=/bin:/sbin
                mount -t proc proc /proc
                mount -t sysfs sys /sys
                mount -t devtmpfs dev /dev
                %s
                fail() { echo "pharos-vm init: $*" >/dev/console; reboot -f; }
                mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose hostroot /host \\
                    || fail "could not mount the host's root"
                mount -t tmpfs -o mode=755 run /host/run
                # the host's /tmp (a build cloned there) stays readable under /run/host-tmp
                mkdir -p /host/run/host-tmp
                mount -o bind /host/tmp /host/run/host-tmp
                mount -t tmpfs -o mode=1777 tmp /host/tmp
                mount -t proc proc /host/proc
                mount -t sysfs sys /host/sys
                mount -t devtmpfs dev /host/dev
                mkdir -p /host/dev/shm /host/dev/pts
                mount -t tmpfs -o mode=1777 shm /host/dev/shm
                mkdir -p /host%2$s
                mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 work /host%2$s \\
                    || fail "could not mount the work share"
                echo /sbin/modprobe > /proc/sys/kernel/modprobe
                hostname pharos-vm
                cat /proc/uptime > /host%2$s/boot-seconds
                chroot /host /bin/sh -c 'ip link set lo up; cd %2$s && exec /bin/sh ./script.sh' \\
                    > /host%2$s/output 2>&1 < /dev/null
                echo $? > /host%2$s/exit
                sync
                umount /host%2$s
                reboot -f
                """.formatted(String.join("\n", loads), GUEST_DIR);
    }
}
