package dev.pharos.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.api.Methods;
import dev.pharos.agent.api.RpcMethod;
import org.junit.jupiter.api.Test;

/// The agent answers exactly the declared methods, in their order (`agent.hello` lists them).
class AgentControlMethodsTest {

    @Test
    void registersEveryDeclaredMethodAndNoOther() {
        // Registering reads no daemon state: each method only captures it.
        var registered = new AgentControl(null).methods().keySet();
        assertThat(registered).containsExactlyElementsOf(Methods.ALL.stream().map(RpcMethod::name).toList());
    }
}
