package dev.pharos.agent.ipvs.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.pharos.agent.config.ConfigException;
import dev.pharos.agent.config.ConfigLoader;
import dev.pharos.testing.vm.GuestAgent;
import dev.pharos.testing.vm.GuestEdits;
import dev.pharos.testing.vm.Vm;

/// Runtime edits through the control channel reach a real kernel's table: one client (one JVM)
/// makes a series of edits, and after each the kernel must hold the table of the configuration as
/// the edit leaves it — derived here by making the same change to the configuration's text.
@Tag("vm")
class KernelIpvsVmEditsTest {

    private static final String START = """
            virtual_server 192.0.2.1 80 {
                lb_algo wrr
                lb_kind DR
                protocol TCP
                real_server 198.51.100.1 80 {
                    weight 1
                }
            }
            """;
    private static final String ADDED_SERVER = """
                real_server 198.51.100.2 80 {
                    weight 2
                }
            """;
    private static final String ADDED_SERVICE = """
            virtual_server 192.0.2.2 443 {
                lb_algo rr
                lb_kind NAT
                protocol TCP
            }
            """;

    /// An edit as the client sends it, and the configuration it leaves.
    private record Step(String edit, String config) {
    }

    @Test
    void eachEditChangesTheKernelsTable() throws ConfigException {
        var weighed = START.replace("weight 1", "weight 4");
        var added = weighed.replace("    }\n}\n", "    }\n" + ADDED_SERVER + "}\n");
        var drained = added.replace("weight 4", "weight 0");
        var rescheduled = drained.replace("lb_algo wrr", "lb_algo sh\n    persistence_timeout 120");
        var twoServices = rescheduled + ADDED_SERVICE;
        var removedServer = twoServices.replace("""
                    real_server 198.51.100.1 80 {
                        weight 0
                    }
                """, "");
        var steps = List.of(
                new Step("""
                        {"method": "realServer.update", "params": {"virtualServer": "tcp/192.0.2.1:80",
                        "realServer": "198.51.100.1:80", "weight": 4}}""", weighed),
                new Step("""
                        {"method": "realServer.add", "params": {"virtualServer": "tcp/192.0.2.1:80",
                        "address": "198.51.100.2", "port": 80, "weight": 2, "copyChecks": false}}""", added),
                new Step("""
                        {"method": "realServer.update", "params": {"virtualServer": "tcp/192.0.2.1:80",
                        "realServer": "198.51.100.1:80", "weight": 0}}""", drained),
                new Step("""
                        {"method": "virtualServer.update", "params": {"virtualServer": "tcp/192.0.2.1:80",
                        "scheduler": "sh", "persistenceSeconds": 120}}""", rescheduled),
                new Step("""
                        {"method": "virtualServer.add", "params": {"address": "192.0.2.2", "port": 443,
                        "protocol": "TCP", "scheduler": "rr", "kind": "NAT"}}""", twoServices),
                new Step("""
                        {"method": "realServer.remove", "params": {"virtualServer": "tcp/192.0.2.1:80",
                        "realServer": "198.51.100.1:80"}}""", removedServer),
                new Step("""
                        {"method": "virtualServer.remove", "params": {"virtualServer": "tcp/192.0.2.2:443"}}""",
                        rescheduled.replace("""
                                    real_server 198.51.100.1 80 {
                                        weight 0
                                    }
                                """, "")));
        var files = new HashMap<String, String>();
        files.put("agent.conf", START);
        files.put("expected-0", text(expected(START)));
        var script = new StringBuilder(GuestAgent.FUNCTIONS).append("""
                %s &
                agent=$!
                await_table start expected-0 300
                while [ ! -S /run/pharos/agent.sock ]; do sleep 0.2; done
                # a FIFO on tmpfs: the 9p share cannot hold one
                mkfifo /tmp/edits
                %s > client.out 2>&1 &
                client=$!
                exec 3> /tmp/edits
                """.formatted(GuestAgent.command("kernel", Vm.GUEST_DIR + "/agent.conf", "/run/pharos-state",
                Vm.GUEST_DIR + "/agent.log"), GuestEdits.command("/run/pharos/agent.sock", "/tmp/edits")));
        for (int i = 0; i < steps.size(); i++) {
            var step = steps.get(i);
            files.put("edit-" + (i + 1), step.edit().replace("\n", " ") + "\n");
            files.put("expected-" + (i + 1), text(expected(step.config())));
            // the first edit waits for the client's JVM too; after a miss the rest would only wait
            script.append("""
                    if [ "$missed" != 1 ]; then
                        cat edit-%1$d >&3
                        await_table edit-%1$d expected-%1$d %2$d || missed=1
                    fi
                    """.formatted(i + 1, i == 0 ? 240 : 60));
        }
        script.append("""
                exec 3>&-
                wait $client
                cat client.out
                kill -TERM $agent
                wait $agent
                echo "agent exited with $?"
                """);
        var run = Vm.require().run(script.toString(), files, Duration.ofMinutes(8));
        System.out.printf("vm edits test: booted in %.1f s, whole run %d s%n%s", run.bootSeconds(),
                run.elapsed().toSeconds(), run.output());
        var context = "script output:\n" + run.output() + "\nagent log:\n" + run.files().get("agent.log");

        assertThat(lines(run.files().get("table-start"))).as(context).isEqualTo(expected(START));
        for (int i = 0; i < steps.size(); i++) {
            assertThat(lines(run.files().get("table-edit-" + (i + 1)))).as("after edit " + (i + 1) + "\n" + context)
                    .isEqualTo(expected(steps.get(i).config()));
            assertThat(run.output()).as(context).contains("edit " + (i + 1) + ": ok");
        }
        assertThat(run.output()).as(context).contains("agent exited with 0");
    }

    private static List<String> expected(String config) throws ConfigException {
        var parsed = ConfigLoader.parse(Path.of("agent.conf"), config).config();
        return ExpectedIpvsadm.lines(parsed.virtualServers(), rs -> false);
    }

    private static String text(List<String> lines) {
        return String.join("\n", lines) + "\n";
    }

    private static List<String> lines(String text) {
        return text == null ? List.of() : text.lines().toList();
    }
}
