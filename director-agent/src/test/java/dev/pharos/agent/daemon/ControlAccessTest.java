package dev.pharos.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pharos.agent.api.AgentState;
import dev.pharos.agent.api.JsonRpc;
import dev.pharos.agent.api.Params;
import dev.pharos.agent.api.Protocol;
import dev.pharos.agent.api.Results;
import dev.pharos.agent.control.ControlClient;
import dev.pharos.testing.Netns;
import dev.pharos.testing.PharosAgent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/// Who may do what on the control channel, end to end: a real agent with `--control-group
/// nogroup`, root's client in this JVM (admin) and a client running as `nobody` (operator).
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ControlAccessTest {

    static final Duration CALL = Duration.ofSeconds(20);

    /// A client that runs as another user: sends each line of a file, prints each answer line.
    static final String OPERATOR_CLIENT = """
            import java.io.*;
            import java.net.UnixDomainSocketAddress;
            import java.nio.channels.*;
            import java.nio.charset.StandardCharsets;
            import java.nio.file.*;

            public class OperatorClient {
                public static void main(String[] args) throws Exception {
                    if (args[1].equals("--hold")) {
                        hold(args[0], Integer.parseInt(args[2]), Path.of(args[3]));
                        return;
                    }
                    try (var ch = SocketChannel.open(UnixDomainSocketAddress.of(args[0]))) {
                        var in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
                        var out = Channels.newOutputStream(ch);
                        for (var line : Files.readAllLines(Path.of(args[1]))) {
                            out.write((line + "\\n").getBytes(StandardCharsets.UTF_8));
                            out.flush();
                            System.out.println(in.readLine());
                        }
                    }
                }

                /// Opens `count` clients that each say hello, keeps those let in until `release` exists.
                static void hold(String socket, int count, Path release) throws Exception {
                    var held = new java.util.ArrayList<SocketChannel>();
                    int refused = 0;
                    for (int i = 0; i < count; i++) {
                        var ch = SocketChannel.open(UnixDomainSocketAddress.of(socket));
                        String line;
                        try {
                            Channels.newOutputStream(ch).write("{\\"jsonrpc\\":\\"2.0\\",\\"id\\":1,\\"method\\":\\"agent.hello\\"}\\n"
                                    .getBytes(StandardCharsets.UTF_8));
                            line = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch))).readLine();
                        } catch (IOException e) {
                            line = null; // refused and closed before the request was written
                        }
                        if (line != null && line.contains("\\"result\\"")) {
                            held.add(ch);
                        } else {
                            refused++;
                            ch.close();
                        }
                    }
                    System.out.println("held " + held.size() + " refused " + refused);
                    System.out.flush();
                    long end = System.nanoTime() + 120_000_000_000L;
                    while (!Files.exists(release) && System.nanoTime() < end) {
                        Thread.sleep(50);
                    }
                    for (var ch : held) {
                        ch.close();
                    }
                }
            }
            """;

    Path dir;
    Netns net;
    Netns.Host observer;
    PharosAgent agent;

    @BeforeAll
    void start() throws IOException {
        assumeTrue(Netns.available(), "needs root and network namespaces");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv (util-linux)");
        dir = Files.createTempDirectory("pharos-access");
        // nobody must reach the socket and read its client's files; the agent's files stay root's
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        net = Netns.create();
        var host = net.host("a", "192.0.2.1/24");
        observer = net.host("o", "192.0.2.3/24");
        agent = PharosAgent.start(host, dir, "a", ControlChannelTest.CONFIG, "--control-group", "nogroup");
        assertThat(Netns.await(Duration.ofSeconds(30), () -> Files.exists(agent.socket())))
                .as("control socket appears%n%s", agent.log()).isTrue();
        Files.writeString(dir.resolve("OperatorClient.java"), OPERATOR_CLIENT);
    }

    @AfterAll
    void stop() {
        if (agent != null) {
            agent.close();
        }
        if (net != null) {
            net.close();
        }
        if (dir != null) {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a leftover temp directory is harmless
            }
        }
    }

    /// Sends `requests` as user and group nobody/nogroup; returns the answers in order.
    List<JsonNode> asOperator(List<Map<String, Object>> requests) throws IOException {
        var lines = new ArrayList<String>();
        int id = 1;
        for (var r : requests) {
            var m = new java.util.LinkedHashMap<String, Object>(Map.of("jsonrpc", "2.0", "id", id++));
            m.putAll(r);
            lines.add(JsonRpc.mapper().writeValueAsString(m));
        }
        var file = dir.resolve("requests-" + System.nanoTime() + ".jsonl");
        Files.write(file, lines);
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var run = Netns.exec(Duration.ofSeconds(120), "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                java, "-XX:+UseSerialGC", dir.resolve("OperatorClient.java").toString(), agent.socket().toString(),
                file.toString());
        assertThat(run.exitCode()).as(run.output()).isZero();
        var answers = new ArrayList<JsonNode>();
        for (var line : run.output().lines().filter(l -> l.startsWith("{")).toList()) {
            answers.add(JsonRpc.mapper().readTree(line));
        }
        assertThat(answers).as(run.output()).hasSize(requests.size());
        return answers;
    }

    static Map<String, Object> request(String method, Object params) {
        return params == null ? Map.of("method", method) : Map.of("method", method, "params", params);
    }

    @Test
    void theGroupMayReadAndEditButNotRunCommands() throws Exception {
        String base;
        try (var c = ControlClient.connect(agent.socket())) {
            base = c.call(Protocol.STATE_GET, null, AgentState.class, CALL).revision();
        }
        var withNotify = ControlChannelTest.CONFIG.replace("    priority 150\n",
                "    priority 150\n    notify_master \"/bin/sh -c 'id > /tmp/pwned'\"\n");
        Files.writeString(dir.resolve("extra.conf"), "! nothing\n");
        var weighted = ControlChannelTest.CONFIG.replace("real_server 198.51.100.11 443 {\n        weight 1",
                "real_server 198.51.100.11 443 {\n        weight 7");
        assertThat(weighted).isNotEqualTo(ControlChannelTest.CONFIG);
        var answers = asOperator(List.of(
                request(Protocol.STATE_GET, null),
                request(Protocol.CONFIG_APPLY, new Params.ConfigApply(base, withNotify)),
                request(Protocol.CONFIG_APPLY, new Params.ConfigApply(base, ControlChannelTest.CONFIG
                        + "include extra.conf\n")),
                request(Protocol.CONFIG_VALIDATE, new Params.ConfigText("include /etc/shadow\n")),
                request(Protocol.CONFIG_APPLY, new Params.ConfigApply(base, weighted))));

        assertThat(answers.get(0).path("result").path("revision").asText()).isEqualTo(base);
        var notify = answers.get(1).path("error");
        assertThat(notify.path("code").asInt()).as("%s", answers.get(1)).isEqualTo(Protocol.Errors.NOT_PERMITTED);
        assertThat(notify.path("message").asText()).isEqualTo("changing notify_master of vrrp_instance VI_1 needs "
                + "root: ask an administrator, or use sudo director-agent ctl");
        var include = answers.get(2).path("error");
        assertThat(include.path("code").asInt()).as("%s", answers.get(2)).isEqualTo(Protocol.Errors.NOT_PERMITTED);
        assertThat(include.path("message").asText())
                .startsWith("an include the configuration file does not already have (include extra.conf at ")
                .contains("needs root");
        var shadow = answers.get(3).path("result");
        assertThat(shadow.path("valid").asBoolean(true)).as("%s", answers.get(3)).isFalse();
        assertThat(shadow.path("diagnostics").get(0).path("message").asText()).startsWith("include /etc/shadow refused");
        assertThat(answers.get(3).toString()).doesNotContain("root:").doesNotContain("daemon:");
        var applied = answers.get(4).path("result");
        assertThat(applied.path("revision").asText()).as("%s", answers.get(4)).isNotEmpty().isNotEqualTo(base);

        var written = Files.readString(agent.configFile());
        assertThat(written).doesNotContain("notify_master").contains("weight 7");
        assertThat(agent.awaitLog(Duration.ofSeconds(10), "(user nobody, group nogroup, operator): refused config.apply"))
                .as(agent.log()).isTrue();

        // root may what the group may not
        try (var c = ControlClient.connect(agent.socket())) {
            var now = c.call(Protocol.STATE_GET, null, AgentState.class, CALL).revision();
            var adminNotify = weighted.replace("    priority 150\n", "    priority 150\n    notify_master /bin/true\n");
            var r = c.call(Protocol.CONFIG_APPLY, new Params.ConfigApply(now, adminNotify), Results.Applied.class, CALL);
            assertThat(r.revision()).isNotEqualTo(now);
            assertThat(Files.readString(agent.configFile())).contains("notify_master /bin/true");
            // and put it back, so the class's other test sees the plain configuration
            c.call(Protocol.CONFIG_APPLY, new Params.ConfigApply(r.revision(), ControlChannelTest.CONFIG),
                    Results.Applied.class, CALL);
        }
    }

    @Test
    void oneOperatorsClientsCannotLockOthersOut() throws Exception {
        // Before, one member of the group could hold every one of the 1,024 places.
        var log = dir.resolve("hold.log");
        var release = dir.resolve("release");
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var holder = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", java,
                "-XX:+UseSerialGC", dir.resolve("OperatorClient.java").toString(), agent.socket().toString(), "--hold",
                "70", release.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            assertThat(Netns.await(Duration.ofSeconds(60), () -> {
                try {
                    return Files.readString(log).contains("held ");
                } catch (IOException e) {
                    return false;
                }
            })).as("the holder reports%n%s", readOrEmpty(log)).isTrue();
            assertThat(Files.readString(log)).contains("held 64 refused 6");
            try (var c = ControlClient.connect(agent.socket())) {
                assertThat(c.call(Protocol.HELLO, null, CALL).path("protocolVersion").asInt()).isEqualTo(Protocol.VERSION);
            }
            assertThat(agent.awaitLog(Duration.ofSeconds(10), "(user nobody, group nogroup, operator): refused, this user has 64"))
                    .as(agent.log()).isTrue();
        } finally {
            Files.writeString(release, "");
            if (!holder.waitFor(30, TimeUnit.SECONDS)) {
                holder.destroyForcibly();
            }
        }
    }

    @Test
    void includesSentThroughTheChannelStayInTheConfigurationsTree() throws Exception {
        // /dev/zero once grew the heap until the master's adverts stopped; /etc/shadow came back
        // line by line in the diagnostics. Both are refused at once, as root too.
        var fifo = dir.resolve("pipe.conf");
        Files.deleteIfExists(fifo);
        assertThat(Netns.exec(Duration.ofSeconds(10), "mkfifo", fifo.toString()).exitCode()).isZero();
        try (var c = ControlClient.connect(agent.socket())) {
            for (var text : List.of("include /dev/zero\n", "include /etc/shadow\n", "include ../../etc/shadow\n",
                    "include pipe.conf\n")) {
                var v = c.call(Protocol.CONFIG_VALIDATE, new Params.ConfigText(text), Results.Validation.class, CALL);
                assertThat(v.valid()).as(text).isFalse();
                assertThat(v.diagnostics()).as(text).singleElement().satisfies(d -> {
                    assertThat(d.line()).isEqualTo(1);
                    assertThat(d.column()).isEqualTo(9);
                    assertThat(d.message()).doesNotContain("root:");
                    assertThat(d.message()).containsAnyOf("refused: a configuration sent through the control channel "
                            + "may include only files inside " + dir.toRealPath(), "is not a regular file");
                });
            }
            // still serving, and VI_1 (re)gains or keeps mastership (another test's apply restarts it)
            assertThat(Netns.await(Duration.ofSeconds(30), () -> {
                try {
                    return c.call(Protocol.STATE_GET, null, AgentState.class, CALL).vrrp().getFirst().state()
                            .equals("MASTER");
                } catch (IOException | dev.pharos.agent.api.RpcException e) {
                    return false;
                }
            })).as(agent.log()).isTrue();
        }
        assertThat(agent.alive()).isTrue();
    }

    @Test
    void configurationWorkDoesNotStallTheAdverts() throws Exception {
        // Sixteen clients each asking at once to check a configuration that includes a large file
        // (3 MB for half of them, 1.5 MB for the others) once held every parse in memory together:
        // the 128 MB agent ran out of heap, answered none within a minute, and the master's adverts
        // stopped for seconds (4.4 s: a split brain where a backup listens). Now a client's parse
        // may read 1/64 of the heap (2 MiB here: the 3 MB include is refused at once) and one
        // parse runs at a time; the others wait, or are told the agent is busy.
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/tcpdump")), "needs tcpdump");
        Files.writeString(dir.resolve("big.conf"), virtualServerOf(3_000_000));
        Files.writeString(dir.resolve("medium.conf"), virtualServerOf(1_500_000));
        var capture = dir.resolve("adverts.txt");
        var tcpdump = observer.start(capture, "/usr/bin/tcpdump", "-i", "eth0", "-n", "-tt", "-l",
                "ip proto 112 and src 192.0.2.1");
        var outcomes = new java.util.concurrent.ConcurrentLinkedQueue<String>();
        var threads = new ArrayList<Thread>();
        long start = System.nanoTime();
        for (int i = 0; i < 16; i++) {
            var text = ControlChannelTest.CONFIG + (i % 2 == 0 ? "include big.conf\n" : "include medium.conf\n");
            threads.add(Thread.ofPlatform().name("validate-" + i).start(() -> {
                try (var c = ControlClient.connect(agent.socket())) {
                    var v = c.call(Protocol.CONFIG_VALIDATE, new Params.ConfigText(text), Results.Validation.class,
                            Duration.ofSeconds(60));
                    outcomes.add(v.valid() ? "valid" : v.diagnostics().getFirst().message().contains("would exceed")
                            ? "too large" : "invalid " + v.diagnostics());
                } catch (dev.pharos.agent.api.RpcException e) {
                    outcomes.add("error " + e.error().code());
                } catch (IOException e) {
                    outcomes.add("io " + e.getMessage());
                }
            }));
        }
        for (var t : threads) {
            t.join(Duration.ofSeconds(120));
        }
        // keep watching a little after the last answer: a collector pause may come late
        var end = System.nanoTime() + 3_000_000_000L;
        assertThat(Netns.await(Duration.ofSeconds(10), () -> System.nanoTime() > end)).isTrue();
        Netns.stop(tcpdump, Duration.ofSeconds(5));
        double seconds = (System.nanoTime() - start) / 1e9;

        var times = new ArrayList<Double>();
        var line = java.util.regex.Pattern.compile("^(\\d+\\.\\d+) IP 192\\.0\\.2\\.1 > 224\\.0\\.0\\.18: VRRPv2");
        for (var l : Files.readAllLines(capture)) {
            var m = line.matcher(l);
            if (m.find()) {
                times.add(Double.parseDouble(m.group(1)));
            }
        }
        double worst = 0;
        for (int i = 1; i < times.size(); i++) {
            worst = Math.max(worst, times.get(i) - times.get(i - 1));
        }
        System.out.printf("16 x config.validate including 3 or 1.5 MB: %s in %.1f s; %d adverts, largest gap %.3f s%n",
                outcomes, seconds, times.size(), worst);
        assertThat(agent.alive()).as(agent.log()).isTrue();
        assertThat(outcomes).as("%s", outcomes).hasSize(16)
                .allMatch(o -> o.equals("valid") || o.equals("too large") || o.equals("error " + Protocol.Errors.BUSY))
                .contains("valid", "too large");
        assertThat(times.size()).as("adverts seen over %.1f s", seconds).isGreaterThanOrEqualTo((int) seconds - 2);
        assertThat(worst).as("largest gap between adverts (advert_int 1 s), s").isLessThan(2.0);
    }

    private static String virtualServerOf(int bytes) {
        var b = new StringBuilder("virtual_server 192.0.2.100 8080 {\n    protocol TCP\n");
        for (int port = 1; b.length() < bytes; port++) {
            for (int host = 1; host <= 254 && b.length() < bytes; host++) {
                b.append("    real_server 198.51.100.").append(host).append(' ').append(port)
                        .append(" {\n        weight 1\n    }\n");
            }
        }
        return b.append("}\n").toString();
    }

    private static String readOrEmpty(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }
}
