package dev.pharos.agent.control;

import dev.pharos.agent.api.Protocol;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;

/// A control channel inside one JVM: a [ControlSession] and a [ControlClient] joined by pipes.
/// The lab's agents are reached this way, so every console feature works on them exactly as on
/// a real director — the same protocol, the same framing, the same limits.
public final class InMemoryChannel {

    /// Opens a session on `dispatcher` and returns the client end. Closing the client ends the session.
    public static ControlClient open(String name, Dispatcher dispatcher, EventJournal journal) throws IOException {
        // NIO pipes, not java.io's piped streams: those break when the last writing thread ends,
        // and here any thread may call.
        var up = Pipe.open();
        var down = Pipe.open();
        var toAgent = Channels.newOutputStream(up.sink());
        var agentIn = Channels.newInputStream(up.source());
        var toClient = Channels.newOutputStream(down.sink());
        var clientIn = Channels.newInputStream(down.source());
        var session = new ControlSession(name, agentIn, toClient, dispatcher, journal,
                Protocol.MAX_LINE_BYTES, s -> {
                });
        Thread.ofVirtual().name("in-memory control " + name).start(session::serve);
        return ControlClient.over(clientIn, toAgent, () -> {
            toAgent.close();
            session.close(null);
        }, name);
    }

    private InMemoryChannel() {
    }
}
