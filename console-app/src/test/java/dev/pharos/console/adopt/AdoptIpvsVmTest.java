package dev.pharos.console.adopt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.config.ConfigLoader;
import dev.pharos.testing.vm.Vm;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/// On a kernel with IPVS (this host's has none): real keepalived balances a virtual server, and
/// the probe an adopted host runs reads its table through ipvsadm; `/proc/net/ip_vs` gives the same
/// table; the adopted state shows the kernel serving it, each real server's weight, and the one
/// keepalived kept out (its check fails) as down.
@Tag("vm")
class AdoptIpvsVmTest {

    static final String CONFIG = """
            vrrp_instance VI_1 {
                state MASTER
                interface v0
                virtual_router_id 73
                priority 150
                advert_int 1
                virtual_ipaddress {
                    192.0.2.100/24
                }
            }
            virtual_server 192.0.2.100 80 {
                lb_algo wrr
                lb_kind DR
                protocol TCP
                alpha
                real_server 198.51.100.11 80 {
                    weight 3
                }
                real_server 198.51.100.12 80 {
                    weight 2
                    TCP_CHECK {
                        connect_timeout 1
                    }
                }
            }
            """;

    @Test
    void theProbeReadsKeepalivedsIpvsTable() throws Exception {
        var vm = Vm.require();
        var run = vm.run("""
                set -e
                ip link set lo up
                ip link add v0 type veth peer name v1
                ip link set v0 up; ip link set v1 up
                ip addr add 192.0.2.1/24 dev v0
                mkdir -p /tmp/ka
                TMPDIR=/tmp/ka /usr/sbin/keepalived -n -l -f "$PWD/keepalived.conf" -p /tmp/ka/k.pid \\
                    -r /tmp/ka/v.pid -c /tmp/ka/c.pid > ka.log 2>&1 &
                i=0
                until grep -q 'Entering MASTER' ka.log && ipvsadm -Ln 2>/dev/null | grep -q 198.51.100.11; do
                    i=$((i + 1)); [ $i -lt 600 ] || { echo "keepalived did not balance"; cat ka.log; exit 1; }
                    sleep 0.1
                done
                sh probe.sh > probe.out 2> probe.err
                cat /proc/net/ip_vs > proc-ip-vs.out
                kill "$(cat /tmp/ka/k.pid)"
                """, Map.of("keepalived.conf", CONFIG, "probe.sh", HostProbe.COMMAND), Duration.ofMinutes(5));
        System.out.printf("adopt ipvs vm: booted in %.1f s, whole run %d s%n", run.bootSeconds(),
                run.elapsed().toSeconds());
        assertThat(run.exitCode()).as(run.output() + run.console()).isZero();
        var out = HostProbe.parse(run.files().get("probe.out"));
        assertThat(out.has("ipvsadm")).as("%s%n%s", run.files().get("probe.out"), run.files().get("probe.err"))
                .isTrue();
        assertThat(out.has("json")).as(run.files().get("probe.out")).isTrue();
        var table = IpvsTable.parseIpvsadm(out.get("ipvsadm"));
        assertThat(IpvsTable.parseProc(run.files().get("proc-ip-vs.out"))).as("/proc/net/ip_vs").isEqualTo(table);
        var web = table.service("TCP", "192.0.2.100", 80).orElseThrow();
        assertThat(web.scheduler()).isEqualTo("wrr");
        assertThat(web.destination("198.51.100.11", 80).orElseThrow().weight()).isEqualTo(3);
        assertThat(web.destination("198.51.100.12", 80)).as("its check fails: kept out").isEmpty();

        var config = ConfigLoader.parse(Path.of("/etc/keepalived/keepalived.conf"), CONFIG, "vm").config();
        var state = AdoptedState.build("vm", Instant.now(), config, KeepalivedDump.parseJson(out.get("json")), table,
                null);
        assertThat(state.balancer().backend()).isEqualTo("kernel");
        assertThat(state.vrrp().getFirst().state()).isEqualTo("MASTER");
        var vs = state.virtualServers().getFirst();
        assertThat(vs.servedAs()).isEqualTo("kernel");
        assertThat(vs.realServers().get(0).effectiveWeight()).isEqualTo(3);
        assertThat(vs.realServers().get(0).health()).isEqualTo("unchecked");
        assertThat(vs.realServers().get(1).health()).isEqualTo("down");
        assertThat(vs.realServers().get(1).healthReason()).startsWith("not in the IPVS table");
    }
}
