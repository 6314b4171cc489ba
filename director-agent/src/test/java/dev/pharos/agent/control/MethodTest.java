package dev.pharos.agent.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pharos.agent.api.JsonRpc;
import dev.pharos.agent.api.Methods;
import dev.pharos.agent.api.Params;
import dev.pharos.agent.api.Protocol;
import dev.pharos.agent.api.Results;
import dev.pharos.agent.api.RpcException;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/// [Method#of]: the agent reads a method's params through its declaration.
class MethodTest {

    private static final Method.Session SESSION = new Method.Session() {
        @Override
        public Results.Subscribed subscribe(Long afterSequence) {
            return new Results.Subscribed(0, 0, false);
        }

        @Override
        public void unsubscribe() {
        }

        @Override
        public String peer() {
            return "test";
        }

        @Override
        public Role role() {
            return Role.ADMIN;
        }
    };

    @Test
    void paramsAreReadIntoTheDeclaredRecord() throws Exception {
        var seen = new AtomicReference<Params.SetPriority>();
        var method = Method.of(Methods.VRRP_SET_PRIORITY, (p, s) -> {
            seen.set(p);
            return new Results.PrioritySet(p.instance(), p.priority());
        });
        var result = method.call(JsonRpc.mapper().readTree("{\"instance\":\"VI_1\",\"priority\":120}"), SESSION);
        assertThat(seen.get()).isEqualTo(new Params.SetPriority("VI_1", 120));
        assertThat(result).isEqualTo(new Results.PrioritySet("VI_1", 120));
    }

    @Test
    void aMistypedFieldIsInvalidParamsNamingIt() {
        var method = Method.of(Methods.VRRP_SET_PRIORITY, (p, s) -> new Results.PrioritySet(p.instance(), p.priority()));
        assertThatThrownBy(() -> method.call(JsonRpc.mapper().readTree("{\"instance\":\"VI_1\",\"priority\":\"100\"}"),
                SESSION)).isInstanceOfSatisfying(RpcException.class, e -> {
                    assertThat(e.error().code()).isEqualTo(Protocol.Errors.INVALID_PARAMS);
                    assertThat(e.getMessage()).contains("priority");
                });
    }

    @Test
    void aMethodWithoutParamsIgnoresWhatIsSent() throws Exception {
        var seen = new AtomicReference<Params.None>();
        var method = Method.of(Methods.CONFIG_GET, (p, s) -> {
            seen.set(p);
            return new Results.Config("r1", "/etc/keepalived/keepalived.conf", "", List.of());
        });
        // As before the declarations: agent.hello, state.get, config.get never read their params.
        method.call(JsonRpc.mapper().readTree("[1, 2]"), SESSION);
        assertThat(seen.get()).isEqualTo(Params.None.NONE);
    }
}
