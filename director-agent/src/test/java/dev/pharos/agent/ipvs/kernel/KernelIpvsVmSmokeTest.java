package dev.pharos.agent.ipvs.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.pharos.testing.vm.Vm;

/// The virtual machine boots a kernel with IPVS, and `ip_vs` loads on demand.
@Tag("vm")
class KernelIpvsVmSmokeTest {

    @Test
    void theGuestHasIpvs() {
        var vm = Vm.require();
        var run = vm.run("""
                set -e
                uname -r
                ipvsadm -Ln
                ipvsadm -A -t 203.0.113.9:80 -s wrr
                ipvsadm -a -t 203.0.113.9:80 -r 203.0.113.1:80 -g -w 3
                ipvsadm -Sn
                echo marker: $(cat marker)
                """, Map.of("marker", "from the host"), Duration.ofMinutes(4));
        System.out.printf("vm smoke: booted in %.1f s (guest uptime at the script), whole run %d s%n",
                run.bootSeconds(), run.elapsed().toSeconds());
        assertThat(run.exitCode()).as(run.output() + run.console()).isZero();
        assertThat(run.output()).contains(vm.kernelRelease())
                .contains("IP Virtual Server version")
                .contains("-A -t 203.0.113.9:80 -s wrr", "-a -t 203.0.113.9:80 -r 203.0.113.1:80 -g -w 3")
                .contains("marker: from the host");
    }
}
