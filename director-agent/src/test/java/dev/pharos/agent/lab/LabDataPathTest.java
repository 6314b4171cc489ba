package dev.pharos.agent.lab;

import static dev.pharos.agent.lab.LabTest.VIP1;
import static dev.pharos.agent.lab.LabTest.rs;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.api.AgentState;
import dev.pharos.agent.api.Params;
import dev.pharos.agent.api.Protocol;
import dev.pharos.agent.api.Results;
import dev.pharos.agent.control.ControlClient;
import dev.pharos.testing.Netns;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/// The lab's data path behaves as the seed's LVS-DR on kernel IPVS, against the lab's real
/// loopback servers: a failed real server's connections fail until its checker removes it (no
/// hidden retry on the other server), persistence keeps the lab's client (one address, so one
/// persistence entry) on its server until that server is removed, and a drain (weight 0) keeps
/// open connections and persistent clients while new clients go to the other server.
class LabDataPathTest {

    private static final LabTraffic.Target TARGET = new LabTraffic.Target(VIP1, 80);

    @Test
    void aFailedRealServerFailsItsClientUntilTheCheckerRemovesIt() throws Exception {
        try (var lab = Lab.seed();
                var traffic = new LabTraffic(lab, List.of(), 0);
                var c = ready(lab, traffic)) {
            var first = traffic.once(TARGET);
            for (int i = 0; i < 5; i++) {
                assertThat(traffic.once(TARGET).answer()).as("persistence: one server for the lab's client")
                        .isEqualTo(first.answer());
            }
            var failed = address(lab, first.answer());
            lab.failRealServer(failed);

            var refused = traffic.once(TARGET);
            assertThat(refused.ok()).as("the first request after the failure fails: %s", refused).isFalse();
            assertThat(server(c, failed).effectiveWeight()).as("while the checker still has it in the table")
                    .isNotEqualTo(-1);

            var failures = new AtomicInteger(1);
            var answered = new AtomicReference<LabTraffic.Result>();
            Netns.await(Duration.ofSeconds(60), () -> {
                var r = traffic.once(TARGET);
                if (!r.ok()) {
                    failures.incrementAndGet();
                    return false;
                }
                answered.set(r);
                return true;
            });
            assertThat(answered.get()).as("answered again once the checker removed the failed server").isNotNull();
            assertThat(answered.get().answer()).isNotEqualTo(first.answer());
            var taken = server(c, failed);
            assertThat(taken.health()).isEqualTo("down");
            assertThat(taken.effectiveWeight()).as("out of the table").isEqualTo(-1);
            assertThat(failures.get()).as("requests failed while the checker found the failure").isGreaterThan(1);
        }
    }

    @Test
    void aDrainKeepsOpenConnectionsAndPersistentClientsAndSendsNewClientsElsewhere() throws Exception {
        try (var lab = Lab.seed();
                var traffic = new LabTraffic(lab, List.of(), 0);
                var c = ready(lab, traffic)) {
            var persistent = traffic.once(TARGET).answer();
            var drained = address(lab, persistent);
            var route = lab.route(VIP1, 80).orElseThrow();
            try (var held = new Socket()) {
                held.connect(route, 10_000);
                held.setSoTimeout(10_000);
                assertThat(Netns.await(Duration.ofSeconds(10), () -> server(c, drained).traffic() != null
                        && server(c, drained).traffic().activeConnections() == 1)).as("held open on the drained server")
                        .isTrue();

                var state = c.call(Protocol.STATE_GET, null, AgentState.class, Duration.ofSeconds(10));
                var vs = state.virtualServers().getFirst();
                c.call(Protocol.REAL_SERVER_UPDATE, new Params.RealServerUpdate(state.revision(), vs.id(),
                        server(c, drained).id(), 0, null), Results.Applied.class, Duration.ofSeconds(10));
                assertThat(Netns.await(Duration.ofSeconds(20), () -> server(c, drained).effectiveWeight() == 0))
                        .as("drained").isTrue();

                for (int i = 0; i < 5; i++) {
                    assertThat(traffic.once(TARGET).answer()).as("the persistent client stays").isEqualTo(persistent);
                    assertThat(get(route, "127.0.0." + (2 + i))).as("a new client").isNotEqualTo(persistent)
                            .isIn(labels(lab));
                }
                assertThat(answer(held)).as("the connection open before the drain").isEqualTo(persistent);
            }
        }
    }

    /// VIP1 is served by lvs-master and its real servers are checked up; returns a control client
    /// of lvs-master.
    private static ControlClient ready(Lab lab, LabTraffic traffic) throws IOException {
        assertThat(Netns.await(Duration.ofSeconds(20), () -> lab.holders(VIP1).equals(Set.of("lvs-master"))))
                .as("VIP1 on lvs-master").isTrue();
        var c = lab.connect("lvs-master");
        assertThat(Netns.await(Duration.ofSeconds(30), () -> rs(c, 0).stream().allMatch(r -> r.health().equals("up"))
                && traffic.once(TARGET).ok())).as("both real servers up, VIP1 answers").isTrue();
        return c;
    }

    private static AgentState.RealServer server(ControlClient c, InetAddress address) {
        var text = address.getHostAddress();
        return rs(c, 0).stream().filter(r -> r.address().equals(text)).findFirst().orElseThrow();
    }

    private static List<String> labels(Lab lab) {
        return lab.realServers().values().stream().map(LabRealServer::name).toList();
    }

    private static InetAddress address(Lab lab, String label) {
        return lab.realServers().entrySet().stream().filter(e -> e.getValue().name().equals(label))
                .map(Map.Entry::getKey).findFirst().orElseThrow();
    }

    /// One request from another client address (the lab's own clients are all 127.0.0.1).
    private static String get(InetSocketAddress route, String source) throws IOException {
        try (var s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
            s.connect(route, 10_000);
            s.setSoTimeout(10_000);
            return answer(s);
        }
    }

    private static String answer(Socket s) throws IOException {
        s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        var text = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return text.substring(text.indexOf("\r\n\r\n") + 4).strip();
    }
}
