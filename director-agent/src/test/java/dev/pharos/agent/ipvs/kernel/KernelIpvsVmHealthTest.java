package dev.pharos.agent.ipvs.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.pharos.agent.config.ConfigException;
import dev.pharos.agent.config.ConfigLoader;
import dev.pharos.testing.vm.GuestAgent;
import dev.pharos.testing.vm.Vm;

/// Health checks drive a real kernel's table: real servers on loopback addresses in the guest,
/// each served by a busybox `httpd` the script starts and kills, are checked by `TCP_CHECK`. A
/// failed server leaves the pool, or stays with weight 0 under `inhibit_on_failure`, and
/// returns with its weight when its server answers again. Started with `--balancer auto`,
/// which must pick the kernel's IPVS here.
@Tag("vm")
class KernelIpvsVmHealthTest {

    private static final String CONFIG = """
            virtual_server 192.0.2.1 80 {
                delay_loop 1
                lb_algo wrr
                lb_kind DR
                protocol TCP
                real_server 127.0.0.2 18080 {
                    weight 3
                    TCP_CHECK {
                        connect_timeout 1
                        retry 0
                    }
                }
                real_server 127.0.0.3 18080 {
                    weight 2
                    inhibit_on_failure
                    TCP_CHECK {
                        connect_timeout 1
                        retry 0
                    }
                }
            }
            """;

    @Test
    void failedRealServersLeaveOrGoToWeightZeroAndReturn() {
        var vm = Vm.require();
        var script = GuestAgent.FUNCTIONS + """
                mkdir -p /tmp/www
                /bin/busybox httpd -f -p 127.0.0.2:18080 -h /tmp/www &
                two=$!
                %s &
                agent=$!
                await_table start expected-start 300
                /bin/busybox httpd -f -p 127.0.0.3:18080 -h /tmp/www &
                three=$!
                kill $two
                await_table swapped expected-swapped 60
                kill $three
                await_table down expected-down 60
                /bin/busybox httpd -f -p 127.0.0.2:18080 -h /tmp/www &
                two=$!
                await_table back expected-back 60
                kill -TERM $agent
                wait $agent
                echo "agent exited with $?"
                kill $two
                """.formatted(GuestAgent.command("auto", Vm.GUEST_DIR + "/agent.conf",
                "/run/pharos-state", Vm.GUEST_DIR + "/agent.log"));
        var phases = Map.of("start", Set.of("127.0.0.3"), "swapped", Set.of("127.0.0.2"),
                "down", Set.of("127.0.0.2", "127.0.0.3"), "back", Set.of("127.0.0.3"));
        var files = new HashMap<String, String>();
        files.put("agent.conf", CONFIG);
        phases.forEach((phase, down) -> files.put("expected-" + phase, text(expected(down))));
        var run = vm.run(script, files, Duration.ofMinutes(8));
        System.out.printf("vm health test: booted in %.1f s, whole run %d s%n%s", run.bootSeconds(),
                run.elapsed().toSeconds(), run.output());
        var context = "script output:\n" + run.output() + "\nagent log:\n" + run.files().get("agent.log");

        for (var phase : List.of("start", "swapped", "down", "back")) {
            assertThat(lines(run.files().get("table-" + phase))).as(phase + "\n" + context)
                    .isEqualTo(expected(phases.get(phase)));
        }
        assertThat(run.files().get("agent.log")).as(context).contains("Service table: the kernel's IPVS");
        assertThat(run.output()).as(context).contains("agent exited with 0");
    }

    private static List<String> expected(Set<String> down) {
        try {
            var parsed = ConfigLoader.parse(Path.of("agent.conf"), CONFIG).config();
            return ExpectedIpvsadm.lines(parsed.virtualServers(),
                    rs -> down.contains(rs.address().getHostAddress()));
        } catch (ConfigException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String text(List<String> lines) {
        return String.join("\n", lines) + "\n";
    }

    private static List<String> lines(String text) {
        return text == null ? List.of() : text.lines().toList();
    }
}
