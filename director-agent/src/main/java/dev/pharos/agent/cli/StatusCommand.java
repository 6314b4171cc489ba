package dev.pharos.agent.cli;

import dev.pharos.agent.api.AgentState;
import dev.pharos.agent.api.JsonRpc;
import dev.pharos.agent.api.Protocol;
import dev.pharos.agent.api.RpcException;
import dev.pharos.agent.control.ControlClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/// `status [--json]`: the live state of the agent, as a table for people or as `state.get`'s
/// JSON for scripts. Exit 3 when the agent cannot be reached.
@Command(name = "status", description = "Show the agent's live state: VRRP instances, virtual and real servers.")
final class StatusCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--control-socket", paramLabel = "PATH", defaultValue = "/run/pharos/agent.sock",
            description = "the agent's control socket (default: ${DEFAULT-VALUE})")
    Path socket;

    @Option(names = "--json", description = "print state.get's result as JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        try (var client = ControlClient.connect(socket)) {
            var node = client.call(Protocol.STATE_GET, null, Duration.ofSeconds(10));
            if (json) {
                out.println(JsonRpc.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(node));
            } else {
                print(out, JsonRpc.mapper().treeToValue(node, AgentState.class));
            }
            out.flush();
            return 0;
        } catch (RpcException e) {
            err.println("director-agent: status: error " + e.error().code() + ": " + e.error().message());
            return 1;
        } catch (IOException e) {
            err.println("director-agent: status: " + e.getMessage());
            return 3;
        }
    }

    static void print(PrintWriter out, AgentState s) {
        out.printf("%s  revision %s  balancer %s%s%n", s.hostname(), s.revision(), s.balancer().backend(),
                s.balancer().reason() == null ? "" : " (" + s.balancer().reason() + ")");
        out.println();
        if (s.vrrp().isEmpty()) {
            out.println("VRRP: no instances");
        } else {
            out.printf("%-12s %5s %-10s %-7s %9s  %-18s %s%n", "INSTANCE", "VRID", "INTERFACE", "STATE", "PRIORITY",
                    "MASTER", "VIRTUAL ADDRESSES");
            for (var i : s.vrrp()) {
                var prio = i.effectivePriority() == i.basePriority() ? Integer.toString(i.basePriority())
                        : i.effectivePriority() + "/" + i.basePriority();
                out.printf("%-12s %5d %-10s %-7s %9s  %-18s %s%s%n", i.name(), i.vrid(), i.interfaceName(), i.state(),
                        prio, i.master() == null ? "-" : i.master(), String.join(" ", i.virtualAddresses()),
                        i.faults().isEmpty() ? "" : "  faults: " + String.join(", ", i.faults()));
            }
        }
        for (var vs : s.virtualServers()) {
            out.println();
            out.printf("%s  %s %s%s  served: %s%s%s%n", vs.id(), vs.scheduler(), vs.kind(),
                    vs.persistenceSeconds() > 0 ? "  persistence " + vs.persistenceSeconds() + "s" : "",
                    vs.servedAs(), vs.servedReason() == null ? "" : " (" + vs.servedReason() + ")",
                    vs.quorumUp() ? "" : "  QUORUM LOST, sorry server " + vs.sorryServer());
            if (vs.realServers().isEmpty()) {
                out.println("  no real servers");
            }
            for (var rs : vs.realServers()) {
                var t = rs.traffic();
                out.printf("  %-24s weight %3d/%-3s %-9s %-30s conns %d/%d%n", rs.id(), rs.weight(),
                        rs.effectiveWeight() < 0 ? "-" : Integer.toString(rs.effectiveWeight()), rs.health(),
                        rs.healthReason() == null ? "" : rs.healthReason(), t.activeConnections(),
                        t.inactiveConnections());
            }
        }
    }
}
