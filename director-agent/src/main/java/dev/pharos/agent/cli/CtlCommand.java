package dev.pharos.agent.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pharos.agent.api.JsonRpc;
import dev.pharos.agent.api.Protocol;
import dev.pharos.agent.api.RpcException;
import dev.pharos.agent.control.ControlClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/// `ctl METHOD [PARAMS_JSON]`: one JSON-RPC call, its result as JSON on stdout. With
/// `events.subscribe` it then prints each event as one line until the agent goes away.
///
/// Exit codes: 0 success, 1 the agent answered with an error (on stderr, with its data),
/// 2 usage, 3 the agent cannot be reached.
@Command(name = "ctl", description = {"Call one control-channel method and print its result as JSON.",
        "Example: ctl realServer.update '{\"baseRevision\":\"…\",\"virtualServer\":\"tcp/192.0.2.10:80\","
                + "\"realServer\":\"198.51.100.11:80\",\"weight\":0}'"})
final class CtlCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "METHOD", description = "e.g. state.get, vrrp.resign, events.subscribe")
    String method;

    @Parameters(index = "1", arity = "0..1", paramLabel = "PARAMS_JSON", description = "the params object (default {})")
    String params;

    @Option(names = "--control-socket", paramLabel = "PATH", defaultValue = "/run/pharos/agent.sock",
            description = "the agent's control socket (default: ${DEFAULT-VALUE})")
    Path socket;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "how long to wait for the answer (default: ${DEFAULT-VALUE})")
    long timeoutSeconds;

    @Override
    public Integer call() throws InterruptedException {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        JsonNode p;
        try {
            p = params == null ? JsonRpc.mapper().createObjectNode() : JsonRpc.mapper().readTree(params);
        } catch (JsonProcessingException e) {
            err.println("director-agent: ctl: PARAMS_JSON is not JSON: " + e.getOriginalMessage());
            return 2;
        }
        if (p == null || !(p.isObject() || p.isArray())) {
            err.println("director-agent: ctl: PARAMS_JSON must be a JSON object");
            return 2;
        }
        try (var client = ControlClient.connect(socket)) {
            var streaming = method.equals(Protocol.EVENTS_SUBSCRIBE);
            if (streaming) {
                client.onEvent(e -> {
                    out.println(JsonRpc.tree(e).toString());
                    out.flush();
                });
            }
            var result = client.call(method, p, Duration.ofSeconds(timeoutSeconds));
            out.println(JsonRpc.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(result));
            out.flush();
            if (streaming) {
                var reason = client.closedFuture().join();
                err.println("director-agent: ctl: " + reason);
            }
            return 0;
        } catch (RpcException e) {
            err.println("director-agent: ctl: " + method + ": error " + e.error().code() + ": " + e.error().message());
            if (e.error().data() != null) {
                err.println(e.error().data().toPrettyString());
            }
            return 1;
        } catch (IOException e) {
            err.println("director-agent: ctl: " + e.getMessage());
            return 3;
        }
    }
}
