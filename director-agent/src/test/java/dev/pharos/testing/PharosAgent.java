package dev.pharos.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/// A real Pharos agent process (`director-agent run -f FILE`) in a test namespace, started from the
/// test's own class path (the jar is built after the tests run).
public final class PharosAgent implements AutoCloseable {

    private final Path dir;
    private final String name;
    private final Process process;

    private PharosAgent(Path dir, String name, Process process) {
        this.dir = dir;
        this.name = name;
        this.process = process;
    }

    public static PharosAgent start(Netns.Host host, Path dir, String name, String config) {
        return start(host, dir, name, config, Launch.DEFAULT);
    }

    /// [#start(Netns.Host, Path, String, String)] with more `run` options (`--control-group G`).
    public static PharosAgent start(Netns.Host host, Path dir, String name, String config, String... runOptions) {
        return start(host, dir, name, config, Launch.DEFAULT.withRunArguments(List.of(runOptions)));
    }

    /// Starts an agent on the configuration file a previous one left (`dir/name.conf`).
    public static PharosAgent restart(Netns.Host host, Path dir, String name) {
        return restart(host, dir, name, Launch.DEFAULT);
    }

    /// As [#start(Netns.Host, Path, String, String)], launched as `launch` says.
    public static PharosAgent start(Netns.Host host, Path dir, String name, String config, Launch launch) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(name + ".conf"), config, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return restart(host, dir, name, launch);
    }

    /// As [#restart(Netns.Host, Path, String)], launched as `launch` says.
    public static PharosAgent restart(Netns.Host host, Path dir, String name, Launch launch) {
        var conf = dir.resolve(name + ".conf");
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var command = new ArrayList<>(launch.prefix());
        command.add(java);
        command.add("--enable-native-access=ALL-UNNAMED");
        command.addAll(launch.jvmOptions());
        command.addAll(List.of("-cp", launch.classPath(), "dev.pharos.agent.cli.Main", "run", "-f", conf.toString(),
                "--control-socket", dir.resolve(name + ".sock").toString(),
                "--state-dir", dir.resolve(name + ".state").toString()));
        command.addAll(launch.runArguments());
        var p = host.start(dir.resolve(name + ".log"), command.toArray(String[]::new));
        return new PharosAgent(dir, name, p);
    }

    /// How an agent is launched: a command that runs `java` (e.g. `setpriv … --` to drop
    /// privileges; empty for none), the JVM's options, its class path (one other users can read,
    /// when `prefix` changes user) and extra `run` arguments (e.g. `--balancer userspace`).
    public record Launch(List<String> prefix, List<String> jvmOptions, String classPath, List<String> runArguments) {

        /// As root, with the test's own class path, a 128 MB heap and the serial collector.
        public static final Launch DEFAULT = new Launch(List.of(), List.of("-XX:+UseSerialGC", "-Xmx128m"),
                System.getProperty("java.class.path"), List.of());

        public Launch {
            prefix = List.copyOf(prefix);
            jvmOptions = List.copyOf(jvmOptions);
            runArguments = List.copyOf(runArguments);
        }

        public Launch withPrefix(List<String> command) {
            return new Launch(command, jvmOptions, classPath, runArguments);
        }

        public Launch withJvmOptions(List<String> options) {
            return new Launch(prefix, options, classPath, runArguments);
        }

        public Launch withClassPath(String path) {
            return new Launch(prefix, jvmOptions, path, runArguments);
        }

        public Launch withRunArguments(List<String> arguments) {
            return new Launch(prefix, jvmOptions, classPath, arguments);
        }
    }

    /// The agent's control socket.
    public Path socket() {
        return dir.resolve(name + ".sock");
    }

    /// The agent's configuration file.
    public Path configFile() {
        return dir.resolve(name + ".conf");
    }

    public Path stateDir() {
        return dir.resolve(name + ".state");
    }

    public long pid() {
        return process.pid();
    }

    public String log() {
        return new LogFile(dir.resolve(name + ".log")).read();
    }

    public boolean awaitLog(Duration deadline, String text) {
        return new LogFile(dir.resolve(name + ".log")).await(deadline, text);
    }

    public boolean alive() {
        return process.isAlive();
    }

    /// Graceful stop (SIGTERM): priority 0, VIPs removed.
    public int stop() {
        Netns.stop(process, Duration.ofSeconds(15));
        return process.isAlive() ? -1 : process.exitValue();
    }

    /// Crash (SIGKILL of the JVM, which `ip netns exec` replaced itself with).
    public void kill() {
        process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            stop();
        }
    }
}
