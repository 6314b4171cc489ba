package dev.pharos.agent.ipvs.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.ipvs.proxy.schedulers.SchedulerFlag;
import dev.pharos.agent.ipvs.table.IpvsOp;
import dev.pharos.agent.ipvs.table.Protocol;
import dev.pharos.agent.ipvs.table.ServiceKey;
import dev.pharos.agent.ipvs.table.ServiceSettings;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/// IPVS's sh/mh flag bits reach the user-space balancer's scheduler: SCHED1 is fallback, SCHED2
/// hashes the port (`mh-fallback`, `mh-port`); the table reads back the bits applied.
class UserspaceBackendFlagsTest {

    @Test
    void sched1IsFallbackAndSched2IsPort() throws Exception {
        try (var balancer = new UserspaceBalancer()) {
            var backend = new UserspaceBackend(balancer);
            int port;
            try (var probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = probe.getLocalPort();
            }
            var key = new ServiceKey.ByAddress(Protocol.TCP, InetAddress.getLoopbackAddress(), port);
            var both = new ServiceSettings("mh", ServiceSettings.SCHED1 | ServiceSettings.SCHED2, Duration.ZERO, 32);
            backend.apply(new IpvsOp.AddService(key, both));

            var svc = balancer.stats().getFirst().service();
            assertThat(svc.scheduler()).isEqualTo("mh");
            assertThat(svc.schedulerFlags()).isEqualTo(Set.of(SchedulerFlag.FALLBACK, SchedulerFlag.PORT));
            assertThat(backend.read().services().values()).extracting(s -> s.settings()).containsExactly(both);

            backend.apply(new IpvsOp.EditService(key, new ServiceSettings("mh", ServiceSettings.SCHED2,
                    Duration.ZERO, 32)));
            assertThat(balancer.stats().getFirst().service().schedulerFlags()).isEqualTo(Set.of(SchedulerFlag.PORT));
        }
    }
}
