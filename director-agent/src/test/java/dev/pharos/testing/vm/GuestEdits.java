package dev.pharos.testing.vm;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pharos.agent.api.JsonRpc;
import dev.pharos.agent.api.Protocol;
import dev.pharos.agent.api.RpcException;
import dev.pharos.agent.control.ControlClient;

/// A small control-channel client for guest scripts: one JVM (tens of seconds to start under
/// TCG) makes a whole series of runtime edits. It reads edits from standard input, one JSON
/// object a line (`{"method": "realServer.update", "params": {…}}`), gives each the agent's
/// current revision as `baseRevision`, and prints `edit N: ok` or `edit N: failed: why` — so a
/// script can feed it through a FIFO and check the kernel's table between edits.
///
/// Usage: `java … dev.pharos.testing.vm.GuestEdits SOCKET`
public final class GuestEdits {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private GuestEdits() {
    }

    public static void main(String[] args) throws Exception {
        var mapper = JsonRpc.mapper();
        try (var client = ControlClient.connect(Path.of(args[0]));
                var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            int n = 0;
            for (var line = in.readLine(); line != null; line = in.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                n++;
                var edit = mapper.readTree(line);
                var params = (ObjectNode) edit.get("params");
                try {
                    var state = client.call(Protocol.STATE_GET, Map.of(), TIMEOUT);
                    params.put("baseRevision", state.get("revision").asText());
                    client.call(edit.get("method").asText(), params, TIMEOUT);
                    System.out.println("edit " + n + ": ok");
                } catch (RpcException e) {
                    System.out.println("edit " + n + ": failed: " + e.getMessage());
                }
            }
        }
    }

    /// The command that starts the client in the guest, reading edits from `input`.
    public static String command(String socket, String input) {
        return GuestAgent.java("dev.pharos.testing.vm.GuestEdits", socket) + " < " + GuestAgent.quote(input);
    }
}
