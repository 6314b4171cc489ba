package dev.pharos.testing.vm;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/// Debian's kernel for the guest, with IPVS as modules: the versioned package that
/// `linux-image-amd64` depends on, downloaded once with `apt-get download`, unpacked with
/// `dpkg-deb -x` and indexed with `depmod` (busybox's, since the host may lack kmod) into a cache
/// directory that outlives the run — `/var/cache/pharos-vm/<package>/` unless the system property
/// `pharos.vm.cache` or the environment variable `PHAROS_VM_CACHE` names another. Where apt cannot
/// answer (offline), a kernel already in the cache is used.
///
/// @param release   `uname -r` in the guest (`6.1.0-57-amd64`)
/// @param vmlinuz   the kernel image
/// @param root      the unpacked package; its `lib/modules/<release>` holds the modules and `modules.dep`
record GuestKernel(String release, Path vmlinuz, Path root) {

    static final Path DEFAULT_CACHE = Path.of("/var/cache/pharos-vm");
    private static final Pattern VERSIONED = Pattern.compile("Depends: (linux-image-(\\d[^\\s]*-amd64))");
    private static final Duration TOOL_DEADLINE = Duration.ofMinutes(5);

    /// Where the modules of this release are, as `modprobe` looks for them.
    Path modules() {
        return root.resolve("lib/modules").resolve(release);
    }

    /// The module files `names` need, each after the modules it depends on, as `modules.dep` says.
    /// A name missing from `modules.dep` must be built into the kernel (`modules.builtin`).
    List<Path> withDependencies(List<String> names) throws IOException {
        var deps = new HashMap<String, List<String>>();
        for (var line : Files.readAllLines(modules().resolve("modules.dep"))) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                var rest = line.substring(colon + 1).trim();
                deps.put(line.substring(0, colon), rest.isEmpty() ? List.of() : List.of(rest.split("\\s+")));
            }
        }
        var builtin = Files.readString(modules().resolve("modules.builtin"));
        var ordered = new LinkedHashSet<String>();
        for (var name : names) {
            var file = deps.keySet().stream().filter(k -> moduleName(k).equals(name)).findFirst();
            if (file.isPresent()) {
                addInOrder(file.get(), deps, ordered);
            } else if (!builtin.contains("/" + name + ".ko")) {
                throw new IOException("the guest kernel " + release + " has no module " + name);
            }
        }
        return ordered.stream().map(modules()::resolve).toList();
    }

    private static void addInOrder(String module, Map<String, List<String>> deps, Set<String> ordered) {
        if (ordered.contains(module)) {
            return;
        }
        for (var dep : deps.getOrDefault(module, List.of())) {
            addInOrder(dep, deps, ordered);
        }
        ordered.add(module);
    }

    static String moduleName(String path) {
        var file = path.substring(path.lastIndexOf('/') + 1);
        return file.substring(0, file.indexOf(".ko"));
    }

    /// The cache directory tests use.
    static Path cacheDirectory() {
        var property = System.getProperty("pharos.vm.cache");
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        var env = System.getenv("PHAROS_VM_CACHE");
        return env != null && !env.isBlank() ? Path.of(env) : DEFAULT_CACHE;
    }

    /// The kernel in `cache`, fetched and unpacked first if it is not there yet.
    ///
    /// @throws VmUnavailable when there is no kernel and apt cannot supply one, saying why
    static GuestKernel prepare(Path cache) throws VmUnavailable, InterruptedException {
        var wanted = versionedPackage();
        if (wanted.isPresent()) {
            var dir = cache.resolve(wanted.get());
            var ready = readyIn(dir);
            if (ready.isPresent()) {
                return ready.get();
            }
            return unpack(cache, wanted.get());
        }
        // apt does not know (offline, or not Debian): any kernel unpacked before will do
        try (Stream<Path> dirs = Files.list(cache)) {
            for (var dir : dirs.sorted().toList().reversed()) {
                var ready = readyIn(dir);
                if (ready.isPresent()) {
                    return ready.get();
                }
            }
        } catch (IOException e) {
            // no cache either: said below
        }
        throw new VmUnavailable("no guest kernel: 'apt-cache depends linux-image-amd64' names no versioned "
                + "package and " + cache + " holds no unpacked kernel");
    }

    private static Optional<String> versionedPackage() throws InterruptedException {
        try {
            var out = Tool.run(Path.of("/"), TOOL_DEADLINE, "apt-cache", "depends", "linux-image-amd64");
            var m = VERSIONED.matcher(out);
            return m.find() ? Optional.of(m.group(1)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<GuestKernel> readyIn(Path dir) {
        var marker = dir.resolve("ready");
        if (!Files.isRegularFile(marker)) {
            return Optional.empty();
        }
        try {
            var release = Files.readString(marker, StandardCharsets.UTF_8).trim();
            return Optional.of(new GuestKernel(release, dir.resolve("boot/vmlinuz-" + release), dir));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /// Downloads and unpacks `pkg` beside its final place, then renames it there, so that an
    /// interrupted run or a concurrent one never leaves a half-unpacked kernel marked ready.
    private static GuestKernel unpack(Path cache, String pkg) throws VmUnavailable, InterruptedException {
        Path work = null;
        try {
            Files.createDirectories(cache);
            work = Files.createTempDirectory(cache, ".unpack-");
            Tool.run(work, TOOL_DEADLINE, "apt-get", "download", "-qq", pkg);
            Path deb;
            try (Stream<Path> files = Files.list(work)) {
                deb = files.filter(f -> f.getFileName().toString().endsWith(".deb")).findFirst()
                        .orElseThrow(() -> new IOException("apt-get download " + pkg + " left no .deb"));
            }
            var root = work.resolve("root");
            Tool.run(work, TOOL_DEADLINE, "dpkg-deb", "-x", deb.toString(), root.toString());
            Files.delete(deb);
            String release;
            try (Stream<Path> releases = Files.list(root.resolve("lib/modules"))) {
                release = releases.findFirst().orElseThrow(() -> new IOException(pkg + " holds no modules"))
                        .getFileName().toString();
            }
            Tool.run(work, TOOL_DEADLINE, Tool.busybox().toString(), "depmod", "-b", root.toString(), release);
            Files.writeString(root.resolve("ready"), release + "\n", StandardCharsets.UTF_8);
            var target = cache.resolve(pkg);
            try {
                Files.move(root, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException | AtomicMoveNotSupportedException e) {
                // another run got there first; its copy is as good
            }
            return readyIn(target).orElseThrow(() -> new IOException(target + " is not a complete kernel"));
        } catch (IOException e) {
            throw new VmUnavailable("could not fetch the guest kernel " + pkg + " into " + cache + ": "
                    + e.getMessage());
        } finally {
            if (work != null) {
                Tool.deleteTree(work);
            }
        }
    }

    /// Runs the host tools the harness needs, with a deadline.
    static final class Tool {

        private Tool() {
        }

        static Path busybox() throws IOException {
            for (var candidate : List.of("/bin/busybox", "/usr/bin/busybox")) {
                var p = Path.of(candidate);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
            throw new IOException("busybox is not installed (apt-get install busybox-static)");
        }

        static String run(Path dir, Duration deadline, String... command) throws IOException, InterruptedException {
            var log = Files.createTempFile("pharos-vm-tool", ".log");
            try {
                var p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                        .redirectOutput(log.toFile()).redirectInput(Redirect.from(Path.of("/dev/null").toFile())).start();
                if (!p.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly().waitFor();
                    throw new IOException(String.join(" ", command) + " took longer than " + deadline);
                }
                var out = Files.readString(log, StandardCharsets.UTF_8);
                if (p.exitValue() != 0) {
                    throw new IOException(String.join(" ", command) + " exited with " + p.exitValue() + ": "
                            + out.strip());
                }
                return out;
            } finally {
                Files.deleteIfExists(log);
            }
        }

        static void deleteTree(Path dir) {
            try (Stream<Path> all = Files.walk(dir)) {
                var paths = new ArrayList<>(all.toList());
                for (var p : paths.reversed()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                // a temporary directory left behind is not worth failing a test for
            }
        }
    }
}
