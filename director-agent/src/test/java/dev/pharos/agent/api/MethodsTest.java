package dev.pharos.agent.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/// The method declarations are the one list of the protocol's methods: [Protocol]'s names and
/// [Protocol#METHODS] agree with them, each has records on both ends, and the results that were
/// ad-hoc maps before keep their wire JSON.
class MethodsTest {

    @Test
    void everyDeclaredMethodIsInProtocolMethodsAndViceVersa() {
        var declared = Methods.ALL.stream().map(RpcMethod::name).toList();
        assertThat(declared).doesNotHaveDuplicates();
        assertThat(Protocol.METHODS).containsExactlyInAnyOrderElementsOf(declared);
        assertThat(declared).containsExactlyInAnyOrderElementsOf(Protocol.METHODS);
    }

    @Test
    void everyMethodNameConstantOfProtocolIsDeclared() throws Exception {
        var names = new ArrayList<String>();
        for (var f : Protocol.class.getDeclaredFields()) {
            int mod = f.getModifiers();
            if (Modifier.isPublic(mod) && Modifier.isStatic(mod) && f.getType() == String.class
                    && !f.getName().equals("EVENT_NOTIFICATION")) {
                names.add((String) f.get(null));
            }
        }
        assertThat(names).hasSize(Methods.ALL.size());
        for (var name : names) {
            assertThat(Methods.named(name)).as(name).isPresent();
        }
    }

    @Test
    void everyConstantOfMethodsIsInAll() throws Exception {
        var constants = new ArrayList<Object>();
        for (var f : Methods.class.getDeclaredFields()) {
            if (f.getType() == RpcMethod.class) {
                constants.add(f.get(null));
            }
        }
        assertThat(Methods.ALL).containsExactlyInAnyOrderElementsOf(constants.stream().map(c -> (RpcMethod<?, ?>) c)
                .toList());
    }

    @Test
    void paramsAndResultsAreRecords() {
        for (var m : Methods.ALL) {
            assertThat(m.params().isRecord()).as(m + " params").isTrue();
            assertThat(m.result().isRecord()).as(m + " result").isTrue();
        }
        assertThat(Methods.named("no.such")).isEmpty();
    }

    @Test
    void theFormerMapResultsKeepTheirWireJson() throws Exception {
        assertThat(JsonRpc.tree(new Results.PrioritySet("VI_1", 120)))
                .isEqualTo(JsonRpc.tree(java.util.Map.of("instance", "VI_1", "priority", 120)));
        assertThat(JsonRpc.tree(new Results.Resigned("VI_1"))).isEqualTo(JsonRpc.tree(java.util.Map.of("instance", "VI_1")));
        assertThat(JsonRpc.tree(new Results.Unsubscribed())).isEqualTo(JsonRpc.tree(java.util.Map.of()));
        assertThat(JsonRpc.tree(Params.None.NONE).toString()).isEqualTo("{}");
        // And a client reads what the agent sends, unknown fields included.
        var read = JsonRpc.mapper().readValue("{\"instance\":\"VI_2\",\"priority\":7,\"later\":1}",
                Results.PrioritySet.class);
        assertThat(read).isEqualTo(new Results.PrioritySet("VI_2", 7));
        assertThat(JsonRpc.mapper().readValue("{\"x\":1}", Results.Unsubscribed.class)).isEqualTo(new Results.Unsubscribed());
        assertThat(List.of(Methods.VRRP_SET_PRIORITY.result(), Methods.VRRP_RESIGN.result(),
                Methods.EVENTS_UNSUBSCRIBE.result())).containsExactly(Results.PrioritySet.class, Results.Resigned.class,
                Results.Unsubscribed.class);
    }
}
