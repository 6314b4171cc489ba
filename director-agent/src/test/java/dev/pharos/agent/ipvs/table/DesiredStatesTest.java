package dev.pharos.agent.ipvs.table;

import static dev.pharos.agent.ipvs.table.TableSpecTest.ip;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.config.ConfigException;
import dev.pharos.agent.config.ConfigLoader;
import dev.pharos.agent.config.ParseCache;
import dev.pharos.agent.config.VirtualServerDef;
import dev.pharos.agent.ipvs.table.HealthView.CheckState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// [DesiredStates] reuses unchanged virtual servers and still gives, change after change, what
/// [DesiredState#next] computes whole.
class DesiredStatesTest {

    static Endpoint endpoint(int n) {
        return new Endpoint(ip("198.51.100." + n), 80);
    }

    static TableSpec.VirtualServerSpec virtualServer(int v, List<TableSpec.RealServerSpec> servers, int quorum,
            int hysteresis, boolean sorry) {
        var key = new ServiceKey.ByAddress(Protocol.TCP, ip("192.0.2." + (1 + v % 4)), 80 + v / 4);
        return new TableSpec.VirtualServerSpec(key.toString(), List.of(key), ServiceSettings.of("wrr"),
                ForwardingMethod.DR, servers, sorry ? new TableSpec.SorryServerSpec(endpoint(250), 1,
                        ForwardingMethod.DR, v % 2 == 0) : null, quorum, hysteresis, "", "");
    }

    static TableSpec.RealServerSpec server(Random random, int n) {
        return server(random, endpoint(n));
    }

    static TableSpec.RealServerSpec server(Random random, Endpoint endpoint) {
        return new TableSpec.RealServerSpec(endpoint, random.nextInt(4), ForwardingMethod.DR,
                random.nextInt(4) == 0, random.nextInt(4) == 0, random.nextInt(3) != 0, 0, 0, random.nextInt(8) == 0);
    }

    @Test
    void randomChangesOfSpecAndHealthGiveTheWholeComputation() {
        var random = new Random(4);
        var servers = new ArrayList<TableSpec.VirtualServerSpec>();
        for (int v = 0; v < 12; v++) {
            var list = new ArrayList<TableSpec.RealServerSpec>();
            for (int r = 0; r < 1 + v % 4; r++) {
                list.add(server(random, 1 + r));
            }
            servers.add(virtualServer(v, list, 1 + v % 3, v % 3 == 2 ? 1 : 0, v % 3 == 0));
        }
        var health = HealthView.NONE;
        var incremental = new DesiredStates();
        DesiredState whole = null;
        DesiredState previous = null;
        int reused = 0;
        for (int round = 0; round < 2000; round++) {
            var changed = new HashSet<String>();
            int v = random.nextInt(servers.size());
            var vs = servers.get(v);
            switch (random.nextInt(5)) {
                case 0 -> { // a real server's spec (weight, flags) in the file
                    var list = new ArrayList<>(vs.realServers());
                    int r = random.nextInt(list.size());
                    list.set(r, server(random, list.get(r).endpoint()));
                    servers.set(v, virtualServer(v, list, vs.quorum(), vs.hysteresis(), vs.sorryServer() != null));
                }
                case 1, 2 -> { // a check result
                    var rs = vs.realServers().get(random.nextInt(vs.realServers().size()));
                    var ref = new RealServerRef(vs.name(), rs.endpoint());
                    health = random.nextBoolean() ? health.with(ref, CheckState.values()[random.nextInt(3)])
                            : health.withDynamicWeight(ref, random.nextInt(5));
                    changed.add(vs.name());
                }
                case 3 -> { // the same spec, a new object (a reload parses the file again)
                    servers.set(v, virtualServer(v, vs.realServers(), vs.quorum(), vs.hysteresis(),
                            vs.sorryServer() != null));
                }
                default -> { // nothing: the quorum's hysteresis settles
                }
            }
            var spec = new TableSpec(List.copyOf(servers));
            var next = incremental.next(spec, health, RuntimeEdits.NONE, changed);
            whole = whole == null ? DesiredState.compute(spec, health, RuntimeEdits.NONE)
                    : whole.next(spec, health, RuntimeEdits.NONE);
            assertThat(next).as("round " + round).isEqualTo(whole);
            assertThat(List.copyOf(next.table().services().keySet())).as("order, round " + round)
                    .isEqualTo(List.copyOf(whole.table().services().keySet()));
            reused += previous == null ? 0 : sameServices(next, previous);
            previous = next;
        }
        assertThat(reused).isPositive();
    }

    @Test
    void anUnchangedVirtualServerKeepsItsServiceObjects() {
        var random = new Random(5);
        var a = virtualServer(0, List.of(server(random, 1), server(random, 2)), 1, 0, false);
        var b = virtualServer(1, List.of(server(random, 3)), 1, 0, false);
        var states = new DesiredStates();
        var first = states.next(new TableSpec(List.of(a, b)), HealthView.NONE, RuntimeEdits.NONE, null);
        var b2 = virtualServer(1, List.of(TableSpec.RealServerSpec.of(endpoint(3), 9, ForwardingMethod.DR)), 1, 0, false);
        var second = states.next(new TableSpec(List.of(a, b2)), HealthView.NONE, RuntimeEdits.NONE, new HashSet<>());

        var keyA = a.keys().getFirst();
        var keyB = b.keys().getFirst();
        assertThat(second.table().services().get(keyA)).isSameAs(first.table().services().get(keyA));
        assertThat(second.table().services().get(keyB)).isNotEqualTo(first.table().services().get(keyB));
        assertThat(second.table().changedSince(first.table())).containsExactly(keyB);
    }

    /// A spec equal to the last one but another object (the first edit after a load maps every
    /// block again) keeps the computed part and takes the new object, so that every later change
    /// compares identities, not every real server of every virtual server.
    @Test
    void anEqualSpecReplacesTheKeptOneSoLaterChangesCompareIdentities() {
        var random = new Random(6);
        var a = virtualServer(0, List.of(server(random, 1), server(random, 2)), 1, 0, false);
        var copy = virtualServer(0, List.copyOf(a.realServers()), 1, 0, false);
        assertThat(copy).isEqualTo(a).isNotSameAs(a);
        var states = new DesiredStates();
        var first = states.next(new TableSpec(List.of(a)), HealthView.NONE, RuntimeEdits.NONE, null);
        var second = states.next(new TableSpec(List.of(copy)), HealthView.NONE, RuntimeEdits.NONE, new HashSet<>());
        var key = a.keys().getFirst();
        assertThat(second.table().services().get(key)).isSameAs(first.table().services().get(key));
        assertThat(states.lastPart(a.name()).spec()).isSameAs(copy);
    }

    /// A reload reuses the models of unchanged blocks; their specs are reused too, except a
    /// `virtual_server group`'s, whose services follow the `virtual_server_group` block.
    @Test
    void specsOfReusedModelsAreReusedButAGroupFollowsItsDefinition(@TempDir Path dir)
            throws IOException, ConfigException {
        var file = dir.resolve("keepalived.conf");
        var servers = "virtual_server group G {\n    protocol TCP\n    real_server 198.51.100.1 80 {\n    }\n}\n"
                + "virtual_server 192.0.2.9 80 {\n    protocol TCP\n    real_server 198.51.100.2 80 {\n    }\n}\n";
        Files.writeString(file, "virtual_server_group G {\n    192.0.2.1 80\n}\n" + servers);
        var cache = new ParseCache();
        var first = ConfigLoader.load(file, "test", cache).config();
        var made = new IdentityHashMap<VirtualServerDef, TableSpec.VirtualServerSpec>();
        TableSpec.from(first, Map.of(), made);
        Files.writeString(file, "virtual_server_group G {\n    192.0.2.1 80\n    192.0.2.2 80\n}\n" + servers);
        var second = ConfigLoader.load(file, "test", cache).config();
        assertThat(cache.reused()).isEqualTo(2);

        var spec = TableSpec.from(second, made, new IdentityHashMap<>());
        assertThat(spec).isEqualTo(TableSpec.from(second));
        assertThat(spec.virtualServers().get(0).keys()).hasSize(2);
        assertThat(spec.virtualServers().get(1)).isSameAs(made.get(second.virtualServers().get(1)));
    }

    /// How many services of `next` are the objects `previous` had: reused, not computed again.
    private static int sameServices(DesiredState next, DesiredState previous) {
        return (int) next.table().services().entrySet().stream()
                .filter(e -> e.getValue() == previous.table().services().get(e.getKey())).count();
    }
}
