package dev.pharos.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/// A throw-away test network: network namespaces joined by one bridge, built with `ip` and
/// always removed by [#close()] (and by a shutdown hook if a test run dies before that).
///
/// Names are unique per run (`ph<pid36><n>…`) so parallel runs and leftovers of a crashed run never
/// collide. Processes started with [#start] are ended by PID when the network closes.
///
/// ```java
/// try (var net = Netns.create()) {
///     var a = net.host("a", "192.0.2.1/24");
///     var b = net.host("b", "192.0.2.2/24");
///     a.exec("ping", "-c1", "-W1", "192.0.2.2");
/// }
/// ```
public final class Netns implements AutoCloseable {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final Set<Netns> OPEN = Collections.synchronizedSet(new LinkedHashSet<>());

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (var net : List.copyOf(OPEN)) {
                net.close();
            }
        }, "netns-cleanup"));
    }

    private final String prefix;
    private final String bridgeNs;
    private final List<Host> hosts = new ArrayList<>();
    private final List<Process> processes = Collections.synchronizedList(new ArrayList<>());
    private boolean closed;

    private Netns(String prefix) {
        this.prefix = prefix;
        this.bridgeNs = prefix + "br";
    }

    /// True when this process may build namespaces (Linux, root, `ip` present).
    public static boolean available() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return false;
        }
        try {
            var p = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
            var out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            var hasIp = Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip"))
                    || Files.isExecutable(Path.of("/usr/bin/ip"));
            return p.waitFor(10, TimeUnit.SECONDS) && out.equals("0") && hasIp;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /// A new network with a bridge (in its own namespace) that every host is plugged into.
    public static Netns create() {
        var prefix = "ph" + Long.toString(ProcessHandle.current().pid(), 36) + SEQUENCE.incrementAndGet() + "-";
        var net = new Netns(prefix);
        OPEN.add(net);
        try {
            run("ip", "netns", "add", net.bridgeNs);
            run("ip", "-n", net.bridgeNs, "link", "add", "br0", "type", "bridge");
            run("ip", "-n", net.bridgeNs, "link", "set", "br0", "up");
            run("ip", "-n", net.bridgeNs, "link", "set", "lo", "up");
        } catch (RuntimeException e) {
            net.close();
            throw e;
        }
        return net;
    }

    /// Adds a host: a namespace whose interface `ifname` (default `eth0`) is on the bridge, with
    /// the given addresses (CIDR form).
    public Host host(String name, String... cidrs) {
        return hostWithInterface(name, "eth0", cidrs);
    }

    /// As [#host(String, String...)], with the host's interface named `ifname` (e.g. `ens33`).
    public Host hostWithInterface(String name, String ifname, String... cidrs) {
        var ns = prefix + name;
        var n = hosts.size();
        var outer = prefix.substring(0, Math.min(prefix.length(), 9)) + "v" + n;
        run("ip", "netns", "add", ns);
        var host = new Host(this, ns, ifname);
        hosts.add(host);
        run("ip", "-n", ns, "link", "set", "lo", "up");
        run("ip", "link", "add", outer, "type", "veth", "peer", "name", "t" + outer);
        run("ip", "link", "set", outer, "netns", bridgeNs);
        run("ip", "link", "set", "t" + outer, "netns", ns);
        run("ip", "-n", ns, "link", "set", "t" + outer, "name", ifname);
        run("ip", "-n", bridgeNs, "link", "set", outer, "master", "br0");
        run("ip", "-n", bridgeNs, "link", "set", outer, "up");
        for (var cidr : cidrs) {
            run("ip", "-n", ns, "addr", "add", cidr, "dev", ifname);
        }
        run("ip", "-n", ns, "link", "set", ifname, "up");
        return host;
    }

    public List<Host> hosts() {
        return List.copyOf(hosts);
    }

    /// Removes every namespace of this network and ends every process started in it.
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (var p : List.copyOf(processes)) {
            stop(p, Duration.ofSeconds(5));
        }
        for (var host : hosts) {
            // Anything still running inside (a server a test forgot) is ended by PID first.
            var pids = tryRun("ip", "netns", "pids", host.name());
            for (var line : pids.lines().toList()) {
                if (!line.isBlank()) {
                    ProcessHandle.of(Long.parseLong(line.trim())).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            tryRun("ip", "netns", "del", host.name());
        }
        tryRun("ip", "netns", "del", bridgeNs);
        OPEN.remove(this);
    }

    /// Ends a process by PID: SIGTERM, then SIGKILL after `grace`.
    public static void stop(Process p, Duration grace) {
        if (!p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
    }

    /// Runs a command to completion (60 s at most) and returns its standard output; throws with
    /// the command's output if it fails.
    public static String run(String... command) {
        var result = exec(Duration.ofSeconds(60), command);
        if (result.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited " + result.exitCode() + ": " + result.output());
        }
        return result.output();
    }

    static String tryRun(String... command) {
        return exec(Duration.ofSeconds(30), command).output();
    }

    /// Runs a command with a deadline; stdout and stderr merged.
    public static Result exec(Duration deadline, String... command) {
        try {
            var p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            var bytes = new java.io.ByteArrayOutputStream();
            var reader = Thread.ofPlatform().name("exec-reader").daemon().start(() -> {
                try {
                    p.getInputStream().transferTo(bytes);
                } catch (IOException ignored) {
                    // the process ended or was killed; what was read is kept
                }
            });
            if (!p.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                reader.join(2000);
                return new Result(-1, bytes.toString(StandardCharsets.UTF_8) + "\n[killed after " + deadline + "]");
            }
            reader.join(5000);
            return new Result(p.exitValue(), bytes.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(-1, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    /// Waits until `condition` holds, polling every 20 ms, for at most `deadline`.
    public static boolean await(Duration deadline, BooleanSupplier condition) {
        var end = System.nanoTime() + deadline.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return true;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return condition.getAsBoolean();
    }

    public record Result(int exitCode, String output) {
    }

    /// One namespace of the network, with its interface on the bridge.
    public record Host(Netns net, String name, String ifname) {

        /// Runs a command inside this namespace to completion (60 s at most).
        public Result exec(String... command) {
            return Netns.exec(Duration.ofSeconds(60), inside(command));
        }

        /// Starts a long-running process inside this namespace; it is ended when the network closes.
        /// Its output goes to `log`.
        public Process start(Path log, String... command) {
            try {
                var p = new ProcessBuilder(inside(command))
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .start();
                net.processes.add(p);
                return p;
            } catch (IOException e) {
                throw new IllegalStateException("cannot start " + String.join(" ", command) + ": " + e.getMessage(), e);
            }
        }

        /// Adds an interface to this host that is up but leads nowhere (a name some config expects).
        /// It is one end of a veth pair whose other end stays in the host: this kernel has no
        /// `dummy` driver.
        public void addDummy(String ifname) {
            var peer = "p" + Integer.toHexString(ifname.hashCode() & 0xfffffff);
            run("ip", "-n", name, "link", "add", ifname, "type", "veth", "peer", "name", peer);
            run("ip", "-n", name, "link", "set", peer, "up");
            run("ip", "-n", name, "link", "set", ifname, "up");
        }

        /// Addresses (without prefix length) currently on `dev` in this namespace.
        public List<String> addresses(String dev) {
            var out = tryRun("ip", "-n", name, "-o", "-4", "addr", "show", "dev", dev);
            var result = new ArrayList<String>();
            for (var line : out.lines().toList()) {
                var parts = line.trim().split("\\s+");
                for (int i = 0; i + 1 < parts.length; i++) {
                    if (parts[i].equals("inet")) {
                        result.add(parts[i + 1].substring(0, parts[i + 1].indexOf('/')));
                    }
                }
            }
            return result;
        }

        /// IPv6 addresses (without prefix length, as `ip` writes them: compressed) on `dev` in this
        /// namespace, link-local ones included.
        public List<String> addresses6(String dev) {
            var out = tryRun("ip", "-n", name, "-o", "-6", "addr", "show", "dev", dev);
            var result = new ArrayList<String>();
            for (var line : out.lines().toList()) {
                var parts = line.trim().split("\\s+");
                for (int i = 0; i + 1 < parts.length; i++) {
                    if (parts[i].equals("inet6")) {
                        result.add(parts[i + 1].substring(0, parts[i + 1].indexOf('/')));
                    }
                }
            }
            return result;
        }

        private String[] inside(String... command) {
            var full = new String[command.length + 4];
            full[0] = "ip";
            full[1] = "netns";
            full[2] = "exec";
            full[3] = name;
            System.arraycopy(command, 0, full, 4, command.length);
            return full;
        }
    }
}
