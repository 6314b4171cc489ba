package dev.pharos.agent.ipvs.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.pharos.agent.config.ConfigException;
import dev.pharos.agent.config.ConfigLoader;
import dev.pharos.agent.config.RealServerDef;
import dev.pharos.testing.vm.GuestAgent;
import dev.pharos.testing.vm.Vm;

/// The agent with `--balancer kernel` on a real kernel's IPVS: one agent (a JVM start costs tens
/// of seconds under TCG) loads a configuration with every forwarding method and scheduler,
/// persistence with granularity, fwmark, UDP with one-packet scheduling, SCTP, IPv6, a sorry server and
/// quorum; then a SIGHUP reload changes it, and a graceful stop empties it. Each time the kernel's
/// table, as `ipvsadm -Sn` saves it, must equal the one [ExpectedIpvsadm] derives from the
/// configuration.
@Tag("vm")
class KernelIpvsVmTableTest {

    /// Every IPVS scheduler of the 6.1 kernel, one virtual server each.
    private static final List<String> SCHEDULERS = List.of("rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh",
            "sed", "nq", "fo", "ovf", "mh");

    @Test
    void theKernelHoldsTheConfiguredTableAndFollowsAReload() throws ConfigException {
        var vm = Vm.require();
        var start = config(false);
        var reload = config(true);
        var script = GuestAgent.FUNCTIONS + """
                %s &
                agent=$!
                await_table start expected-start 300
                ipvsadm -Ln --thresholds > thresholds
                cp reload.conf agent.conf
                kill -HUP $agent
                await_table reload expected-reload 120
                kill -TERM $agent
                wait $agent
                echo "agent exited with $?"
                ipvsadm -Sn | sort > table-stopped
                """.formatted(GuestAgent.command("kernel", Vm.GUEST_DIR + "/agent.conf", "/run/pharos-state",
                Vm.GUEST_DIR + "/agent.log"));
        var run = vm.run(script, Map.of("agent.conf", start, "reload.conf", reload,
                "expected-start", text(expected(start)), "expected-reload", text(expected(reload))),
                Duration.ofMinutes(8));
        System.out.printf("vm table test: booted in %.1f s, whole run %d s%n%s", run.bootSeconds(),
                run.elapsed().toSeconds(), run.output());
        var context = "script output:\n" + run.output() + "\nagent log:\n" + run.files().get("agent.log");

        assertThat(lines(run.files().get("table-start"))).as(context).isEqualTo(expected(start));
        // ipvsadm -Sn leaves the thresholds out
        assertThat(run.files().get("thresholds")).as(context).containsPattern("-> 198\\.51\\.100\\.2:80 +100 +10 ");
        assertThat(lines(run.files().get("table-reload"))).as(context).isEqualTo(expected(reload));
        assertThat(run.output()).as(context).contains("agent exited with 0");
        assertThat(lines(run.files().get("table-stopped"))).as("a graceful stop removes its services\n" + context)
                .isEmpty();
    }

    /// The configuration, and what a reload makes of it: a weight and a persistence timeout
    /// change, a scheduler's virtual server goes, another virtual server comes.
    private static String config(boolean reloaded) {
        var b = new StringBuilder("""
                global_defs {
                    router_id vm-table
                }
                virtual_server 192.0.2.1 80 {
                    lb_algo wrr
                    lb_kind DR
                    protocol TCP
                    real_server 198.51.100.1 80 {
                        weight %d
                    }
                    real_server 198.51.100.2 80 {
                        weight 1
                        uthreshold 100
                        lthreshold 10
                    }
                }
                virtual_server 192.0.2.2 443 {
                    lb_algo sh
                    lb_kind NAT
                    protocol TCP
                    persistence_timeout %d
                    persistence_granularity 255.255.255.0
                    real_server 198.51.100.3 8443 {
                        weight 2
                    }
                    real_server 198.51.100.4 8443 {
                        weight 2
                    }
                }
                virtual_server fwmark 7 {
                    lb_algo rr
                    lb_kind TUN
                    real_server 198.51.100.5 {
                        weight 1
                    }
                    real_server 198.51.100.6 {
                        weight 4
                    }
                }
                virtual_server 192.0.2.3 53 {
                    lb_algo lc
                    lb_kind DR
                    protocol UDP
                    ops
                    real_server 198.51.100.7 53 {
                        weight 1
                    }
                    real_server 198.51.100.8 53 {
                        weight 1
                    }
                }
                virtual_server 192.0.2.8 9000 {
                    lb_algo rr
                    lb_kind NAT
                    protocol SCTP
                    real_server 198.51.100.15 9000 {
                        weight 1
                    }
                }
                virtual_server 2001:db8::10 80 {
                    lb_algo mh
                    lb_kind DR
                    protocol TCP
                    real_server 2001:db8::21 80 {
                        weight 1
                    }
                    real_server 2001:db8::22 80 {
                        weight 2
                    }
                }
                # The only real server is down (alpha, and its check cannot connect): the sorry server serves.
                virtual_server 192.0.2.4 80 {
                    lb_algo wlc
                    lb_kind NAT
                    protocol TCP
                    alpha
                    sorry_server 198.51.100.99 80
                    real_server 198.51.100.9 80 {
                        weight 1
                        TCP_CHECK {
                            connect_port 1
                            connect_timeout 1
                        }
                    }
                }
                # Quorum 5 is more than the weights (4): the sorry server serves instead.
                virtual_server 192.0.2.5 80 {
                    lb_algo wrr
                    lb_kind DR
                    protocol TCP
                    quorum 5
                    sorry_server 198.51.100.98 80
                    real_server 198.51.100.10 80 {
                        weight 2
                    }
                    real_server 198.51.100.11 80 {
                        weight 2
                    }
                }
                # Quorum 3 with hysteresis 1 is held from 4 at start: the real servers serve.
                virtual_server 192.0.2.6 80 {
                    lb_algo wrr
                    lb_kind DR
                    protocol TCP
                    quorum 3
                    hysteresis 1
                    sorry_server 198.51.100.97 80
                    real_server 198.51.100.12 80 {
                        weight 2
                    }
                    real_server 198.51.100.13 80 {
                        weight 2
                    }
                }
                """.formatted(reloaded ? 5 : 3, reloaded ? 300 : 600));
        int n = 1;
        for (var scheduler : SCHEDULERS) {
            if (!(reloaded && scheduler.equals("fo"))) {
                b.append("""
                        virtual_server 203.0.113.%1$d 80 {
                            lb_algo %2$s
                            lb_kind NAT
                            protocol TCP
                            real_server 198.51.100.%3$d 8080 {
                                weight 1
                            }
                            real_server 198.51.100.%4$d 8080 {
                                weight 2
                            }
                        }
                        """.formatted(n, scheduler, 100 + 2 * n, 101 + 2 * n));
            }
            n++;
        }
        if (reloaded) {
            b.append("""
                    virtual_server 192.0.2.7 8080 {
                        lb_algo rr
                        lb_kind NAT
                        protocol TCP
                        real_server 198.51.100.14 80 {
                            weight 1
                        }
                    }
                    """);
        }
        return b.toString();
    }

    /// The table keepalived would hold: real servers with checkers in this configuration are down.
    private static List<String> expected(String config) throws ConfigException {
        var parsed = ConfigLoader.parse(Path.of("agent.conf"), config).config();
        return ExpectedIpvsadm.lines(parsed.virtualServers(), (RealServerDef rs) -> !rs.checkers().isEmpty());
    }

    private static String text(List<String> lines) {
        return String.join("\n", lines) + "\n";
    }

    private static List<String> lines(String text) {
        return text == null ? List.of() : text.lines().toList();
    }
}
