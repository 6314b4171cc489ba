package dev.pharos.console.connect;

import java.io.IOException;
import java.time.Duration;

/// Opens a link to an agent: over SSH ([SshConnector]) for real directors, in memory for the lab.
@FunctionalInterface
public interface Connector {
    AgentLink connect(DirectorEndpoint endpoint, Duration timeout) throws IOException;
}
