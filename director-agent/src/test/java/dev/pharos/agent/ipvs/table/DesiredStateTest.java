package dev.pharos.agent.ipvs.table;

import static dev.pharos.agent.ipvs.table.TableSpecTest.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pharos.agent.ipvs.table.HealthView.CheckState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/// keepalived's table rules (`keepalived/check/ipwrapper.c`), one per test.
class DesiredStateTest {

    static final ServiceKey WEB = new ServiceKey.ByAddress(Protocol.TCP, ip("192.0.2.10"), 80);
    static final ServiceKey OTHER = new ServiceKey.ByAddress(Protocol.TCP, ip("192.0.2.11"), 80);
    static final Endpoint SORRY = new Endpoint(ip("198.51.100.99"), 8080);

    static Endpoint rs(int n) {
        return new Endpoint(ip("198.51.100." + n), 80);
    }

    static RealServerRef ref(int n) {
        return new RealServerRef(WEB.toString(), rs(n));
    }

    static TableSpec.RealServerSpec server(int n, int weight) {
        return TableSpec.RealServerSpec.of(rs(n), weight, ForwardingMethod.DR);
    }

    static TableSpec.VirtualServerSpec vs(ServiceKey key, List<TableSpec.RealServerSpec> servers,
            TableSpec.SorryServerSpec sorry, int quorum, int hysteresis) {
        return new TableSpec.VirtualServerSpec(key.toString(), List.of(key), ServiceSettings.of("wrr"),
                ForwardingMethod.DR, servers, sorry, quorum, hysteresis, "", "");
    }

    static TableSpec spec(TableSpec.VirtualServerSpec... servers) {
        return new TableSpec(List.of(servers));
    }

    /// The destinations of `key` as endpoint → weight.
    static Map<Endpoint, Integer> weights(DesiredState state, ServiceKey key) {
        var out = new LinkedHashMap<Endpoint, Integer>();
        state.table().services().get(key).destinations().forEach((e, d) -> out.put(e, d.weight()));
        return out;
    }

    static HealthView health(Object... refStatePairs) {
        var h = HealthView.NONE;
        for (int i = 0; i < refStatePairs.length; i += 2) {
            h = h.with((RealServerRef) refStatePairs[i], (CheckState) refStatePairs[i + 1]);
        }
        return h;
    }

    @Test
    void aliveServersAreInThePoolWithTheirWeightAndForwarding() {
        var s = spec(vs(WEB, List.of(server(1, 3), server(2, 1)), null, 1, 0));
        var state = DesiredState.compute(s, health(ref(1), CheckState.UP, ref(2), CheckState.UP), RuntimeEdits.NONE);

        assertEquals(Map.of(rs(1), 3, rs(2), 1), weights(state, WEB));
        assertEquals(ForwardingMethod.DR, state.table().services().get(WEB).destinations().get(rs(1)).forwarding());
        assertEquals(ServiceSettings.of("wrr").forFamily(AddressFamily.INET), state.table().services().get(WEB).settings());
        assertEquals(new DesiredState.Quorum(true, 4, 1, 0), state.quorum().get(WEB.toString()));
    }

    @Test
    void aDownServerIsRemoved() {
        var s = spec(vs(WEB, List.of(server(1, 1), server(2, 1)), null, 1, 0));
        var state = DesiredState.compute(s, health(ref(1), CheckState.UP, ref(2), CheckState.DOWN), RuntimeEdits.NONE);

        assertEquals(Map.of(rs(1), 1), weights(state, WEB));
    }

    @Test
    void aDownServerWithInhibitOnFailureStaysWithWeightZero() {
        var inhibited = new TableSpec.RealServerSpec(rs(2), 4, ForwardingMethod.DR, true, false, true, 0, 0, false);
        var s = spec(vs(WEB, List.of(server(1, 1), inhibited), null, 1, 0));

        var down = DesiredState.compute(s, health(ref(1), CheckState.UP, ref(2), CheckState.DOWN), RuntimeEdits.NONE);
        assertEquals(Map.of(rs(1), 1, rs(2), 0), weights(down, WEB));

        var up = down.next(s, health(ref(1), CheckState.UP, ref(2), CheckState.UP), RuntimeEdits.NONE);
        assertEquals(Map.of(rs(1), 1, rs(2), 4), weights(up, WEB));
    }

    @Test
    void inAlphaModeAServerStartsDownUntilItsFirstSuccessfulCheck() {
        var alpha = new TableSpec.RealServerSpec(rs(1), 1, ForwardingMethod.DR, false, true, true, 0, 0, false);
        var s = spec(vs(WEB, List.of(alpha, server(2, 1)), null, 1, 0));

        var start = DesiredState.compute(s, HealthView.NONE, RuntimeEdits.NONE);
        // without alpha a server is optimistic: in the pool before its first check
        assertEquals(Map.of(rs(2), 1), weights(start, WEB));

        var checked = start.next(s, health(ref(1), CheckState.UP), RuntimeEdits.NONE);
        assertEquals(Map.of(rs(1), 1, rs(2), 1), weights(checked, WEB));
    }

    @Test
    void aServerWithoutCheckersIsAlwaysAlive() {
        var unchecked = new TableSpec.RealServerSpec(rs(1), 2, ForwardingMethod.DR, false, true, false, 0, 0, false);
        var s = spec(vs(WEB, List.of(unchecked), null, 1, 0));

        var state = DesiredState.compute(s, health(ref(1), CheckState.DOWN), RuntimeEdits.NONE);
        assertEquals(Map.of(rs(1), 2), weights(state, WEB));
    }

    @Test
    void aDynamicWeightFromMiscCheckReplacesTheConfiguredOne() {
        var s = spec(vs(WEB, List.of(server(1, 1)), null, 1, 0));
        var h = health(ref(1), CheckState.UP).withDynamicWeight(ref(1), 7);

        assertEquals(Map.of(rs(1), 7), weights(DesiredState.compute(s, h, RuntimeEdits.NONE), WEB));
    }

    @Test
    void drainSetsWeightZeroOverADynamicWeightAndSetWeightEndsIt() {
        var s = spec(vs(WEB, List.of(server(1, 1), server(2, 1)), null, 1, 0));
        var h = health(ref(1), CheckState.UP, ref(2), CheckState.UP).withDynamicWeight(ref(1), 7);
        var drained = RuntimeEdits.NONE.plus(new RuntimeEdit.Drain(ref(1)));

        var state = DesiredState.compute(s, h, drained);
        assertEquals(Map.of(rs(1), 0, rs(2), 1), weights(state, WEB));
        assertEquals(1, state.quorum().get(WEB.toString()).weightSum());

        var weighted = drained.plus(new RuntimeEdit.SetWeight(ref(1), 5));
        // the configured weight is 5 now, but MISC_CHECK's dynamic weight still wins
        assertEquals(Map.of(rs(1), 7, rs(2), 1), weights(DesiredState.compute(s, h, weighted), WEB));
        assertEquals(Map.of(rs(1), 5, rs(2), 1), weights(DesiredState.compute(s,
                health(ref(1), CheckState.UP, ref(2), CheckState.UP), weighted), WEB));
    }

    @Test
    void quorumWithHysteresisMovesTheThresholdAwayFromTheCurrentState() {
        // quorum 3, hysteresis 1: lost below 2, regained at 4
        var servers = new ArrayList<TableSpec.RealServerSpec>();
        for (int n = 1; n <= 4; n++) {
            servers.add(server(n, 1));
        }
        var sorry = new TableSpec.SorryServerSpec(SORRY, 1, ForwardingMethod.NAT, false);
        var s = spec(vs(WEB, servers, sorry, 3, 1));

        var state = DesiredState.compute(s, upTo(4), RuntimeEdits.NONE);
        assertTrue(state.quorum().get(WEB.toString()).up());
        assertEquals(4, weights(state, WEB).size());

        state = state.next(s, upTo(2), RuntimeEdits.NONE);
        assertEquals(new DesiredState.Quorum(true, 2, 3, 1), state.quorum().get(WEB.toString()), "2 >= 3 - 1");
        assertEquals(Map.of(rs(1), 1, rs(2), 1), weights(state, WEB));

        state = state.next(s, upTo(1), RuntimeEdits.NONE);
        assertFalse(state.quorum().get(WEB.toString()).up(), "1 < 3 - 1");
        assertEquals(Map.of(SORRY, 1), weights(state, WEB), "the sorry server is the whole pool");

        state = state.next(s, upTo(3), RuntimeEdits.NONE);
        assertFalse(state.quorum().get(WEB.toString()).up(), "3 < 3 + 1: not regained yet");
        assertEquals(Map.of(SORRY, 1), weights(state, WEB));

        state = state.next(s, upTo(4), RuntimeEdits.NONE);
        assertTrue(state.quorum().get(WEB.toString()).up(), "4 >= 3 + 1");
        assertEquals(Map.of(rs(1), 1, rs(2), 1, rs(3), 1, rs(4), 1), weights(state, WEB));
    }

    @Test
    void quorumChangesNameTheVirtualServersThatFlipped() {
        var s = spec(vs(WEB, List.of(server(1, 1), server(2, 1), server(3, 1), server(4, 1)), null, 3, 1),
                vs(OTHER, List.of(server(5, 1)), null, 1, 0));
        var start = DesiredState.compute(s, upTo(4), RuntimeEdits.NONE);

        var lost = start.next(s, upTo(1), RuntimeEdits.NONE);
        assertEquals(List.of(new DesiredState.QuorumChange(WEB.toString(), new DesiredState.Quorum(false, 1, 3, 1))),
                lost.quorumChangesSince(start));
        var still = lost.next(s, upTo(3), RuntimeEdits.NONE);
        assertEquals(List.of(), still.quorumChangesSince(lost), "3 < 4: no change yet");
        var regained = still.next(s, upTo(4), RuntimeEdits.NONE);
        assertTrue(regained.quorumChangesSince(still).getFirst().quorum().up());
    }

    @Test
    void atStartQuorumIsHeldOnlyAtQuorumPlusHysteresis() {
        var s = spec(vs(WEB, List.of(server(1, 1), server(2, 1), server(3, 1), server(4, 1)), null, 3, 1));

        assertFalse(DesiredState.compute(s, upTo(3), RuntimeEdits.NONE).quorum().get(WEB.toString()).up());
        assertTrue(DesiredState.compute(s, upTo(4), RuntimeEdits.NONE).quorum().get(WEB.toString()).up());
    }

    @Test
    void withoutASorryServerLosingQuorumLeavesThePoolAlone() {
        var s = spec(vs(WEB, List.of(server(1, 1), server(2, 1)), null, 2, 0));

        var state = DesiredState.compute(s, upTo(1), RuntimeEdits.NONE);
        assertFalse(state.quorum().get(WEB.toString()).up());
        assertEquals(Map.of(rs(1), 1), weights(state, WEB));
    }

    @Test
    void aWeightSumOfZeroAlwaysLosesQuorum() {
        var s = spec(vs(WEB, List.of(server(1, 0)), new TableSpec.SorryServerSpec(SORRY, 1, ForwardingMethod.NAT,
                false), 1, 0));
        var state = DesiredState.compute(s, upTo(1), RuntimeEdits.NONE);

        assertFalse(state.quorum().get(WEB.toString()).up());
        assertEquals(Map.of(SORRY, 1), weights(state, WEB));
    }

    @Test
    void anInhibitedSorryServerWaitsWithWeightZeroAndInhibitedServersStayWhileItServes() {
        var inhibited = new TableSpec.RealServerSpec(rs(2), 1, ForwardingMethod.DR, true, false, true, 0, 0, false);
        var sorry = new TableSpec.SorryServerSpec(SORRY, 1, ForwardingMethod.NAT, true);
        var s = spec(vs(WEB, List.of(server(1, 1), inhibited), sorry, 2, 0));

        var up = DesiredState.compute(s, upTo(2), RuntimeEdits.NONE);
        assertEquals(Map.of(rs(1), 1, rs(2), 1, SORRY, 0), weights(up, WEB));

        var down = up.next(s, health(ref(1), CheckState.DOWN, ref(2), CheckState.UP), RuntimeEdits.NONE);
        // keepalived's DEL_DEST of an inhibited server is an EDIT_DEST to weight 0
        assertEquals(Map.of(rs(2), 0, SORRY, 1), weights(down, WEB));
        assertEquals(ForwardingMethod.NAT, down.table().services().get(WEB).destinations().get(SORRY).forwarding());
    }

    @Test
    void runtimeEditsAddRemoveAndMoveRealServers() {
        var s = spec(vs(WEB, List.of(server(1, 1), server(2, 1)), null, 1, 0),
                vs(OTHER, List.of(server(3, 1)), null, 1, 0));
        var edits = RuntimeEdits.NONE
                .plus(new RuntimeEdit.AddRealServer(WEB.toString(), server(4, 9)))
                .plus(new RuntimeEdit.RemoveRealServer(ref(1)))
                .plus(new RuntimeEdit.MoveRealServer(ref(2), OTHER.toString()));

        var state = DesiredState.compute(s, HealthView.NONE, edits);
        assertEquals(Map.of(rs(4), 9), weights(state, WEB));
        assertEquals(Map.of(rs(3), 1, rs(2), 1), weights(state, OTHER));
        assertEquals(List.of(), state.editProblems());
    }

    @Test
    void anEditThatNoLongerFitsIsSkippedWithAReasonAndTheOthersApply() {
        var s = spec(vs(WEB, List.of(server(1, 1)), null, 1, 0));
        var edits = RuntimeEdits.NONE
                .plus(new RuntimeEdit.Drain(new RealServerRef("TCP 192.0.2.99:80", rs(1))))
                .plus(new RuntimeEdit.AddRealServer(WEB.toString(), server(1, 3)))
                .plus(new RuntimeEdit.SetWeight(ref(1), 6));

        var state = DesiredState.compute(s, HealthView.NONE, edits);
        assertEquals(Map.of(rs(1), 6), weights(state, WEB));
        assertEquals(2, state.editProblems().size());
        assertTrue(state.editProblems().get(0).contains("no virtual server 'TCP 192.0.2.99:80'"),
                state.editProblems().get(0));
        assertTrue(state.editProblems().get(1).contains("already in"), state.editProblems().get(1));
    }

    @Test
    void aGroupPutsTheSamePoolOnEveryService() {
        var group = new TableSpec.VirtualServerSpec("group G", List.of(WEB, OTHER,
                new ServiceKey.ByFwmark(5, AddressFamily.INET)), ServiceSettings.of("rr"), ForwardingMethod.DR,
                List.of(server(1, 2)), null, 1, 0, "", "");
        var state = DesiredState.compute(new TableSpec(List.of(group)), HealthView.NONE, RuntimeEdits.NONE);

        assertEquals(3, state.table().services().size());
        state.table().services().values().forEach(v -> assertEquals(Map.of(rs(1), 2), Map.copyOf(
                v.destinations().entrySet().stream().collect(java.util.stream.Collectors.toMap(
                        Map.Entry::getKey, e -> e.getValue().weight())))));
        assertEquals(1, state.quorum().size());
    }

    /// Servers 1..n up, the rest of 1..4 down.
    private static HealthView upTo(int n) {
        var h = HealthView.NONE;
        for (int i = 1; i <= 4; i++) {
            h = h.with(ref(i), i <= n ? CheckState.UP : CheckState.DOWN);
        }
        return h;
    }
}
