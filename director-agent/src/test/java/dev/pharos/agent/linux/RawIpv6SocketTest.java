package dev.pharos.agent.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pharos.testing.Netns;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/// Reading the hop limit and destination of a received IPv6 datagram from its control messages,
/// and the fixed header rebuilt from them.
class RawIpv6SocketTest {

    private static final byte[] GROUP = HexFormat.of().parseHex("ff020000000000000000000000000012");
    private static final byte[] LINK_LOCAL = HexFormat.of().parseHex("fe80000000000000000000fffe00000a");

    private static ByteBuffer buffer() {
        return ByteBuffer.allocate(128).order(ByteOrder.nativeOrder());
    }

    private static void hopLimit(ByteBuffer b, int value) {
        b.putLong(16 + 4).putInt(Libc.IPPROTO_IPV6).putInt(Libc.IPV6_HOPLIMIT).putInt(value).putInt(0);
    }

    private static void pktinfo(ByteBuffer b, byte[] address) {
        b.putLong(16 + 20).putInt(Libc.IPPROTO_IPV6).putInt(Libc.IPV6_PKTINFO).put(address).putInt(3).putInt(0);
    }

    private static RawIpv6Socket.Ancillary parse(ByteBuffer b) {
        return RawIpv6Socket.ancillary(MemorySegment.ofArray(b.array()), b.position());
    }

    @Test
    void readsTheHopLimitAndTheDestinationInAnyOrder() {
        var b = buffer();
        hopLimit(b, 255);
        pktinfo(b, GROUP);
        var a = parse(b);
        assertThat(a.hopLimit()).isEqualTo(255);
        assertThat(a.destination()).isEqualTo(GROUP);
        var c = buffer();
        pktinfo(c, GROUP);
        hopLimit(c, 64);
        assertThat(parse(c).hopLimit()).isEqualTo(64);
        assertThat(parse(c).destination()).isEqualTo(GROUP);
    }

    @Test
    void missingOrMalformedControlDataGiveHopLimitZero() {
        var none = parse(buffer());
        assertThat(none.hopLimit()).as("fails the hop-limit check").isZero();
        assertThat(none.destination()).containsOnly((byte) 0);
        var overlong = buffer();
        overlong.putLong(500).putInt(Libc.IPPROTO_IPV6).putInt(Libc.IPV6_HOPLIMIT).putInt(255).putInt(0);
        assertThat(parse(overlong).hopLimit()).isZero();
        var shortData = buffer();
        shortData.putLong(16 + 2).putInt(Libc.IPPROTO_IPV6).putInt(Libc.IPV6_HOPLIMIT).putLong(255);
        assertThat(parse(shortData).hopLimit()).isZero();
        var otherLevel = buffer();
        otherLevel.putLong(16 + 4).putInt(Libc.SOL_SOCKET).putInt(Libc.IPV6_HOPLIMIT).putInt(255).putInt(0);
        assertThat(parse(otherLevel).hopLimit()).isZero();
    }

    @Test
    void theRebuiltHeaderIsAnIpv6FixedHeader() {
        var into = new byte[40 + 8];
        Arrays.fill(into, (byte) 0x55);
        RawIpv6Socket.header(into, 8, 112, 255, LINK_LOCAL, GROUP);
        assertThat(HexFormat.of().formatHex(into, 0, 40)).isEqualTo("60000000000870ff"
                + "fe80000000000000000000fffe00000a" + "ff020000000000000000000000000012");
        assertThat(into[40]).as("the payload is left alone").isEqualTo((byte) 0x55);
    }

    /// The IPv6 send and receive paths run on `lo` (needs CAP_NET_RAW and IPv6 on lo): what the
    /// agent does after start, when an instance runs VRRP over IPv6, to get them compiled.
    @Test
    void theWarmUpSendsAndReceivesOnLoopback() {
        assumeTrue(Netns.available(), "needs root (raw sockets)");
        assumeTrue(Files.exists(Path.of("/proc/net/if_inet6")), "needs IPv6");
        assertThat(RawIpv6Socket.warmUpOnLoopback(200, Duration.ofSeconds(20))).isEqualTo(200);
    }
}
