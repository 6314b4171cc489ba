package dev.pharos.console.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pharos.agent.api.JsonRpc;
import dev.pharos.agent.api.Methods;
import dev.pharos.agent.api.Params;
import dev.pharos.agent.api.Protocol;
import dev.pharos.agent.api.Results;
import dev.pharos.agent.api.RpcError;
import dev.pharos.agent.api.RpcException;
import dev.pharos.agent.control.ControlClient;
import dev.pharos.agent.control.Dispatcher;
import dev.pharos.agent.control.EventJournal;
import dev.pharos.agent.control.InMemoryChannel;
import dev.pharos.agent.control.Method;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/// [AgentClient] against a real control session in memory: what goes on the wire is the params
/// record, what comes back is the declared result record, and error data is read as a record.
class AgentClientTest {

    /// Each request's params as the agent received them, by method.
    private final List<Map.Entry<String, JsonNode>> received = new CopyOnWriteArrayList<>();
    private ControlClient control;

    private AgentClient open(Map<String, Method> methods) throws IOException {
        control = InMemoryChannel.open("test", new Dispatcher(methods), new EventJournal(Clock.systemUTC(), 10));
        return new AgentClient(control, Duration.ofSeconds(10));
    }

    private Method recording(String name, Object result) {
        return (params, session) -> {
            received.add(Map.entry(name, params));
            return result;
        };
    }

    @AfterEach
    void close() {
        if (control != null) {
            control.close();
        }
    }

    @Test
    void sendsTheParamsRecordAndReadsTheDeclaredResult() throws Exception {
        var agent = open(Map.of(Methods.VRRP_SET_PRIORITY.name(), recording("vrrp.setPriority",
                Map.of("instance", "VI_1", "priority", 120))));
        var result = agent.call(Methods.VRRP_SET_PRIORITY, new Params.SetPriority("VI_1", 120));
        assertThat(result).isEqualTo(new Results.PrioritySet("VI_1", 120));
        assertThat(received).singleElement().satisfies(e -> {
            assertThat(e.getKey()).isEqualTo("vrrp.setPriority");
            assertThat(e.getValue()).isEqualTo(JsonRpc.mapper().readTree("{\"instance\":\"VI_1\",\"priority\":120}"));
        });
    }

    @Test
    void aMethodWithoutParamsSendsAnEmptyObject() throws Exception {
        var agent = open(Map.of(Methods.CONFIG_GET.name(), recording("config.get",
                new Results.Config("r7", "/etc/keepalived/keepalived.conf", "global_defs {\n}\n", List.of()))));
        assertThat(agent.call(Methods.CONFIG_GET, Params.None.NONE).revision()).isEqualTo("r7");
        assertThat(received.getFirst().getValue().toString()).isEqualTo("{}");
    }

    @Test
    void anAnswerThatDoesNotFitTheDeclaredResultIsAnIoErrorNamingTheMethod() throws Exception {
        var agent = open(Map.of(Methods.VRRP_RESIGN.name(), recording("vrrp.resign", List.of(1, 2))));
        assertThatThrownBy(() -> agent.call(Methods.VRRP_RESIGN, new Params.Resign("VI_1")))
                .isInstanceOf(IOException.class).hasMessageContaining("vrrp.resign").hasMessageContaining("Resigned");
    }

    @Test
    void errorDataIsReadAsARecordWhenItFits() throws Exception {
        var validation = new Results.Validation(false, List.of(new Results.Diagnostic("error", "k.conf", 3, 5,
                "priority 400 is outside 1–255", "k.conf:3:5: error: priority 400 is outside 1–255")));
        var agent = open(Map.of(
                Methods.CONFIG_APPLY.name(), (p, s) -> {
                    throw new RpcException(new RpcError(Protocol.Errors.INVALID_CONFIG, "invalid",
                            JsonRpc.tree(validation)));
                },
                Methods.REAL_SERVER_REMOVE.name(), (p, s) -> {
                    throw new RpcException(new RpcError(Protocol.Errors.STALE_REVISION, "stale",
                            JsonRpc.tree(new Results.Stale("r9"))));
                }));
        var invalid = catchRpc(() -> agent.call(Methods.CONFIG_APPLY, new Params.ConfigApply("r1", "x")));
        assertThat(invalid.error().code()).isEqualTo(Protocol.Errors.INVALID_CONFIG);
        assertThat(AgentClient.errorData(invalid, Results.Validation.class)).contains(validation);
        var stale = catchRpc(() -> agent.call(Methods.REAL_SERVER_REMOVE,
                new Params.RealServerRemove("r1", "tcp/192.0.2.100:80", "198.51.100.11:80")));
        assertThat(AgentClient.errorData(stale, Results.Stale.class)).contains(new Results.Stale("r9"));
        // A stale revision carries no diagnostics: the editor must not show an empty list for it.
        assertThat(AgentClient.errorData(stale, Results.Validation.class)).isEmpty();
        assertThat(AgentClient.errorData(new RpcException(Protocol.Errors.NOT_FOUND, "no"), Results.Stale.class))
                .isEmpty();
    }

    @Test
    void paramsAreRequired() throws Exception {
        var agent = open(Map.of());
        assertThatThrownBy(() -> agent.call(Methods.HELLO, null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("agent.hello").hasMessageContaining("Params.None.NONE");
    }

    private interface RpcCall {
        Object run() throws Exception;
    }

    private static RpcException catchRpc(RpcCall call) {
        try {
            call.run();
        } catch (RpcException e) {
            return e;
        } catch (Exception e) {
            throw new AssertionError("expected an error response, got " + e, e);
        }
        throw new AssertionError("expected an error response, got a result");
    }
}
