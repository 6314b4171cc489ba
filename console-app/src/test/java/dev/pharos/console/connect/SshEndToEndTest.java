package dev.pharos.console.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pharos.agent.api.AgentEvent;
import dev.pharos.agent.api.AgentState;
import dev.pharos.agent.api.Methods;
import dev.pharos.agent.api.Params;
import dev.pharos.agent.api.Protocol;
import dev.pharos.testing.Netns;
import dev.pharos.testing.PharosAgent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// The console's connection layer against Debian's OpenSSH: strict host-key checking, a key in
/// OpenSSH format and one in PEM with a passphrase, the agent reached through `attach` on an exec
/// channel, a move performed, sshd restarted (reconnect, resync), a changed host key refused.
class SshEndToEndTest {

    static final String CONFIG = """
            vrrp_instance VI_1 {
                state MASTER
                interface eth0
                virtual_router_id 71
                priority 150
                advert_int 1
                virtual_ipaddress {
                    192.0.2.100
                }
            }
            virtual_server 192.0.2.100 80 {
                lb_algo wrr
                lb_kind DR
                protocol TCP
                real_server 198.51.100.11 80 {
                    weight 1
                }
                real_server 198.51.100.12 80 {
                    weight 1
                }
            }
            virtual_server 192.0.2.100 443 {
                lb_algo wrr
                lb_kind DR
                protocol TCP
                real_server 198.51.100.11 443 {
                    weight 1
                }
            }
            """;

    record Recorder(List<LinkState> links, List<AgentState> states, List<AgentEvent> events)
            implements DirectorConnection.Listener {
        Recorder() {
            this(new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>());
        }

        @Override
        public void linkState(LinkState state) {
            links.add(state);
        }

        @Override
        public void agentState(AgentState state) {
            states.add(state);
        }

        @Override
        public void event(AgentEvent event) {
            events.add(event);
        }

        long connectedCount() {
            return links.stream().filter(l -> l instanceof LinkState.Connected).count();
        }
    }

    private static String attachCommand(PharosAgent agent) {
        var java = Path.of(System.getProperty("java.home"), "bin", "java");
        return "'" + java + "' -cp '" + System.getProperty("java.class.path") + "' dev.pharos.agent.cli.Main attach"
                + " --control-socket '" + agent.socket() + "'";
    }

    @Test
    void connectsMovesSurvivesARestartAndRefusesAChangedKey(@TempDir Path dir) throws Exception {
        assumeTrue(Sshd.available(), "needs root, network namespaces and OpenSSH");
        try (var net = Netns.create(); var sshd = new Sshd(Files.createDirectory(dir.resolve("sshd")))) {
            var a = net.host("a", "192.0.2.1/24");
            var key = sshd.clientKey("client_key", "", false);
            sshd.start();
            try (var agent = PharosAgent.start(a, dir.resolve("agent"), "a", CONFIG)) {
                assertThat(Netns.await(Duration.ofSeconds(30), () -> Files.exists(agent.socket()))).as(agent.log()).isTrue();
                var knownHosts = dir.resolve("known_hosts");
                var asked = new CopyOnWriteArrayList<String>();
                HostKeyPolicy policy = (host, type, fingerprint) -> {
                    asked.add(host + " " + type + " " + fingerprint);
                    return true;
                };
                var connector = new SshConnector(knownHosts, null, policy, Prompts.NONE);
                var endpoint = new DirectorEndpoint("a", "127.0.0.1", sshd.port, "root", key, null, attachCommand(agent));
                var rec = new Recorder();
                try (var conn = new DirectorConnection(endpoint, connector::connect, rec, Duration.ofMillis(500),
                        Duration.ofSeconds(20)).start()) {
                    assertThat(Netns.await(Duration.ofSeconds(60), () -> rec.connectedCount() == 1))
                            .as("%s%n%s", rec.links(), sshd.log()).isTrue();
                    assertThat(asked).singleElement().asString()
                            .isEqualTo("[127.0.0.1]:" + sshd.port + " ssh-ed25519 " + sshd.hostFingerprint());
                    assertThat(Files.readString(knownHosts)).contains("[127.0.0.1]:" + sshd.port);
                    var first = rec.states().getFirst();
                    assertThat(first.vrrp().getFirst().name()).isEqualTo("VI_1");

                    var moved = conn.call(Methods.REAL_SERVER_MOVE, new Params.RealServerMove(first.revision(),
                            "tcp/192.0.2.100:80", "198.51.100.12:80", "tcp/192.0.2.100:443", 443));
                    assertThat(moved.changes().getFirst()).contains("moved real server 198.51.100.12:80");
                    assertThat(Netns.await(Duration.ofSeconds(20), () -> rec.states().stream().anyMatch(s ->
                            s.revision().equals(moved.revision())))).as("the view resyncs after the edit").isTrue();
                    assertThat(rec.events()).anyMatch(e -> e instanceof AgentEvent.ConfigChanged);

                    // sshd restarted: every session dies; the connection comes back by itself.
                    int statesBefore = rec.states().size();
                    sshd.stop();
                    assertThat(Netns.await(Duration.ofSeconds(30), () -> rec.links().getLast() instanceof LinkState.Retrying))
                            .as("%s", rec.links()).isTrue();
                    sshd.start();
                    assertThat(Netns.await(Duration.ofSeconds(90), () -> rec.connectedCount() == 2))
                            .as("%s%n%s", rec.links(), sshd.log()).isTrue();
                    assertThat(rec.states().size()).as("state read again after the reconnect").isGreaterThan(statesBefore);
                    assertThat(asked).as("the key is known now: not asked again").hasSize(1);

                    // A new host key: a hard stop, with the reason, and no more retries.
                    sshd.stop();
                    sshd.newHostKey();
                    sshd.start();
                    assertThat(Netns.await(Duration.ofSeconds(90), () -> rec.links().getLast() instanceof LinkState.Failed))
                            .as("%s", rec.links()).isTrue();
                    var failed = (LinkState.Failed) rec.links().getLast();
                    assertThat(failed.reason()).contains("CHANGED").contains(sshd.hostFingerprint())
                            .contains("ssh-keygen -R");
                }
            }
        }
    }

    @Test
    void aPemKeyWithAPassphraseAndAnUntrustedHost(@TempDir Path dir) throws Exception {
        assumeTrue(Sshd.available(), "needs root, network namespaces and OpenSSH");
        try (var net = Netns.create(); var sshd = new Sshd(Files.createDirectory(dir.resolve("sshd")))) {
            var a = net.host("a", "192.0.2.1/24");
            var pem = sshd.clientKey("pem_key", "s3cret", true);
            assertThat(Files.readString(pem)).startsWith("-----BEGIN RSA PRIVATE KEY-----");
            sshd.start();
            try (var agent = PharosAgent.start(a, dir.resolve("agent"), "a", CONFIG)) {
                assertThat(Netns.await(Duration.ofSeconds(30), () -> Files.exists(agent.socket()))).isTrue();
                var endpoint = new DirectorEndpoint("a", "127.0.0.1", sshd.port, "root", pem, null, attachCommand(agent));
                var refused = new SshConnector(dir.resolve("kh1"), null, HostKeyPolicy.REJECT, Prompts.NONE);
                try {
                    refused.connect(endpoint, Duration.ofSeconds(20)).close();
                    throw new AssertionError("connected to an untrusted host");
                } catch (java.io.IOException e) {
                    assertThat(e.getMessage()).contains("not trusted");
                }
                var prompts = new Prompts() {
                    @Override
                    public Optional<String> passphrase(String keyDescription) {
                        return Optional.of("s3cret");
                    }

                    @Override
                    public Optional<String> password(String userAtHost) {
                        return Optional.empty();
                    }
                };
                var ok = new SshConnector(dir.resolve("kh2"), null, (h, t, f) -> true, prompts);
                try (var link = ok.connect(endpoint, Duration.ofSeconds(20))) {
                    assertThat(link.hello().protocolVersion()).isEqualTo(Protocol.VERSION);
                    var client = link.agent(Duration.ofSeconds(20));
                    var state = client.call(Methods.STATE_GET, Params.StateGet.ALL);
                    assertThat(state.virtualServers()).hasSize(2);
                    assertThat(client.call(Methods.CONFIG_GET, Params.None.NONE).text()).contains("VI_1");
                }
            }
        }
    }
}
