package dev.pharos.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.vrrp.VrrpCounters;
import dev.pharos.agent.vrrp.VrrpInstanceStatus;
import dev.pharos.agent.vrrp.VrrpSettings;
import dev.pharos.agent.vrrp.VrrpState;
import dev.pharos.agent.vrrp.VrrpVersion;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/// An IPv6 instance as `state.get` shows it to the console: addresses in RFC 5952's compressed
/// form (Java's own [InetAddress#getHostAddress()] writes every group), excluded ones listed too.
class InstanceViewTest {

    @Test
    void ipv6AddressesAreCompressed() throws Exception {
        var s = VrrpSettings.of("VI_6", "eth0", 61, VrrpVersion.V3, 100, Duration.ofSeconds(1), List.of(
                new VrrpSettings.VirtualAddress(InetAddress.getByName("2001:db8:0:0:0:0:0:61"), 64),
                new VrrpSettings.VirtualAddress(InetAddress.getByName("2001:db8:0:1::62"), 128, true)));
        var status = new VrrpInstanceStatus("VI_6", 61, VrrpState.BACKUP, 100, 100, Duration.ofSeconds(1),
                InetAddress.getByName("fe80:0:0:0:0:ff:fe00:a"), Set.of(), Instant.EPOCH, 1,
                new VrrpCounters.Snapshot(0, 0, 0, 0, 0, 0, 0, Map.of()));
        var view = AgentControl.instanceView(s, status);
        assertThat(view.virtualAddresses()).containsExactly("2001:db8::61/64", "2001:db8:0:1::62/128");
        assertThat(view.master()).isEqualTo("fe80::ff:fe00:a");
        assertThat(view.version()).isEqualTo(3);
    }
}
