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
        return start(host, dir, name, config, new String[0]);
    }

    /// [#start(Netns.Host, Path, String, String)] with more `run` options (`--control-group G`).
    public static PharosAgent start(Netns.Host host, Path dir, String name, String config, String... runOptions) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(name + ".conf"), config, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return restart(host, dir, name, runOptions);
    }

    /// Starts an agent on the configuration file a previous one left (`dir/name.conf`).
    public static PharosAgent restart(Netns.Host host, Path dir, String name, String... runOptions) {
        var conf = dir.resolve(name + ".conf");
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-XX:+UseSerialGC", "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                "dev.pharos.agent.cli.Main", "run", "-f", conf.toString(),
                "--control-socket", dir.resolve(name + ".sock").toString(),
                "--state-dir", dir.resolve(name + ".state").toString()));
        command.addAll(List.of(runOptions));
        var p = host.start(dir.resolve(name + ".log"), command.toArray(String[]::new));
        return new PharosAgent(dir, name, p);
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
