package dev.pharos.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.pharos.agent.api.Protocol;
import dev.pharos.agent.api.Results;
import dev.pharos.agent.api.RpcException;
import dev.pharos.agent.config.ConfigEdits;
import dev.pharos.agent.config.ConfigException;
import dev.pharos.agent.config.ConfigLoader;
import dev.pharos.agent.config.KeepalivedConfig;
import dev.pharos.agent.config.VirtualServerDef;
import dev.pharos.agent.control.ControlClient;
import dev.pharos.agent.control.InMemoryChannel;
import dev.pharos.testing.Keepalived;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// Ten thousand hostile edits against a running agent (in process, on [EditTestPlatform]), mixed
/// with valid ones so the file keeps changing: every edit method and `config.apply`, every string
/// field (line breaks, quotes, braces, `#`, `!`, NUL, a megabyte, unknown names), numbers out of
/// range and of the wrong type; every 1000 edits a hand edit of the file, which the next edit must
/// not overwrite. After every edit: a refused one left the file's bytes and the revision alone, no answer is
/// an internal error, and a file that changed passes Pharos's `check-config`, real `keepalived -t`
/// (when installed) and, every [#RESTART_EVERY] edits, a fresh agent's start. The revision always
/// names what the file holds.
///
/// Seeded: `-Dpharos.fuzz.seed=N` replays a run; every failure message starts with the seed.
class HostileEditsFuzzTest {

    static final int EDITS = 10_000;
    static final int RESTART_EVERY = 500;
    static final Duration CALL = Duration.ofSeconds(30);
    /// A safety net for a machine far slower than the ones it was measured on: the loop stops
    /// there, and the test fails saying how far it got.
    static final Duration DEADLINE = Duration.ofSeconds(240);
    static final int MAX_VIRTUAL_SERVERS = 8;
    /// The share of valid edits: enough to keep the file changing, few enough that the
    /// keepalived -t run after each change (about 30 ms) keeps the test within its time.
    static final int VALID_PERCENT = 12;
    static final int MAX_REAL_SERVERS = 6;

    static final String CONFIG = """
            global_defs {
                router_id fuzz
            }
            virtual_server 192.0.2.100 80 {
                delay_loop 6
                lb_algo wrr
                lb_kind DR
                persistence_timeout 120
                protocol TCP
                real_server 198.51.100.11 80 {
                    weight 1
                    TCP_CHECK {
                        connect_timeout 3
                    }
                }
                real_server 198.51.100.12 80 {
                    weight 2
                }
            }
            virtual_server fwmark 7 {
                lb_algo rr
                lb_kind NAT
                real_server 198.51.100.21 {
                    weight 1
                }
            }
            """;

    static final String MEGABYTE = "a".repeat(1_000_000);

    /// Strings that must never reach the file as they are.
    static final List<String> HOSTILE = List.of("\n", "w\nrr}", "rr\n}\nvirtual_server 192.0.2.9 80 {", "}", "{",
            "\"", "wrr\"", "#", "!", "rr#x", "\u0000", "rr\u0000", "a b", "\t", "\r", "rr\r", "\u2028", "\u00a0",
            "\u200b", "", " ", "include /etc/passwd", "xyz", "WLCX", "${X}", "@host", "\\", "'", "$(reboot)",
            "x".repeat(300), "192.0.2.1 80", "198.51.100.11:80}", "tcp/192.0.2.100:80 {", "\ud800", "DR ", " NAT",
            "sctp\n", "-1", "1e9");

    @TempDir
    Path dir;

    long seed;
    Random random;
    Daemon daemon;
    ControlClient client;
    Path file;
    byte[] checked = new byte[0];
    int keepalivedRuns;
    int restarts;
    final Map<String, Integer> outcomes = new java.util.TreeMap<>();
    /// keepalived's remarks (addresses and numbers blanked) → the first file that drew it.
    final Map<String, String> refusedByKeepalived = new java.util.TreeMap<>();

    /// What keepalived -t says (exiting 5) about states edits make on purpose, which Pharos
    /// accepts: a virtual server just added has no real server yet (keepalived leaves it out until
    /// it has one), and draining real servers (weight 0) takes their total weight below the quorum
    /// (keepalived lowers the quorum to it, and at 0 resets the hysteresis). Every other remark —
    /// keepalived ignoring or resetting a value the file gives — fails the test.
    static final java.util.regex.Pattern ACCEPTED = java.util.regex.Pattern.compile(
            "^Virtual server .* has no real servers - ignoring$"
                    + "|^Warning - quorum [0-9]+ for .* exceeds total weight of real servers [0-9]+, reducing quorum to [0-9]+$"
                    + "|^Virtual server .*: hysteresis 0 >= quorum 0; setting hysteresis to [0-9]+$");

    @Test
    void tenThousandHostileEditsNeverBreakTheFileOrTheAgent() throws Exception {
        seed = Long.getLong("pharos.fuzz.seed", System.nanoTime());
        random = new Random(seed);
        System.out.println("HostileEditsFuzzTest seed " + seed + " (replay with -Dpharos.fuzz.seed=" + seed + ")");
        file = dir.resolve("keepalived.conf");
        Files.writeString(file, CONFIG);
        daemon = start("state");
        client = InMemoryChannel.open("fuzz", daemon.dispatcher(), daemon.events());
        var startedAt = System.nanoTime();
        int done = 0;
        try {
            for (; done < EDITS && System.nanoTime() - startedAt < DEADLINE.toNanos(); done++) {
                if (done > 0 && done % 1000 == 0) {
                    handEditIsKept(done);
                }
                oneEdit(done);
                if (done % RESTART_EVERY == RESTART_EVERY - 1) {
                    aFreshAgentStarts(done);
                }
            }
        } finally {
            client.close();
            daemon.stop();
        }
        var seconds = (System.nanoTime() - startedAt) / 1e9;
        System.out.printf("HostileEditsFuzzTest: %d edits in %.1f s; %d keepalived -t runs, %d fresh starts; %s%n", done,
                seconds, keepalivedRuns, restarts, outcomes);
        assertThat(refusedByKeepalived).as("seed %d: what keepalived -t refused in files the edits wrote", seed)
                .isEmpty();
        assertThat(done).as("seed %d: edits done before the %s deadline", seed, DEADLINE).isEqualTo(EDITS);
        assertThat(outcomes.getOrDefault("ok", 0)).as("seed %d: valid edits applied", seed).isGreaterThan(EDITS / 20);
    }

    Daemon start(String state) throws IOException, ConfigException {
        var d = new Daemon(new Daemon.Options(file, "", null, null, dir.resolve(state), null, "userspace"),
                new EditTestPlatform());
        d.start();
        return d;
    }

    void oneEdit(int n) throws Exception {
        var before = Files.readAllBytes(file);
        var revision = daemon.revision();
        var config = daemon.config();
        boolean valid = random.nextInt(100) < VALID_PERCENT;
        Call call;
        if (random.nextInt(100) < 3) {
            call = configApply(n, valid);
        } else {
            call = valid ? validEdit(config) : hostileEdit(config);
        }
        String outcome;
        try {
            client.call(call.method(), call.params(), Results.Applied.class, CALL);
            outcome = "ok";
        } catch (RpcException e) {
            int code = e.error().code();
            outcome = String.valueOf(code);
            var what = describe(n, call) + " answered " + code + " " + cut(e.error().message());
            assertThat(code).as(what).isNotEqualTo(Protocol.Errors.INTERNAL_ERROR);
            if (code == Protocol.Errors.INVALID_REQUEST) {
                // Only a config.apply text past the channel's line limit.
                assertThat(e.error().message()).as(what).contains("exceeds the limit");
            } else {
                assertThat(code).as(what).isIn(Protocol.Errors.INVALID_PARAMS, Protocol.Errors.NOT_FOUND,
                        Protocol.Errors.INVALID_CONFIG, Protocol.Errors.STALE_REVISION, Protocol.Errors.APPLY_FAILED);
            }
            if (code == Protocol.Errors.APPLY_FAILED) {
                assertThat(call.trap()).as(what + ": only the trap fails while applying").isTrue();
            }
            if (!call.method().equals(Protocol.CONFIG_APPLY)) {
                // config.apply's diagnostics are the parser's, which quote the offending token whole.
                assertThat(e.error().message().length()).as(what + ": the message is a sentence, not the payload")
                        .isLessThan(1000);
            }
            assertThat(Files.readAllBytes(file)).as(what + ": the file is untouched").isEqualTo(before);
            assertThat(daemon.revision()).as(what + ": the revision is unchanged").isEqualTo(revision);
        }
        outcomes.merge(outcome, 1, Integer::sum);
        var after = Files.readAllBytes(file);
        if (!Arrays.equals(after, before)) {
            theFileStillRuns(n, call, after);
        }
    }

    void theFileStillRuns(int n, Call call, byte[] bytes) throws Exception {
        var what = describe(n, call);
        KeepalivedConfig loaded;
        try {
            loaded = ConfigLoader.load(file, "").config();
        } catch (ConfigException e) {
            fail(what + " left a file check-config refuses:\n" + e.getMessage() + "\n" + new String(bytes,
                    StandardCharsets.UTF_8));
            return;
        }
        assertThat(ConfigStore.revision(loaded)).as(what + ": the revision names what the file holds")
                .isEqualTo(daemon.revision());
        assertThat(loaded.virtualServers()).as(what + ": the running model is the file's")
                .isEqualTo(daemon.config().virtualServers());
        if (Keepalived.installed() && !Arrays.equals(bytes, checked)) {
            var p = new ProcessBuilder("/usr/sbin/keepalived", "--config-test", "-f", file.toString())
                    .redirectErrorStream(true).start();
            var output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as(what + ": keepalived -t ends").isTrue();
            keepalivedRuns++;
            var remarks = output.lines().filter(l -> !l.isBlank() && !ACCEPTED.matcher(l).find()).toList();
            if (p.exitValue() != 0 && !remarks.isEmpty()) {
                for (var r : remarks) {
                    refusedByKeepalived.putIfAbsent(r.replaceAll("[0-9a-f.:\\[\\]]{3,}", "N"), what + ": keepalived -t on\n"
                            + new String(bytes, StandardCharsets.UTF_8) + "\nsaid\n" + output);
                }
            }
            checked = bytes;
        }
    }

    void aFreshAgentStarts(int n) throws Exception {
        try {
            var fresh = start("fresh-" + n);
            assertThat(fresh.revision()).as("seed %d, edit %d: a fresh agent runs the same revision", seed, n)
                    .isEqualTo(daemon.revision());
            fresh.stop();
            restarts++;
        } catch (ConfigException | IOException e) {
            fail("seed " + seed + ", edit " + n + ": a fresh agent does not start from the file: " + e.getMessage());
        }
    }

    /// Someone changes the file by hand: the next edit that would write is refused with
    /// CHANGED_ON_DISK and the hand edit stays; after a reload the agent edits again.
    void handEditIsKept(int n) throws Exception {
        var hand = Files.readString(file) + "! hand edit before edit " + n + "\n";
        Files.writeString(file, hand);
        var vs = daemon.config().virtualServers();
        var params = new LinkedHashMap<String, Object>();
        params.put("baseRevision", daemon.revision());
        params.put("address", "203.0.113." + (1 + random.nextInt(254)));
        params.put("port", 10_000 + n);
        try {
            client.call(Protocol.VIRTUAL_SERVER_ADD, params, Results.Applied.class, CALL);
            fail("seed " + seed + ", edit " + n + ": an edit wrote over a hand edit (" + vs.size() + " servers)");
        } catch (RpcException e) {
            assertThat(e.error().code()).as("seed %d, edit %d: %s", seed, n, e.error().message())
                    .isEqualTo(Protocol.Errors.CHANGED_ON_DISK);
        }
        assertThat(Files.readString(file)).as("seed %d, edit %d: the hand edit stays", seed, n).isEqualTo(hand);
        daemon.reload();
    }

    record Call(String method, Map<String, Object> params, String field, boolean trap) {
    }

    String describe(int n, Call call) {
        var shown = new LinkedHashMap<String, Object>();
        call.params().forEach((k, v) -> shown.put(k, v instanceof String s ? EditFields.quote(s) : v));
        return "seed " + seed + ", edit " + n + ": " + call.method() + " " + shown
                + (call.field() == null ? "" : " (hostile " + call.field() + ")");
    }

    static String cut(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }

    // ---- valid edits, from the running model ----

    Call validEdit(KeepalivedConfig c) {
        var servers = c.virtualServers();
        int choice = random.nextInt(7);
        if (servers.isEmpty() || (choice == 0 && servers.size() < MAX_VIRTUAL_SERVERS)) {
            return call(Protocol.VIRTUAL_SERVER_ADD, virtualServerAdd(), null);
        }
        var vs = servers.get(random.nextInt(servers.size()));
        var rss = vs.realServers();
        return switch (choice) {
            case 1 -> servers.size() > 2 ? call(Protocol.VIRTUAL_SERVER_REMOVE, map("virtualServer", vs.id()), null)
                    : call(Protocol.VIRTUAL_SERVER_UPDATE, virtualServerUpdate(vs.id()), null);
            case 2 -> call(Protocol.VIRTUAL_SERVER_UPDATE, virtualServerUpdate(vs.id()), null);
            case 3 -> rss.size() < MAX_REAL_SERVERS ? call(Protocol.REAL_SERVER_ADD, realServerAdd(vs), null)
                    : call(Protocol.REAL_SERVER_REMOVE, map("virtualServer", vs.id(), "realServer",
                            rss.get(random.nextInt(rss.size())).id()), null);
            case 4 -> rss.isEmpty() ? call(Protocol.REAL_SERVER_ADD, realServerAdd(vs), null)
                    : call(Protocol.REAL_SERVER_UPDATE, map("virtualServer", vs.id(), "realServer",
                            rss.get(random.nextInt(rss.size())).id(), "weight", weight(), "inhibitOnFailure",
                            random.nextBoolean()), null);
            case 5 -> rss.isEmpty() ? call(Protocol.REAL_SERVER_ADD, realServerAdd(vs), null)
                    : move(servers, vs, rss.get(random.nextInt(rss.size())).id());
            default -> rss.isEmpty() ? call(Protocol.REAL_SERVER_ADD, realServerAdd(vs), null)
                    : call(Protocol.REAL_SERVER_REMOVE, map("virtualServer", vs.id(), "realServer",
                            rss.get(random.nextInt(rss.size())).id()), null);
        };
    }

    Call move(List<VirtualServerDef> servers, VirtualServerDef from, String rs) {
        var to = servers.get(random.nextInt(servers.size()));
        var m = map("fromVirtualServer", from.id(), "realServer", rs, "toVirtualServer", to.id());
        if (to.key() instanceof VirtualServerDef.Key.Address) {
            m.put("port", 1 + random.nextInt(65535));
        }
        return call(Protocol.REAL_SERVER_MOVE, m, null);
    }

    Map<String, Object> virtualServerAdd() {
        var m = new LinkedHashMap<String, Object>();
        if (random.nextInt(4) == 0) {
            // Now and then the trap: the service table fails while applying, and the edit is undone.
            m.put("fwmark", random.nextInt(10) == 0 ? EditTestPlatform.TRAP : 1 + random.nextInt(1000));
        } else {
            m.put("address", random.nextInt(6) == 0 ? "2001:db8::" + Integer.toHexString(1 + random.nextInt(0xfffe))
                    : "192.0.2." + (1 + random.nextInt(254)));
            m.put("port", pick(0, 80, 443, 8080, 65535, random.nextInt(65536)));
            m.put("protocol", pick("TCP", "UDP", "tcp", "udp"));
        }
        if (random.nextBoolean()) {
            m.put("scheduler", pick(ConfigEdits.SCHEDULERS.toArray()));
        }
        if (random.nextBoolean()) {
            m.put("kind", pick("NAT", "DR", "TUN", "dr"));
        }
        if (random.nextBoolean()) {
            m.put("persistenceSeconds", pick(0L, 1L, 120L, 2_678_400L));
        }
        if (random.nextBoolean()) {
            m.put("delayLoopSeconds", pick(0L, 1L, 6L, 60L, 31_536_000L));
        }
        return m;
    }

    Map<String, Object> virtualServerUpdate(String id) {
        var m = map("virtualServer", id);
        if (random.nextBoolean()) {
            m.put("scheduler", pick(ConfigEdits.SCHEDULERS.toArray()));
        }
        if (random.nextBoolean()) {
            m.put("kind", pick("NAT", "DR", "TUN"));
        }
        if (random.nextBoolean()) {
            m.put("persistenceSeconds", pick(0L, 1L, 300L, 2_678_400L));
        }
        if (random.nextBoolean()) {
            m.put("delayLoopSeconds", pick(0L, 1L, 10L, 31_536_000L));
        }
        if (random.nextBoolean()) {
            m.put("quorum", pick(1, 2, 65535, Integer.MAX_VALUE));
        }
        return m;
    }

    Map<String, Object> realServerAdd(VirtualServerDef vs) {
        var m = map("virtualServer", vs.id());
        boolean six = vs.key() instanceof VirtualServerDef.Key.Address a && a.address() instanceof java.net.Inet6Address;
        m.put("address", six ? "2001:db8:1::" + Integer.toHexString(1 + random.nextInt(0xfffe))
                : "198.51.100." + (1 + random.nextInt(254)));
        if (random.nextBoolean() && vs.key() instanceof VirtualServerDef.Key.Address) {
            m.put("port", pick(1, 80, 8080, 65535));
        }
        if (random.nextBoolean()) {
            m.put("weight", weight());
        }
        if (random.nextBoolean()) {
            m.put("copyChecks", random.nextBoolean());
        }
        return m;
    }

    int weight() {
        return pick(0, 1, 2, 100, 65535);
    }

    /// `config.apply` of the file's own text: with a comment added (valid), or with a hostile
    /// string put where a value stands.
    Call configApply(int n, boolean valid) throws IOException {
        var text = Files.readString(file);
        if (valid) {
            return call(Protocol.CONFIG_APPLY, map("text", text + "! applied at edit " + n + "\n"), null);
        }
        var hostile = hostileString();
        var at = pick("lb_algo ", "lb_kind ", "weight ", "real_server ", "delay_loop ", "router_id ");
        int i = text.indexOf(at);
        var changed = i < 0 ? text + hostile : text.substring(0, i + at.length()) + hostile + text.substring(i + at.length());
        return call(Protocol.CONFIG_APPLY, map("text", changed), "text");
    }

    // ---- hostile edits: a valid edit with one field made hostile ----

    Call hostileEdit(KeepalivedConfig c) {
        var base = validEdit(c);
        if (random.nextInt(20) == 0) {
            // An edit of vrrp.setPriority: this agent has no instances, so a valid one is NOT_FOUND.
            var m = new LinkedHashMap<String, Object>();
            m.put("instance", random.nextBoolean() ? "VI_1" : hostileString());
            m.put("priority", random.nextBoolean() ? hostileNumber() : (Object) (1 + random.nextInt(254)));
            return new Call(Protocol.VRRP_SET_PRIORITY, m, "instance/priority", false);
        }
        var fields = FIELDS.get(base.method());
        var field = fields.get(random.nextInt(fields.size()));
        var params = new LinkedHashMap<>(base.params());
        params.remove("baseRevision");
        Object value;
        if (NUMBERS.contains(field)) {
            value = hostileNumber();
        } else if (FLAGS.contains(field)) {
            value = pick("true", 1, 0, "yes", 2.5);
        } else {
            value = random.nextInt(8) == 0 ? hostileNumber() : hostileString();
        }
        params.put(field, value);
        if (base.method().equals(Protocol.VIRTUAL_SERVER_ADD) && field.equals("address")) {
            params.remove("fwmark");
            params.putIfAbsent("port", 80);
        }
        return call(base.method(), params, field);
    }

    static final Map<String, List<String>> FIELDS = Map.of(
            Protocol.REAL_SERVER_ADD, List.of("baseRevision", "virtualServer", "address", "port", "weight", "copyChecks"),
            Protocol.REAL_SERVER_REMOVE, List.of("baseRevision", "virtualServer", "realServer"),
            Protocol.REAL_SERVER_UPDATE, List.of("baseRevision", "virtualServer", "realServer", "weight",
                    "inhibitOnFailure"),
            Protocol.REAL_SERVER_MOVE, List.of("baseRevision", "fromVirtualServer", "realServer", "toVirtualServer",
                    "port"),
            Protocol.VIRTUAL_SERVER_ADD, List.of("baseRevision", "address", "port", "fwmark", "protocol", "scheduler",
                    "kind", "persistenceSeconds", "delayLoopSeconds"),
            Protocol.VIRTUAL_SERVER_REMOVE, List.of("baseRevision", "virtualServer"),
            Protocol.VIRTUAL_SERVER_UPDATE, List.of("baseRevision", "virtualServer", "scheduler", "kind",
                    "persistenceSeconds", "delayLoopSeconds", "quorum"));
    static final Set<String> NUMBERS = Set.of("port", "weight", "fwmark", "persistenceSeconds", "delayLoopSeconds",
            "quorum");
    static final Set<String> FLAGS = Set.of("copyChecks", "inhibitOnFailure");

    String hostileString() {
        if (random.nextInt(60) == 0) {
            return MEGABYTE;
        }
        var h = HOSTILE.get(random.nextInt(HOSTILE.size()));
        // Sometimes the hostile part rides on a plausible value.
        return switch (random.nextInt(4)) {
            case 0 -> "wrr" + h;
            case 1 -> "tcp/192.0.2.100:80" + h;
            default -> h;
        };
    }

    Object hostileNumber() {
        return pick(-1, -65536, 65536, 70_000, Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE,
                4_294_967_296L, 31_536_001L, 2_678_401L, 0, "100", "80", 3.5, 1e300, true, "");
    }

    // ---- helpers ----

    Call call(String method, Map<String, Object> params, String field) {
        var m = new LinkedHashMap<String, Object>();
        m.put("baseRevision", params.containsKey("baseRevision") ? params.get("baseRevision") : daemon.revision());
        params.forEach((k, v) -> {
            if (!k.equals("baseRevision")) {
                m.put(k, v);
            }
        });
        boolean trap = Long.valueOf(EditTestPlatform.TRAP).equals(toLong(m.get("fwmark")));
        return new Call(method, m, field, trap);
    }

    static Long toLong(Object o) {
        return o instanceof Number n && !(o instanceof Double) ? n.longValue() : null;
    }

    static Map<String, Object> map(Object... kv) {
        var m = new LinkedHashMap<String, Object>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @SafeVarargs
    final <T> T pick(T... values) {
        return values[random.nextInt(values.length)];
    }
}
