package dev.pharos.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pharos.agent.api.AgentEvent;
import dev.pharos.agent.api.AgentState;
import dev.pharos.agent.api.Hello;
import dev.pharos.agent.api.Params;
import dev.pharos.agent.api.Protocol;
import dev.pharos.agent.api.Results;
import dev.pharos.agent.api.RpcException;
import dev.pharos.agent.control.ControlClient;
import dev.pharos.testing.Netns;
import dev.pharos.testing.PharosAgent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/// The control channel end to end: a real agent process in a namespace, reached through its real
/// Unix socket, by the same client the CLI and the console use.
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ControlChannelTest {

    static final Duration CALL = Duration.ofSeconds(20);

    static final String CONFIG = """
            vrrp_instance VI_1 {
                state MASTER
                interface eth0
                virtual_router_id 61
                priority 150
                advert_int 1
                authentication {
                    auth_type PASS
                    auth_pass ctl
                }
                virtual_ipaddress {
                    192.0.2.100
                }
            }
            virtual_server 192.0.2.100 80 {
                delay_loop 6
                lb_algo wrr
                lb_kind DR
                persistence_timeout 120
                protocol TCP
                real_server 198.51.100.11 80 {
                    weight 1
                    HTTP_GET {
                        url {
                            path /
                        }
                        connect_timeout 3
                        retry 3
                        delay_before_retry 3
                    }
                }
                real_server 198.51.100.12 80 {
                    weight 1
                    HTTP_GET {
                        url {
                            path /
                        }
                        connect_timeout 3
                    }
                }
            }
            virtual_server 192.0.2.100 443 {
                delay_loop 6
                lb_algo wrr
                lb_kind DR
                protocol TCP
                real_server 198.51.100.11 443 {
                    weight 1
                }
            }
            """;

    Path dir;
    Netns net;
    Netns.Host host;
    PharosAgent agent;

    @BeforeAll
    void start() throws IOException {
        assumeTrue(Netns.available(), "needs root and network namespaces");
        dir = Files.createTempDirectory("pharos-ctl");
        net = Netns.create();
        host = net.host("a", "192.0.2.1/24");
        agent = PharosAgent.start(host, dir, "a", CONFIG);
        assertThat(Netns.await(Duration.ofSeconds(30), () -> Files.exists(agent.socket())))
                .as("control socket appears%n%s", agent.log()).isTrue();
        assertThat(Netns.await(Duration.ofSeconds(30), () -> host.addresses("eth0").contains("192.0.2.100")))
                .as("VI_1 master%n%s", agent.log()).isTrue();
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

    ControlClient client() throws IOException {
        return ControlClient.connect(agent.socket());
    }

    AgentState state(ControlClient c) throws Exception {
        return c.call(Protocol.STATE_GET, null, AgentState.class, CALL);
    }

    @Test
    void helloSaysWhoAndWhat() throws Exception {
        try (var c = client()) {
            var hello = c.call(Protocol.HELLO, null, Hello.class, CALL);
            assertThat(hello.protocolVersion()).isEqualTo(Protocol.VERSION);
            assertThat(hello.capabilities().methods()).containsAll(Protocol.METHODS);
            assertThat(hello.capabilities().interfaces()).contains("eth0");
            assertThat(hello.capabilities().vrrpVersions()).containsExactly(2, 3);
        }
    }

    @Test
    void stateShowsInstancesAndServers() throws Exception {
        try (var c = client()) {
            var s = state(c);
            assertThat(s.revision()).hasSize(16);
            var vi = s.vrrp().getFirst();
            assertThat(vi.name()).isEqualTo("VI_1");
            assertThat(vi.vrid()).isEqualTo(61);
            assertThat(vi.state()).isEqualTo("MASTER");
            assertThat(vi.virtualAddresses()).containsExactly("192.0.2.100/32");
            assertThat(vi.counters()).containsKey("advertsSent");
            assertThat(s.virtualServers()).extracting(AgentState.VirtualServer::id)
                    .contains("tcp/192.0.2.100:80", "tcp/192.0.2.100:443");
            var web = s.virtualServers().stream().filter(v -> v.id().equals("tcp/192.0.2.100:80")).findFirst().orElseThrow();
            assertThat(web.scheduler()).isEqualTo("wrr");
            assertThat(web.kind()).isEqualTo("DR");
            assertThat(web.persistenceSeconds()).isEqualTo(120);
        }
    }

    @Test
    void editsAreAppliedPersistedAndAnnounced() throws Exception {
        try (var c = client()) {
            var events = new CopyOnWriteArrayList<AgentEvent>();
            c.onEvent(events::add);
            var sub = c.call(Protocol.EVENTS_SUBSCRIBE, Map.of(), Results.Subscribed.class, CALL);
            var rev = state(c).revision();

            var added = c.call(Protocol.REAL_SERVER_ADD, new Params.RealServerAdd(rev, "tcp/192.0.2.100:443",
                    "198.51.100.13", 443, 5, true), Results.Applied.class, CALL);
            assertThat(added.changes()).singleElement().asString().contains("198.51.100.13:443");
            var drained = c.call(Protocol.REAL_SERVER_UPDATE, new Params.RealServerUpdate(added.revision(),
                    "tcp/192.0.2.100:443", "198.51.100.13:443", 0, true), Results.Applied.class, CALL);
            assertThat(drained.changes()).anyMatch(l -> l.contains("draining"));
            var moved = c.call(Protocol.REAL_SERVER_MOVE, new Params.RealServerMove(drained.revision(),
                    "tcp/192.0.2.100:443", "198.51.100.13:443", "tcp/192.0.2.100:80", 80), Results.Applied.class, CALL);
            var s = state(c);
            assertThat(s.revision()).isEqualTo(moved.revision());
            var web = s.virtualServers().stream().filter(v -> v.id().equals("tcp/192.0.2.100:80")).findFirst().orElseThrow();
            assertThat(web.realServers()).extracting(AgentState.RealServer::id).contains("198.51.100.13:80");
            assertThat(web.realServers().stream().filter(r -> r.id().equals("198.51.100.13:80")).findFirst()
                    .orElseThrow().weight()).isZero();

            var text = Files.readString(agent.configFile());
            assertThat(text).contains("real_server 198.51.100.13 80").contains("inhibit_on_failure");
            assertThat(Files.list(agent.stateDir().resolve("history")).count()).isGreaterThanOrEqualTo(3);
            var check = host.exec("/usr/sbin/keepalived", "--config-test", "-f", agent.configFile().toString());
            assertThat(check.output()).as("keepalived --config-test on the written file").isEmpty();
            assertThat(check.exitCode()).isZero();

            var removed = c.call(Protocol.REAL_SERVER_REMOVE, new Params.RealServerRemove(moved.revision(),
                    "tcp/192.0.2.100:80", "198.51.100.13:80"), Results.Applied.class, CALL);
            var vsAdded = c.call(Protocol.VIRTUAL_SERVER_ADD, new Params.VirtualServerAdd(removed.revision(),
                    "192.0.2.100", 8080, null, "TCP", "rr", "NAT", null, 10L), Results.Applied.class, CALL);
            var vsUpdated = c.call(Protocol.VIRTUAL_SERVER_UPDATE, new Params.VirtualServerUpdate(vsAdded.revision(),
                    "tcp/192.0.2.100:8080", "wlc", null, 60L, null, null), Results.Applied.class, CALL);
            assertThat(vsUpdated.changes()).anyMatch(l -> l.contains("scheduler")).anyMatch(l -> l.contains("persistence"));
            var vsRemoved = c.call(Protocol.VIRTUAL_SERVER_REMOVE, new Params.VirtualServerRemove(vsUpdated.revision(),
                    "tcp/192.0.2.100:8080"), Results.Applied.class, CALL);

            assertThat(Netns.await(Duration.ofSeconds(10), () -> events.stream()
                    .filter(e -> e instanceof AgentEvent.ConfigChanged).count() >= 7)).as("%s", events).isTrue();
            var changed = events.stream().filter(e -> e instanceof AgentEvent.ConfigChanged)
                    .map(e -> (AgentEvent.ConfigChanged) e).toList();
            assertThat(changed.getLast().revision()).isEqualTo(vsRemoved.revision());
            assertThat(changed).allMatch(e -> e.source().equals("edit"));
            for (int i = 1; i < events.size(); i++) {
                assertThat(events.get(i).sequence()).isGreaterThan(events.get(i - 1).sequence());
            }
            assertThat(events.getFirst().sequence()).isGreaterThan(sub.lastSequence());
        }
    }

    @Test
    void aStaleRevisionIsRefusedWithTheCurrentOne() throws Exception {
        try (var one = client(); var two = client()) {
            var base = state(one).revision();
            assertThat(state(two).revision()).isEqualTo(base);
            var first = one.call(Protocol.REAL_SERVER_UPDATE, new Params.RealServerUpdate(base, "tcp/192.0.2.100:80",
                    "198.51.100.12:80", 7, null), Results.Applied.class, CALL);
            assertThatThrownBy(() -> two.call(Protocol.REAL_SERVER_UPDATE, new Params.RealServerUpdate(base,
                    "tcp/192.0.2.100:80", "198.51.100.12:80", 9, null), CALL))
                    .isInstanceOfSatisfying(RpcException.class, e -> {
                        assertThat(e.error().code()).isEqualTo(Protocol.Errors.STALE_REVISION);
                        assertThat(e.error().data().get("revision").asText()).isEqualTo(first.revision());
                    });
            var web = state(two).virtualServers().stream().filter(v -> v.id().equals("tcp/192.0.2.100:80"))
                    .findFirst().orElseThrow();
            assertThat(web.realServers().stream().filter(r -> r.id().equals("198.51.100.12:80")).findFirst()
                    .orElseThrow().weight()).isEqualTo(7);
        }
    }

    @Test
    void aBrokenConfigApplyChangesNothing() throws Exception {
        try (var c = client()) {
            var before = state(c).revision();
            var file = Files.readString(agent.configFile());
            var broken = CONFIG.replace("priority 150", "priority 400");
            assertThatThrownBy(() -> c.call(Protocol.CONFIG_APPLY, new Params.ConfigApply(before, broken), CALL))
                    .isInstanceOfSatisfying(RpcException.class, e -> {
                        assertThat(e.error().code()).isEqualTo(Protocol.Errors.INVALID_CONFIG);
                        var d = e.error().data().get("diagnostics").get(0);
                        assertThat(d.get("line").asInt()).isEqualTo(5);
                        assertThat(d.get("text").asText()).contains(":5:").contains("priority");
                    });
            var validation = c.call(Protocol.CONFIG_VALIDATE, new Params.ConfigText("vrrp_instance {"),
                    Results.Validation.class, CALL);
            assertThat(validation.valid()).isFalse();
            assertThat(validation.diagnostics()).isNotEmpty();
            assertThat(state(c).revision()).isEqualTo(before);
            assertThat(Files.readString(agent.configFile())).isEqualTo(file);
            assertThat(host.addresses("eth0")).contains("192.0.2.100");
        }
    }

    @Test
    void configGetAndApplyRoundTrip() throws Exception {
        try (var c = client()) {
            var cfg = c.call(Protocol.CONFIG_GET, null, Results.Config.class, CALL);
            assertThat(cfg.text()).contains("vrrp_instance VI_1");
            var edited = cfg.text().replace("lb_algo wrr", "lb_algo rr");
            var applied = c.call(Protocol.CONFIG_APPLY, new Params.ConfigApply(cfg.revision(), edited),
                    Results.Applied.class, CALL);
            assertThat(applied.revision()).isNotEqualTo(cfg.revision());
            assertThat(applied.changes()).anyMatch(l -> l.contains("changed settings of virtual server"));
            assertThat(Files.readString(agent.configFile())).isEqualTo(edited);
            // VRRP unchanged: the instance kept its state (no restart of the engine)
            assertThat(state(c).vrrp().getFirst().state()).isEqualTo("MASTER");
            var back = c.call(Protocol.CONFIG_APPLY, new Params.ConfigApply(applied.revision(), cfg.text()),
                    Results.Applied.class, CALL);
            assertThat(back.revision()).isEqualTo(cfg.revision());
        }
    }

    @Test
    void eventsMissedDuringADisconnectAreReplayed() throws Exception {
        long last;
        try (var c = client()) {
            var sub = c.call(Protocol.EVENTS_SUBSCRIBE, Map.of(), Results.Subscribed.class, CALL);
            last = sub.lastSequence();
        }
        String rev;
        try (var c = client()) {
            rev = state(c).revision();
            c.call(Protocol.VIRTUAL_SERVER_UPDATE, new Params.VirtualServerUpdate(rev, "tcp/192.0.2.100:443", null,
                    null, null, 7L, null), CALL);
        }
        try (var c = client()) {
            var events = new CopyOnWriteArrayList<AgentEvent>();
            c.onEvent(events::add);
            var sub = c.call(Protocol.EVENTS_SUBSCRIBE, Map.of("afterSequence", last), Results.Subscribed.class, CALL);
            assertThat(sub.resync()).isFalse();
            assertThat(sub.replayed()).isGreaterThanOrEqualTo(1);
            assertThat(Netns.await(Duration.ofSeconds(10), () -> events.size() >= sub.replayed())).isTrue();
            assertThat(events.getFirst().sequence()).isEqualTo(last + 1);
            assertThat(events).anyMatch(e -> e instanceof AgentEvent.ConfigChanged cc
                    && cc.changes().stream().anyMatch(l -> l.contains("delay_loop of tcp/192.0.2.100:443")));

            var future = c.call(Protocol.EVENTS_SUBSCRIBE, Map.of("afterSequence", 1_000_000_000L),
                    Results.Subscribed.class, CALL);
            assertThat(future.resync()).isTrue();
        }
    }

    @Test
    void vrrpResignAndPriority() throws Exception {
        try (var c = client()) {
            var events = new CopyOnWriteArrayList<AgentEvent>();
            c.onEvent(events::add);
            c.call(Protocol.EVENTS_SUBSCRIBE, Map.of(), CALL);
            assertThat(Netns.await(Duration.ofSeconds(30), () -> {
                try {
                    return state(c).vrrp().getFirst().state().equals("MASTER");
                } catch (Exception e) {
                    return false;
                }
            })).isTrue();
            c.call(Protocol.VRRP_RESIGN, new Params.Resign("VI_1"), CALL);
            assertThat(Netns.await(Duration.ofSeconds(10), () -> events.stream().anyMatch(e ->
                    e instanceof AgentEvent.VrrpTransition t && t.from().equals("MASTER") && t.to().equals("BACKUP"))))
                    .as("%s", events).isTrue();
            c.call(Protocol.VRRP_SET_PRIORITY, new Params.SetPriority("VI_1", 120), CALL);
            assertThat(Netns.await(Duration.ofSeconds(20), () -> {
                try {
                    var vi = state(c).vrrp().getFirst();
                    return vi.basePriority() == 150 && vi.effectivePriority() == 120 && vi.state().equals("MASTER");
                } catch (Exception e) {
                    return false;
                }
            })).as("alone, it becomes master again, at priority 120").isTrue();
            assertThatThrownBy(() -> c.call(Protocol.VRRP_SET_PRIORITY, new Params.SetPriority("VI_1", 255), CALL))
                    .isInstanceOfSatisfying(RpcException.class,
                            e -> assertThat(e.error().code()).isEqualTo(Protocol.Errors.INVALID_PARAMS));
            assertThatThrownBy(() -> c.call(Protocol.VRRP_RESIGN, new Params.Resign("VI_9"), CALL))
                    .isInstanceOfSatisfying(RpcException.class,
                            e -> assertThat(e.error().message()).contains("VI_1"));
            c.call(Protocol.VRRP_SET_PRIORITY, new Params.SetPriority("VI_1", 150), CALL);
        }
    }

    @Test
    void stateOfTheVirtualServersAskedForOnly() throws Exception {
        try (var c = client()) {
            var only = c.call(Protocol.STATE_GET, new Params.StateGet(List.of("tcp/192.0.2.100:443")), AgentState.class,
                    CALL);
            assertThat(only.virtualServers()).extracting(AgentState.VirtualServer::id)
                    .containsExactly("tcp/192.0.2.100:443");
            assertThat(only.virtualServers().getFirst().realServers()).extracting(AgentState.RealServer::id)
                    .containsExactly("198.51.100.11:443");
            assertThat(only.vrrp()).extracting(AgentState.VrrpInstance::name).containsExactly("VI_1");
            assertThat(c.call(Protocol.STATE_GET, new Params.StateGet(List.of()), AgentState.class, CALL)
                    .virtualServers()).isEmpty();
            assertThatThrownBy(() -> c.call(Protocol.STATE_GET, new Params.StateGet(List.of("tcp/192.0.2.100:8080")),
                    CALL)).isInstanceOfSatisfying(RpcException.class, e -> {
                        assertThat(e.error().code()).isEqualTo(Protocol.Errors.NOT_FOUND);
                        assertThat(e.error().message()).contains("no virtual server \"tcp/192.0.2.100:8080\"")
                                .contains("did you mean");
                    });
            assertThatThrownBy(() -> c.call(Protocol.STATE_GET, Map.of("virtualServers", "tcp/192.0.2.100:443"), CALL))
                    .isInstanceOfSatisfying(RpcException.class,
                            e -> assertThat(e.error().code()).isEqualTo(Protocol.Errors.INVALID_PARAMS));
        }
    }

    /// Clients asking together share snapshots whose arrays are used again once written: every
    /// answer must still be whole and the call's own (parsed, the servers asked for, its time never
    /// behind the client's previous answer), also when some calls are refused or ask for a part.
    @Test
    void stateGetsAskedTogetherEachGetAWholeAnswerOfTheirOwn() throws Exception {
        var failures = new CopyOnWriteArrayList<Throwable>();
        var threads = new ArrayList<Thread>();
        for (int t = 0; t < 4; t++) {
            int client = t;
            threads.add(Thread.ofPlatform().start(() -> {
                try (var c = client()) {
                    var last = Instant.EPOCH;
                    for (int i = 0; i < 24; i++) {
                        switch ((client + i) % 3) {
                            case 0 -> {
                                var s = state(c);
                                assertThat(s.virtualServers()).hasSize(2);
                                assertThat(s.at()).isAfterOrEqualTo(last);
                                last = s.at();
                            }
                            case 1 -> {
                                var s = c.call(Protocol.STATE_GET, new Params.StateGet(List.of("tcp/192.0.2.100:443")),
                                        AgentState.class, CALL);
                                assertThat(s.virtualServers()).extracting(AgentState.VirtualServer::id)
                                        .containsExactly("tcp/192.0.2.100:443");
                                assertThat(s.at()).isAfterOrEqualTo(last);
                                last = s.at();
                            }
                            default -> assertThatThrownBy(() -> c.call(Protocol.STATE_GET,
                                    new Params.StateGet(List.of("tcp/192.0.2.100:8080")), CALL))
                                    .isInstanceOf(RpcException.class);
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (var t : threads) {
            t.join(CALL.toMillis() * 4);
        }
        assertThat(threads).noneMatch(Thread::isAlive);
        assertThat(failures).isEmpty();
    }

    @Test
    void badRequestsGetErrorsNotCrashes() throws Exception {
        try (var c = client()) {
            assertThatThrownBy(() -> c.call("state.gte", null, CALL)).isInstanceOfSatisfying(RpcException.class, e -> {
                assertThat(e.error().code()).isEqualTo(Protocol.Errors.METHOD_NOT_FOUND);
                assertThat(e.error().message()).contains("did you mean \"state.get\"");
            });
            assertThatThrownBy(() -> c.call(Protocol.REAL_SERVER_UPDATE, Map.of("baseRevision", List.of(1)), CALL))
                    .isInstanceOfSatisfying(RpcException.class,
                            e -> assertThat(e.error().code()).isEqualTo(Protocol.Errors.INVALID_PARAMS));
            assertThatThrownBy(() -> c.call(Protocol.REAL_SERVER_REMOVE, Map.of("baseRevision", state(c).revision(),
                    "virtualServer", "tcp/192.0.2.100:80", "realServer", "203.0.113.9:80"), CALL))
                    .isInstanceOfSatisfying(RpcException.class,
                            e -> assertThat(e.error().code()).isEqualTo(Protocol.Errors.NOT_FOUND));
            assertThatThrownBy(() -> c.call(Protocol.REAL_SERVER_ADD, Map.of("baseRevision", state(c).revision(),
                    "virtualServer", "tcp/192.0.2.100:80", "address", "example.org"), CALL))
                    .isInstanceOfSatisfying(RpcException.class,
                            e -> assertThat(e.error().message()).contains("not an IP address"));
            JsonNode ok = c.call(Protocol.HELLO, null, CALL);
            assertThat(ok.get("protocolVersion").asInt()).isEqualTo(1);
        }
    }

    @Test
    void theSocketIsForItsOwnerAndGroupOnly() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(agent.socket()))).isEqualTo("rw-rw----");
        var setpriv = Path.of("/usr/bin/setpriv");
        assumeTrue(Files.isExecutable(setpriv), "needs setpriv");
        // The socket's directory must be reachable for the test to mean anything.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        // A one-file program the unprivileged user can run (it cannot read the build's class path).
        var probe = dir.resolve("Probe.java");
        Files.writeString(probe, """
                public class Probe {
                    public static void main(String[] a) throws Exception {
                        try (var c = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(a[0]))) {
                            System.out.println("connected");
                        } catch (java.io.IOException e) {
                            System.out.println("refused: " + e.getMessage());
                            System.exit(3);
                        }
                    }
                }
                """);
        Files.setPosixFilePermissions(probe, PosixFilePermissions.fromString("rw-r--r--"));
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var r = Netns.exec(Duration.ofSeconds(60), setpriv.toString(), "--reuid=65534", "--regid=65534",
                "--clear-groups", "--", java, probe.toString(), agent.socket().toString());
        assertThat(r.exitCode()).as(r.output()).isEqualTo(3);
        assertThat(r.output()).contains("Permission denied");
        var root = Netns.exec(Duration.ofSeconds(60), java, probe.toString(), agent.socket().toString());
        assertThat(root.output()).as("the owner can").contains("connected");
    }

    @Test
    void ctlStatusAndAttachFromTheCommandLine() throws Exception {
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var cp = System.getProperty("java.class.path");
        var sock = agent.socket().toString();
        var hello = Netns.exec(Duration.ofSeconds(60), java, "-cp", cp, "dev.pharos.agent.cli.Main", "ctl",
                "agent.hello", "--control-socket", sock);
        assertThat(hello.exitCode()).as(hello.output()).isZero();
        assertThat(hello.output()).contains("\"protocolVersion\" : 1");
        var status = Netns.exec(Duration.ofSeconds(60), java, "-cp", cp, "dev.pharos.agent.cli.Main", "status",
                "--control-socket", sock);
        assertThat(status.exitCode()).as(status.output()).isZero();
        assertThat(status.output()).contains("VI_1").contains("tcp/192.0.2.100:80").contains("198.51.100.11:80");
        var bad = Netns.exec(Duration.ofSeconds(60), java, "-cp", cp, "dev.pharos.agent.cli.Main", "ctl",
                "vrrp.resign", "{\"instance\":\"nope\"}", "--control-socket", sock);
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.output()).contains("no VRRP instance \"nope\"");

        var requests = dir.resolve("requests.jsonl");
        Files.writeString(requests, """
                {"jsonrpc":"2.0","id":1,"method":"agent.hello"}
                not json at all
                {"jsonrpc":"2.0","id":"two","method":"state.get"}
                """);
        var attach = Netns.exec(Duration.ofSeconds(60), "/bin/sh", "-c", "'" + java + "' -cp '" + cp
                + "' dev.pharos.agent.cli.Main attach --control-socket '" + sock + "' < '" + requests + "'");
        assertThat(attach.exitCode()).as(attach.output()).isZero();
        var lines = attach.output().lines().filter(l -> l.startsWith("{")).toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).contains("\"id\":1").contains("\"protocolVersion\":1");
        assertThat(lines.get(1)).contains("\"code\":-32700");
        assertThat(lines.get(2)).contains("\"id\":\"two\"").contains("\"revision\"");
    }
}
