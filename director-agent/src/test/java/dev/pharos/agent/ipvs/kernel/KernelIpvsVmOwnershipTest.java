package dev.pharos.agent.ipvs.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.pharos.agent.config.ConfigException;
import dev.pharos.agent.config.ConfigLoader;
import dev.pharos.testing.vm.GuestAgent;
import dev.pharos.testing.vm.Vm;

/// On a real kernel the agent changes only the IPVS services it created, as keepalived does: a
/// service an administrator added before the agent started, and one added while it runs, stay
/// as they are; its own are put right when changed behind its back; `--dont-release-ipvs` keeps
/// them at a stop, a restarted agent adopts them without adding them again (and deletes the one
/// its new configuration dropped), and a plain graceful stop removes exactly its own.
@Tag("vm")
class KernelIpvsVmOwnershipTest {

    private static final List<String> FOREIGN_BEFORE = List.of("-A -t 203.0.113.91:80 -s rr",
            "-a -t 203.0.113.91:80 -r 203.0.113.98:80 -m -w 1");
    private static final List<String> FOREIGN_DURING = List.of("-A -u 203.0.113.92:53 -s wrr");

    @Test
    void theAgentManagesOnlyItsOwnServices() throws ConfigException {
        var vm = Vm.require();
        var first = config(true);
        var second = config(false);
        var agent = GuestAgent.command("kernel", Vm.GUEST_DIR + "/agent.conf", "/run/pharos-state",
                Vm.GUEST_DIR + "/first.log", "--dont-release-ipvs");
        var restarted = GuestAgent.command("kernel", Vm.GUEST_DIR + "/second.conf", "/run/pharos-state",
                Vm.GUEST_DIR + "/second.log");
        var script = GuestAgent.FUNCTIONS + """
                ipvsadm -A -t 203.0.113.91:80 -s rr
                ipvsadm -a -t 203.0.113.91:80 -r 203.0.113.98:80 -m -w 1
                %s &
                agent=$!
                await_table start expected-start 300
                ipvsadm -A -u 203.0.113.92:53 -s wrr
                ipvsadm -e -t 192.0.2.1:80 -r 198.51.100.1:80 -g -w 9
                await_table during expected-during 60
                kill -TERM $agent
                wait $agent
                echo "first agent exited with $?"
                ipvsadm -Sn | sort > table-kept
                cp /run/pharos-state/ipvs-services owned-after-first
                %s &
                agent=$!
                await_table adopted expected-adopted 300
                kill -TERM $agent
                wait $agent
                echo "second agent exited with $?"
                ipvsadm -Sn | sort > table-released
                """.formatted(agent, restarted);
        var during = merge(expected(first), FOREIGN_BEFORE, FOREIGN_DURING);
        var adopted = merge(expected(second), FOREIGN_BEFORE, FOREIGN_DURING);
        var run = vm.run(script, Map.of("agent.conf", first, "second.conf", second,
                "expected-start", text(merge(expected(first), FOREIGN_BEFORE)),
                "expected-during", text(during), "expected-adopted", text(adopted)), Duration.ofMinutes(8));
        System.out.printf("vm ownership test: booted in %.1f s, whole run %d s%n%s", run.bootSeconds(),
                run.elapsed().toSeconds(), run.output());
        var context = "script output:\n" + run.output() + "\nfirst agent:\n" + run.files().get("first.log")
                + "\nsecond agent:\n" + run.files().get("second.log");

        assertThat(lines(run.files().get("table-start"))).as(context)
                .isEqualTo(merge(expected(first), FOREIGN_BEFORE));
        assertThat(lines(run.files().get("table-during"))).as(context).isEqualTo(during);
        assertThat(run.output()).as(context).contains("first agent exited with 0", "second agent exited with 0");
        assertThat(lines(run.files().get("table-kept"))).as("--dont-release-ipvs keeps them\n" + context)
                .isEqualTo(during);
        assertThat(run.files().get("owned-after-first")).as(context)
                .contains("TCP 192.0.2.1:80", "TCP 192.0.2.3:80", "FWM 5").doesNotContain("203.0.113.");
        assertThat(lines(run.files().get("table-adopted"))).as(context).isEqualTo(adopted);
        assertThat(run.files().get("second.log")).as("adopted, not added again\n" + context)
                .doesNotContain("add service", "add destination")
                .contains("delete service TCP 192.0.2.3:80");
        assertThat(lines(run.files().get("table-released"))).as("a graceful stop removes only its own\n" + context)
                .isEqualTo(merge(List.of(), FOREIGN_BEFORE, FOREIGN_DURING));
    }

    /// Three services of the agent's; the second start's configuration drops the third.
    private static String config(boolean withThird) {
        var b = new StringBuilder("""
                virtual_server 192.0.2.1 80 {
                    lb_algo wrr
                    lb_kind DR
                    protocol TCP
                    real_server 198.51.100.1 80 {
                        weight 3
                    }
                }
                virtual_server fwmark 5 {
                    lb_algo rr
                    lb_kind TUN
                    real_server 198.51.100.2 {
                        weight 1
                    }
                }
                """);
        if (withThird) {
            b.append("""
                    virtual_server 192.0.2.3 80 {
                        lb_algo sh
                        lb_kind NAT
                        protocol TCP
                        real_server 198.51.100.3 8080 {
                            weight 1
                        }
                    }
                    """);
        }
        return b.toString();
    }

    private static List<String> expected(String config) throws ConfigException {
        var parsed = ConfigLoader.parse(Path.of("agent.conf"), config).config();
        return ExpectedIpvsadm.lines(parsed.virtualServers(), rs -> false);
    }

    @SafeVarargs
    private static List<String> merge(List<String> own, List<String>... foreign) {
        var all = new ArrayList<>(own);
        Stream.of(foreign).forEach(all::addAll);
        return all.stream().sorted().toList();
    }

    private static String text(List<String> lines) {
        return String.join("\n", lines) + "\n";
    }

    private static List<String> lines(String text) {
        return text == null ? List.of() : text.lines().toList();
    }
}
