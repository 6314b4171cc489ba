package dev.pharos.agent.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/// The unsolicited neighbour advertisement frame, byte for byte against keepalived 2.2.7's
/// (captured with tcpdump in a network namespace: VIP 2001:db8::61 from 02:00:00:00:00:0a, the
/// interface not forwarding), and the send path's refusals.
class NeighbourAdvertTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final String KEEPALIVED_NA = "333300000001" + "02000000000a" + "86dd"
            + "600000000020" + "3aff" + "20010db8000000000000000000000061" + "ff020000000000000000000000000001"
            + "8800f861" + "20000000" + "20010db8000000000000000000000061" + "0201" + "02000000000a";
    private static final byte[] MAC = {2, 0, 0, 0, 0, 0x0a};

    private static Inet6Address vip() throws Exception {
        return (Inet6Address) InetAddress.getByName("2001:db8::61");
    }

    @Test
    void theFrameIsKeepalivedsByteForByte() throws Exception {
        assertThat(HEX.formatHex(NeighbourAdvert.frame(MAC, vip(), false))).isEqualTo(KEEPALIVED_NA);
        assertThat(NeighbourAdvert.FRAME_SIZE).isEqualTo(KEEPALIVED_NA.length() / 2);
    }

    @Test
    void aForwardingInterfaceSetsTheRouterFlagAndTheChecksumFollows() throws Exception {
        var router = NeighbourAdvert.frame(MAC, vip(), true);
        var plain = HEX.parseHex(KEEPALIVED_NA);
        assertThat(router[58]).isEqualTo((byte) 0xa0);
        // One's complement: setting 0x8000 in a 16-bit word lowers the checksum by 0x8000.
        int was = ((plain[56] & 0xff) << 8) | (plain[57] & 0xff);
        int now = ((router[56] & 0xff) << 8) | (router[57] & 0xff);
        assertThat(now).isEqualTo(was - 0x8000);
    }

    @Test
    void aBadInterfaceSaysWhy() throws Exception {
        assumeTrue(Libc.geteuid() == 0, "needs root (AF_PACKET)");
        try (var na = NeighbourAdvert.open()) {
            assertThatThrownBy(() -> na.send("nope-pharos0", vip())).isInstanceOf(NativeException.class)
                    .hasMessageContaining("there is no interface nope-pharos0");
            assertThatThrownBy(() -> na.send("lo", vip())).isInstanceOf(NativeException.class)
                    .hasMessageContaining("interface lo has no Ethernet address");
        }
    }
}
