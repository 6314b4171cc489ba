package dev.pharos.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pharos.agent.api.AgentState;
import dev.pharos.agent.api.JsonRpc;
import dev.pharos.agent.config.ConfigLoader;
import dev.pharos.agent.config.KeepalivedConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/// `state.get`'s encoder writes byte for byte what Jackson writes for the [AgentState] records
/// (which [AgentControl#virtualServerView] builds from the same inputs), keeps the configuration's
/// part across snapshots, and redoes the live part every time.
class StateEncoderTest {

    static final String CONFIG = """
            virtual_server_group WEB {
                192.0.2.20 80
            }
            virtual_server 192.0.2.10 80 {
                lb_algo wrr
                lb_kind DR
                persistence_timeout 120
                quorum 2
                sorry_server 192.0.2.13 80
                protocol TCP
                real_server 198.51.100.11 80 {
                    weight 3
                    HTTP_GET {
                        url {
                            path /
                        }
                    }
                    TCP_CHECK {
                    }
                }
                real_server 198.51.100.12 8080 {
                    weight 1
                    TCP_CHECK {
                    }
                }
                real_server 198.51.100.13 80 {
                }
            }
            virtual_server fwmark 7 {
                real_server 198.51.100.21 {
                    weight 2
                }
            }
            virtual_server group WEB {
                protocol UDP
                real_server 198.51.100.31 53 {
                }
            }
            virtual_server 2001:db8::10 443 {
                real_server 2001:db8::11 443 {
                }
            }
            """;

    static KeepalivedConfig config(String text) throws Exception {
        return ConfigLoader.parse(Path.of("t.conf"), text, "test").config();
    }

    static final AgentState TOP = new AgentState("7d1f3a0c", "lvs-1", Instant.parse("2026-12-07T17:00:00.123456Z"), 42,
            new AgentState.Balancer("userspace", "the kernel has no IPVS"),
            List.of(new AgentState.VrrpInstance("VI_1", 61, "eth0", 2, "MASTER", 150, 150, "192.0.2.1",
                    List.of("192.0.2.100/32"), 1000, Instant.parse("2026-12-07T16:59:58Z"), 2, List.of(),
                    Map.of("advertsSent", 12L))),
            List.of());

    /// Live views with every kind of value: up, down with an awkward reason, missing, traffic.
    static Map<String, Map<String, Services.RealServerView>> realViews(long connections) {
        var traffic = new AgentState.Traffic(3, 10, connections, 52_000, 9_100_000, 2.5, 110.25, 1.0E7);
        return Map.of(
                "tcp/192.0.2.10:80", Map.of(
                        "198.51.100.11:80", new Services.RealServerView("up", null,
                                Instant.parse("2026-12-07T16:00:00Z"), 3, traffic),
                        "198.51.100.12:8080", new Services.RealServerView("down",
                                "TCP_CHECK 198.51.100.12:8080: \"refused\" \\ é\u0001", Instant.parse("2026-12-07T16:30:00.5Z"),
                                0, AgentState.Traffic.NONE),
                        "198.51.100.13:80", new Services.RealServerView("up", "", null, 1, AgentState.Traffic.NONE)),
                "fwmark/7", Map.of("198.51.100.21", new Services.RealServerView("up", null, null, -1,
                        new AgentState.Traffic(0, 0, 0, 0, 0, Double.NaN, -0.0, 0.001))));
    }

    static Map<String, Services.VirtualServerView> serverViews(boolean quorumUp) {
        return Map.of(
                "tcp/192.0.2.10:80", new Services.VirtualServerView("proxied", "lb_kind DR needs the kernel's IPVS",
                        quorumUp, 1024, 7L),
                "fwmark/7", new Services.VirtualServerView("none", "firewall-mark services need the kernel's IPVS",
                        true, null, null));
        // group/WEB and the IPv6 one have no view: not served
    }

    /// What Jackson writes for the records built from the same inputs.
    static String expected(KeepalivedConfig config, Map<String, Services.VirtualServerView> vs,
            Map<String, Map<String, Services.RealServerView>> rs) throws Exception {
        var servers = new ArrayList<AgentState.VirtualServer>();
        for (var v : config.virtualServers()) {
            servers.add(AgentControl.virtualServerView(v, vs.get(v.id()), rs.getOrDefault(v.id(), Map.of())));
        }
        return JsonRpc.mapper().writeValueAsString(new AgentState(TOP.revision(), TOP.hostname(), TOP.at(),
                TOP.lastSequence(), TOP.balancer(), TOP.vrrp(), servers));
    }

    static String text(StateEncoder.Snapshot s) {
        return new String(s.all().bytes(), StandardCharsets.UTF_8);
    }

    @Test
    void writesWhatJacksonWritesForTheRecords() throws Exception {
        var config = config(CONFIG);
        var snapshot = new StateEncoder().encode(TOP, config, serverViews(true), realViews(1200));
        assertThat(text(snapshot)).isEqualTo(expected(config, serverViews(true), realViews(1200)));
        assertThat(snapshot.servers().keySet()).containsExactly("tcp/192.0.2.10:80", "fwmark/7", "group/WEB",
                "udp/[2001:db8::10]:443");
    }

    @Test
    void withoutAServiceTableEveryServerIsUnservedAndOutOfTheTable() throws Exception {
        var config = config(CONFIG);
        var snapshot = new StateEncoder().encode(TOP, config, Map.of(), Map.of());
        assertThat(text(snapshot)).isEqualTo(expected(config, Map.of(), Map.of()));
    }

    @Test
    void theLivePartIsWrittenAgainEachSnapshotAndTheConfigurationPartWhenItChanges() throws Exception {
        var encoder = new StateEncoder();
        var config = config(CONFIG);
        encoder.encode(TOP, config, serverViews(true), realViews(1200));
        // Same configuration, new counters and quorum: the snapshot shows them.
        var later = encoder.encode(TOP, config, serverViews(false), realViews(1300));
        assertThat(text(later)).isEqualTo(expected(config, serverViews(false), realViews(1300)));
        // A new configuration (a weight edited): its part is made again.
        var edited = config(CONFIG.replace("weight 3", "weight 5"));
        var afterEdit = encoder.encode(TOP, edited, serverViews(false), realViews(1300));
        assertThat(text(afterEdit)).isEqualTo(expected(edited, serverViews(false), realViews(1300)))
                .contains("\"weight\":5");
    }

    @Test
    void onlyTheVirtualServersAskedForInConfigurationOrder() throws Exception {
        var config = config(CONFIG);
        var snapshot = new StateEncoder().encode(TOP, config, serverViews(true), realViews(1200));
        var whole = (ObjectNode) JsonRpc.mapper().readTree(text(snapshot));
        var only = JsonRpc.mapper().readTree(snapshot.only(List.of("udp/[2001:db8::10]:443", "tcp/192.0.2.10:80"))
                .bytes());
        var servers = (ArrayNode) whole.get("virtualServers");
        var expected = whole.deepCopy();
        expected.putArray("virtualServers").add(servers.get(0)).add(servers.get(3));
        assertThat(only).isEqualTo(expected);
        assertThat(JsonRpc.mapper().readTree(snapshot.only(List.of()).bytes()).get("virtualServers")).isEmpty();
    }

    /// A snapshot's array is used again only once every call sharing it has written (or released)
    /// its result; until then the next snapshots write into other arrays, and what the first calls
    /// still have to write stays as it was.
    @Test
    void anArrayIsReusedOnlyAfterEverySharerHasWrittenIt() throws Exception {
        var encoder = new StateEncoder();
        var config = config(CONFIG);
        var first = encoder.encode(TOP, config, serverViews(true), realViews(1200), 3);
        var whole = first.all();
        var part = first.only(List.of("fwmark/7"));
        var before = new String(whole.bytes(), StandardCharsets.UTF_8);
        whole.written().run();
        part.written().run();
        // One sharer has neither written nor released it: the next snapshot takes a new array.
        var second = encoder.encode(TOP, config, serverViews(false), realViews(1300), 1);
        assertThat(second.json()).isNotSameAs(first.json());
        assertThat(new String(whole.bytes(), StandardCharsets.UTF_8)).isEqualTo(before);
        first.release();
        second.all().written().run();
        var third = encoder.encode(TOP, config, serverViews(false), realViews(1400), 1);
        assertThat(third.json()).as("a spare array is taken").isIn(first.json(), second.json());
        assertThat(text(third)).isEqualTo(expected(config, serverViews(false), realViews(1400)));
        // A snapshot nobody declared sharers for (the records' tests, the metrics page) is never reused.
        var unshared = encoder.encode(TOP, config, serverViews(true), realViews(1200));
        unshared.all().written().run();
        var fourth = encoder.encode(TOP, config, serverViews(true), realViews(1200), 1);
        assertThat(fourth.json()).isNotSameAs(unshared.json());
    }
}
