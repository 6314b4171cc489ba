package dev.pharos.agent.ipvs.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pharos.agent.config.ConfigLoader;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableSpecTest {

    private static final Path SEED = Path.of("src/test/resources/config/seed");

    static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theSeedsMasterConfigGivesTwoPersistentWrrDrServices() throws Exception {
        var spec = TableSpec.from(ConfigLoader.load(SEED.resolve("lvs-master.conf"), "").config());

        assertEquals(2, spec.virtualServers().size());
        var vs1 = spec.virtualServers().get(0);
        assertEquals("TCP 172.17.250.11:80", vs1.name());
        assertEquals(List.of(new ServiceKey.ByAddress(Protocol.TCP, ip("172.17.250.11"), 80)), vs1.keys());
        assertEquals(new ServiceSettings("wrr", ServiceSettings.PERSISTENT, Duration.ofSeconds(120), 128),
                vs1.settings());
        assertEquals(ForwardingMethod.DR, vs1.defaultForwarding());
        assertEquals(1, vs1.quorum());
        assertEquals(0, vs1.hysteresis());
        assertEquals(null, vs1.sorryServer());
        assertEquals(List.of(
                new TableSpec.RealServerSpec(new Endpoint(ip("172.17.0.66"), 80), 1, ForwardingMethod.DR, false, false,
                        true, 0, 0, false),
                new TableSpec.RealServerSpec(new Endpoint(ip("172.17.250.41"), 80), 1, ForwardingMethod.DR, false,
                        false, true, 0, 0, false)), vs1.realServers());
        var vs2 = spec.virtualServers().get(1);
        assertEquals("TCP 172.17.250.12:443", vs2.name());
        assertEquals(List.of(443, 443), vs2.realServers().stream().map(r -> r.endpoint().port()).toList());
    }

    @Test
    void theSeedsTableHasBothServicesWithBothRealServersBeforeAnyCheck() throws Exception {
        var spec = TableSpec.from(ConfigLoader.load(SEED.resolve("lvs-backup.conf"), "").config());
        var state = DesiredState.compute(spec, HealthView.NONE, RuntimeEdits.NONE);

        assertEquals(2, state.table().services().size());
        assertEquals(4, state.table().destinationCount());
        var svc = state.table().services().get(new ServiceKey.ByAddress(Protocol.TCP, ip("172.17.250.11"), 80));
        // the kernel keeps IPv4 netmasks as 32 bits
        assertEquals(32, svc.settings().persistenceNetmask());
        assertTrue(state.quorum().values().stream().allMatch(DesiredState.Quorum::up));
    }

    @Test
    void keepalivedsDefaultsAndOptionsAreApplied() throws Exception {
        var text = """
                virtual_server_group WEB {
                  192.0.2.10-12 80
                  fwmark 7
                }
                virtual_server group WEB {
                  protocol UDP
                  quorum 3
                  hysteresis 1
                  inhibit_on_failure
                  alpha
                  persistence_timeout 60
                  persistence_granularity 255.255.255.0
                  sorry_server 198.51.100.9 8080
                  sorry_server_inhibit
                  quorum_up "/bin/true up"
                  real_server 198.51.100.1 80 {
                    weight 5
                    lvs_method TUN
                    uthreshold 100
                    lthreshold 10
                  }
                  real_server 198.51.100.2 80 {
                    TCP_CHECK {
                    }
                  }
                }
                virtual_server 203.0.113.5 53 {
                  real_server 198.51.100.3 53 {
                    inhibit_on_failure
                  }
                }
                """;
        var spec = TableSpec.from(ConfigLoader.parse(Path.of("t.conf"), text).config());

        var group = spec.virtualServer("group WEB").orElseThrow();
        assertEquals(List.of(new ServiceKey.ByAddress(Protocol.UDP, ip("192.0.2.10"), 80),
                new ServiceKey.ByAddress(Protocol.UDP, ip("192.0.2.11"), 80),
                new ServiceKey.ByAddress(Protocol.UDP, ip("192.0.2.12"), 80),
                new ServiceKey.ByFwmark(7, AddressFamily.INET)), group.keys());
        assertEquals(new ServiceSettings("wlc", ServiceSettings.PERSISTENT, Duration.ofSeconds(60), 24),
                group.settings());
        assertEquals(3, group.quorum());
        assertEquals(1, group.hysteresis());
        assertEquals("\"/bin/true up\"", group.quorumUp());
        assertEquals("", group.quorumDown());
        assertEquals(new TableSpec.SorryServerSpec(new Endpoint(ip("198.51.100.9"), 8080), 1, ForwardingMethod.NAT,
                true), group.sorryServer());
        var rs1 = group.realServers().get(0);
        assertEquals(new TableSpec.RealServerSpec(new Endpoint(ip("198.51.100.1"), 80), 5, ForwardingMethod.TUN, true,
                true, false, 100, 10, false), rs1);
        var rs2 = group.realServers().get(1);
        assertTrue(rs2.checked());
        assertEquals(ForwardingMethod.NAT, rs2.forwarding());

        // no protocol line: keepalived serves UDP ("no protocol set - defaulting to UDP")
        var dns = spec.virtualServer("UDP 203.0.113.5:53").orElseThrow();
        assertEquals(ServiceSettings.of("wlc"), dns.settings());
        assertTrue(dns.realServers().getFirst().inhibitOnFailure());
        assertFalse(dns.realServers().getFirst().alpha());
    }

    @Test
    void netmasksBecomePrefixLengths() {
        assertEquals(24, TableSpec.prefixLength(ip("255.255.255.0")));
        assertEquals(32, TableSpec.prefixLength(ip("255.255.255.255")));
        assertEquals(0, TableSpec.prefixLength(ip("0.0.0.0")));
        assertEquals(64, TableSpec.prefixLength(ip("ffff:ffff:ffff:ffff::")));
        assertTrue(TableSpec.contiguous(ip("255.255.240.0")));
        assertFalse(TableSpec.contiguous(ip("255.0.255.0")));
        assertEquals(8, TableSpec.prefixLength(ip("255.0.255.0")), "a mask with holes keeps its leading ones");
    }

    @Test
    void aHysteresisNotBelowQuorumIsClampedAsKeepalivedDoes() throws Exception {
        var text = """
                virtual_server 192.0.2.1 80 {
                  hysteresis 4
                  real_server 198.51.100.1 80 {
                  }
                }
                """;
        var vs = TableSpec.from(ConfigLoader.parse(Path.of("t.conf"), text).config()).virtualServers().getFirst();
        assertEquals(1, vs.quorum());
        assertEquals(0, vs.hysteresis());
    }

    @Test
    void specRecordsRefuseInconsistentValues() {
        var key = new ServiceKey.ByAddress(Protocol.TCP, ip("192.0.2.1"), 80);
        var rs = TableSpec.RealServerSpec.of(new Endpoint(ip("192.0.2.2"), 80), 1, ForwardingMethod.NAT);
        assertThrows(IllegalArgumentException.class, () -> new TableSpec.VirtualServerSpec("v", List.of(key),
                ServiceSettings.of("rr"), ForwardingMethod.NAT, List.of(rs, rs), null, 1, 0, "", ""));
        assertThrows(IllegalArgumentException.class, () -> new TableSpec.VirtualServerSpec("v", List.of(key),
                ServiceSettings.of("rr"), ForwardingMethod.NAT, List.of(rs), null, 2, 2, "", ""));
        assertThrows(IllegalArgumentException.class, () -> ServiceSettings.of("Round Robin"));
        assertThrows(IllegalArgumentException.class, () -> new ServiceSettings("rr", ServiceSettings.HASHED,
                Duration.ZERO, 32));
    }
}
