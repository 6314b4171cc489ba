package dev.pharos.console.connect;

import dev.pharos.agent.api.Hello;
import dev.pharos.agent.control.ControlClient;
import java.time.Duration;

/// An open path to one agent: the control client, and who answered.
public record AgentLink(DirectorEndpoint endpoint, ControlClient client, Hello hello) implements AutoCloseable {

    /// The typed client over this link, waiting at most `timeout` for each answer.
    public AgentClient agent(Duration timeout) {
        return new AgentClient(client, timeout);
    }

    public boolean isOpen() {
        return client.isOpen();
    }

    @Override
    public void close() {
        client.close();
    }
}
