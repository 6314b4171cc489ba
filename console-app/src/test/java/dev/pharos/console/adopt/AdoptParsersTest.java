package dev.pharos.console.adopt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/// The readers of what an adopted host prints, on text captured from keepalived 2.2.7 and iproute2
/// here (`keepalived.json`, `keepalived.data`, `ip-addr.json` next to this class) and, for IPVS,
/// which this machine's kernel lacks, on the layouts ipvsadm and the kernel print; every rejection
/// says where and what.
class AdoptParsersTest {

    static String resource(String name) throws IOException {
        try (var in = AdoptParsersTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static final String IPVSADM = """
            IP Virtual Server version 1.2.1 (size=4096)
            Prot LocalAddress:Port Scheduler Flags
              -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
            TCP  192.0.2.100:80 wrr persistent 300
              -> 198.51.100.11:80             Route   2      7          30
              -> 198.51.100.12:80             Route   0      0          4
            UDP  [2001:db8::100]:53 rr
              -> [2001:db8::11]:53            Masq    1      0          0
            FWM  7 wlc
              -> 198.51.100.13:0              Tunnel  3      1          2
            """;

    /// The same table as the kernel prints it in /proc/net/ip_vs (addresses and ports in hex).
    static final String PROC = """
            IP Virtual Server version 1.2.1 (size=4096)
            Prot LocalAddress:Port Scheduler Flags
              -> RemoteAddress:Port Forward Weight ActiveConn InActConn
            TCP  C0000264:0050 wrr persistent 300 FFFFFFFF
              -> C633640B:0050      Route   2      7          30
              -> C633640C:0050      Route   0      0          4
            UDP  [2001:0db8:0000:0000:0000:0000:0000:0100]:0035 rr
              -> [2001:0db8:0000:0000:0000:0000:0000:0011]:0035      Masq    1      0          0
            FWM  00000007 wlc
              -> C633640D:0000      Tunnel  3      1          2
            """;

    @Test
    void ipvsadmAndProcReadAsTheSameTable() {
        for (var table : List.of(IpvsTable.parseIpvsadm(IPVSADM), IpvsTable.parseProc(PROC))) {
            assertThat(table.services()).hasSize(3);
            var web = table.service("TCP", "192.0.2.100", 80).orElseThrow();
            assertThat(web.scheduler()).isEqualTo("wrr");
            assertThat(web.destinations()).containsExactly(
                    new IpvsTable.Destination("198.51.100.11", 80, "Route", 2, 7, 30),
                    new IpvsTable.Destination("198.51.100.12", 80, "Route", 0, 0, 4));
            var dns = table.service("udp", "2001:db8::100", 53).orElseThrow();
            assertThat(dns.destination("2001:db8::11", 53)).isPresent();
            var mark = table.fwmark(7).orElseThrow();
            assertThat(mark.destinations().getFirst().forward()).isEqualTo("Tunnel");
            assertThat(table.service("TCP", "192.0.2.100", 443)).isEmpty();
        }
        assertThat(IpvsTable.parseIpvsadm("""
                IP Virtual Server version 1.2.1 (size=4096)
                Prot LocalAddress:Port Scheduler Flags
                  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
                """).services()).as("an empty table").isEmpty();
    }

    @Test
    void aBrokenIpvsTableSaysWhereAndWhat() {
        assertThatThrownBy(() -> IpvsTable.parseIpvsadm("  -> 198.51.100.11:80 Route 1 0 0\n"))
                .hasMessage("ipvsadm -Ln line 1: a real server before any service");
        assertThatThrownBy(() -> IpvsTable.parseIpvsadm("TCP  192.0.2.100:80 wrr\n  -> 198.51.100.11:80 Route 1\n"))
                .hasMessageStartingWith("ipvsadm -Ln line 2: a real server line needs");
        assertThatThrownBy(() -> IpvsTable.parseIpvsadm("ICMP 192.0.2.100:80 wrr\n"))
                .hasMessage("ipvsadm -Ln line 1: unknown protocol ICMP");
        assertThatThrownBy(() -> IpvsTable.parseIpvsadm("TCP 192.0.2.100 wrr\n"))
                .hasMessage("ipvsadm -Ln line 1: no port in 192.0.2.100");
        assertThatThrownBy(() -> IpvsTable.parseIpvsadm("TCP 192.0.2.100:99999 wrr\n"))
                .hasMessage("ipvsadm -Ln line 1: port 99999 is outside 0–65535");
        assertThatThrownBy(() -> IpvsTable.parseIpvsadm("TCP 192.0.2.100:80\n"))
                .hasMessageStartingWith("ipvsadm -Ln line 1: a service line needs");
        assertThatThrownBy(() -> IpvsTable.parseIpvsadm("TCP 192.0.2.100:80 rr\n  -> 198.51.100.11:80 Route x 0 0\n"))
                .hasMessage("ipvsadm -Ln line 2: not a number: x");
        assertThatThrownBy(() -> IpvsTable.parseProc("TCP  C00002:0050 rr\n"))
                .hasMessage("/proc/net/ip_vs line 1: an IPv4 address is 8 hex digits: C00002");
        assertThatThrownBy(() -> IpvsTable.parseProc("TCP  C000026G:0050 rr\n"))
                .hasMessage("/proc/net/ip_vs line 1: not a hexadecimal number: C000026G");
    }

    @Test
    void ipAddrTellsWhichAddressesTheHostHolds() throws IOException {
        var held = HeldAddresses.parse(resource("ip-addr.json"));
        assertThat(held.holds("192.0.2.1")).isTrue();
        assertThat(held.interfaceOf()).containsEntry("192.0.2.1", "eth0").containsEntry("127.0.0.1", "lo");
        assertThat(held.holds("192.0.2.100")).as("captured before keepalived added the VIP? no: with it").isTrue();
        assertThat(HeldAddresses.parse("""
                [{"ifname":"eth0","addr_info":[{"family":"inet6","local":"2001:0db8::0001","prefixlen":64}]}]
                """).holds("2001:db8::1")).as("written canonically").isTrue();
        assertThatThrownBy(() -> HeldAddresses.parse("Option \"-j\" is unknown"))
                .hasMessageStartingWith("`ip -j addr` did not print JSON");
        assertThatThrownBy(() -> HeldAddresses.parse("{}")).hasMessage("`ip -j addr` printed no list of interfaces");
        assertThatThrownBy(() -> HeldAddresses.parse("[{\"addr_info\":[]}]"))
                .hasMessage("`ip -j addr`: an interface without \"ifname\"");
    }

    @Test
    void keepalivedsJsonAndDataDumpsGiveTheSameInstance() throws IOException {
        for (var dump : List.of(KeepalivedDump.parseJson(resource("keepalived.json")),
                KeepalivedDump.parseData(resource("keepalived.data")))) {
            var i = dump.instances().getFirst();
            assertThat(dump.instances()).hasSize(1);
            assertThat(i.name()).isEqualTo("VI_1");
            assertThat(i.vrid()).isEqualTo(73);
            assertThat(i.state()).isEqualTo("MASTER");
            assertThat(i.basePriority()).isEqualTo(150);
            assertThat(i.effectivePriority()).isEqualTo(150);
            assertThat(i.advertIntervalMillis()).isEqualTo(1000);
            assertThat(i.lastTransition()).isEqualTo(Instant.ofEpochSecond(1796664041, 208482000));
            assertThat(i.interfaceName()).isEqualTo("eth0");
            assertThat(i.virtualAddresses()).containsExactly("192.0.2.100/24 dev eth0 scope global set");
        }
        assertThat(KeepalivedDump.parseJson(resource("keepalived.json")).instances().getFirst().counters())
                .containsEntry("advert_sent", 1L).containsEntry("become_master", 1L);
    }

    @Test
    void keepalivedsStateNumbersAndNames() {
        assertThat(List.of(0, 1, 2, 3, 97, 98, 42).stream().map(KeepalivedDump::stateName))
                .containsExactly("INIT", "BACKUP", "MASTER", "FAULT", "STOPPED", "STOPPED", "UNKNOWN");
        var stopped = KeepalivedDump.parseData(" VRRP Instance = VI_2\n   State = STOP\n   Virtual Router ID = 9\n"
                + "   Priority = 100\n   Advert interval = 500 milli-sec\n");
        assertThat(stopped.instances().getFirst().state()).isEqualTo("STOPPED");
        assertThat(stopped.instances().getFirst().advertIntervalMillis()).isEqualTo(500);
        assertThat(stopped.instances().getFirst().effectivePriority()).as("none printed: the base").isEqualTo(100);
    }

    @Test
    void aBrokenDumpSaysWhat() {
        assertThatThrownBy(() -> KeepalivedDump.parseJson("[{\"data\":"))
                .hasMessageStartingWith("keepalived.json is not JSON");
        assertThatThrownBy(() -> KeepalivedDump.parseJson("{}"))
                .hasMessage("keepalived.json holds no list of instances");
        assertThatThrownBy(() -> KeepalivedDump.parseJson("[{\"data\":{\"iname\":\"VI_1\",\"state\":2}}]"))
                .hasMessage("keepalived.json: an instance without iname, vrid or state");
        assertThatThrownBy(() -> KeepalivedDump.parseData(" VRRP Instance = VI_1\n   Virtual Router ID = x\n"))
                .hasMessage("keepalived.data line 2: Virtual Router ID is not a number: x");
        assertThatThrownBy(() -> KeepalivedDump.parseData(" VRRP Instance = VI_1\n   Priority = 100\n------\n"))
                .hasMessage("keepalived.data: instance VI_1 (ending at line 3) has no State or Virtual Router ID");
    }

    @Test
    void theProbesOutputSplitsIntoSectionsAndNamesTheConfiguration() {
        var out = HostProbe.parse("""
                ==pharos:pid
                4242
                ==pharos:addr
                []
                ==pharos:no-ipvs
                ==pharos:cmdline
                /usr/sbin/keepalived
                -n
                --use-file=/srv/ka/main.conf
                -i
                lvs1
                
                ==pharos:json
                [{"x":1}]
                """);
        assertThat(out.pid()).isEqualTo("4242");
        assertThat(out.has("no-ipvs")).isTrue();
        assertThat(out.get("json")).isEqualTo("[{\"x\":1}]\n");
        assertThat(HostProbe.configFile(out.arguments())).isEqualTo("/srv/ka/main.conf");
        assertThat(HostProbe.configId(out.arguments())).isEqualTo("lvs1");
        assertThat(HostProbe.configFile(List.of("-f", "/etc/k.conf"))).isEqualTo("/etc/k.conf");
        assertThat(HostProbe.configFile(List.of("-f/etc/k2.conf"))).isEqualTo("/etc/k2.conf");
        assertThat(HostProbe.configFile(List.of("-D"))).isEqualTo("/etc/keepalived/keepalived.conf");
        assertThat(HostProbe.configId(List.of("--config-id", "x"))).isEqualTo("x");
        assertThat(HostProbe.parse("==pharos:pid\n\n").pid()).as("no keepalived").isNull();
        assertThat(HostProbe.parse("sh: 1: ip: not found\n").has("pid")).isFalse();
    }
}
