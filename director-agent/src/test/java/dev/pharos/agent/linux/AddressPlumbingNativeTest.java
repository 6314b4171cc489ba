package dev.pharos.agent.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/// The native address, ARP and neighbour-advertisement calls on this host, without changing
/// anything on it: their warm-ups get the kernel's expected refusal, and a bad interface is a clear sentence.
class AddressPlumbingNativeTest {

    private static Inet4Address vip() throws Exception {
        return (Inet4Address) InetAddress.getByName("192.0.2.100");
    }

    private static java.util.List<String> addresses() throws Exception {
        var list = new java.util.ArrayList<String>();
        for (var nif : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            nif.getInterfaceAddresses().forEach(a -> list.add(nif.getName() + " " + a));
        }
        return list.stream().sorted().toList();
    }

    private static void assumeRoot() {
        assumeTrue(Libc.geteuid() == 0, "needs root (AF_PACKET and rtnetlink changes)");
    }

    @Test
    void warmUpsRunThePathsAndTheKernelRefusesAsExpected() throws Exception {
        assumeRoot();
        try (var arp = GratuitousArp.open(); var rt = Rtnetlink.open(); var na = NeighbourAdvert.open()) {
            assertThat(arp.warmUp()).as("sendto for interface index 0 is ENXIO").isTrue();
            assertThat(na.warmUp()).as("the neighbour advertisement's too").isTrue();
            assertThat(rt.warmUp()).as("an IPv4 prefix of 33 and an IPv6 prefix of 129 are EINVAL").isTrue();
            // Preparing changes nothing and never throws, whatever the interface.
            var before = addresses();
            rt.prepareAdd("lo", vip(), 32);
            rt.prepareAdd("nope-pharos0", vip(), 32);
            arp.prepare("lo");
            arp.prepare("nope-pharos0");
            na.prepare("lo");
            na.prepare("nope-pharos0");
            assertThat(addresses()).isEqualTo(before);
        }
    }

    @Test
    void gratuitousArpOnABadInterfaceSaysWhy() throws Exception {
        assumeRoot();
        try (var arp = GratuitousArp.open()) {
            assertThatThrownBy(() -> arp.send("nope-pharos0", vip())).isInstanceOf(NativeException.class)
                    .hasMessageContaining("there is no interface nope-pharos0");
            assertThatThrownBy(() -> arp.send("lo", vip())).isInstanceOf(NativeException.class)
                    .hasMessageContaining("interface lo has no Ethernet address");
            assertThatThrownBy(() -> arp.send("a-name-far-too-long", vip())).isInstanceOf(NativeException.class)
                    .hasMessageContaining("interface names are 1 to 15 ASCII characters");
            assertThatThrownBy(() -> arp.send("", vip())).isInstanceOf(NativeException.class)
                    .hasMessageContaining("there is no interface");
        }
    }

    @Test
    void theFrameIsAnArpRequestForTheAddressFromTheMac() throws Exception {
        var mac = new byte[] {2, 0, 0, 0, 0, 7};
        var f = GratuitousArp.frame(mac, vip());
        assertThat(f).hasSize(42);
        assertThat(java.util.Arrays.copyOfRange(f, 0, 6)).containsOnly((byte) -1);
        assertThat(java.util.Arrays.copyOfRange(f, 6, 12)).isEqualTo(mac);
        assertThat(f[12]).isEqualTo((byte) 0x08);
        assertThat(f[13]).isEqualTo((byte) 0x06);
        assertThat(f[21]).as("ARPOP_REQUEST").isEqualTo((byte) 1);
        assertThat(java.util.Arrays.copyOfRange(f, 22, 28)).isEqualTo(mac);
        assertThat(java.util.Arrays.copyOfRange(f, 28, 32)).isEqualTo(vip().getAddress());
        assertThat(java.util.Arrays.copyOfRange(f, 38, 42)).isEqualTo(vip().getAddress());
    }
}
