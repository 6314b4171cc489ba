package dev.pharos.agent.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/// The link-notification decoder: RTM_NEWLINK up only with IFF_UP and IFF_RUNNING, RTM_DELLINK
/// down, other messages skipped, and kernel input of any shape never throws.
class LinkEventsTest {

    private static final int IFF_UP = 0x1;
    private static final int IFF_RUNNING = 0x40;

    /// One rtnetlink link message as the kernel lays it out (native byte order), with an MTU
    /// attribute before the name as the kernel sends it.
    static byte[] link(int type, int index, int flags, String name) {
        var nameBytes = (name + "\0").getBytes(StandardCharsets.UTF_8);
        int nameAttr = 4 + nameBytes.length;
        int len = 16 + 16 + 8 + ((nameAttr + 3) & ~3);
        var b = ByteBuffer.allocate(len).order(ByteOrder.nativeOrder());
        b.putInt(len).putShort((short) type).putShort((short) 0).putInt(0).putInt(0);
        b.put((byte) 0).put((byte) 0).putShort((short) 1).putInt(index).putInt(flags).putInt(0xffffffff);
        b.putShort((short) 8).putShort((short) 4).putInt(1500); // IFLA_MTU
        b.putShort((short) nameAttr).putShort((short) 3).put(nameBytes);
        return b.array();
    }

    static ByteBuffer concat(byte[]... parts) {
        int n = 0;
        for (var p : parts) {
            n += p.length;
        }
        var b = ByteBuffer.allocate(n).order(ByteOrder.nativeOrder());
        for (var p : parts) {
            b.put(p);
        }
        return b.flip();
    }

    @Test
    void upNeedsAdministrativelyUpAndCarrier() {
        var states = LinkEvents.parse(concat(
                link(16, 2, IFF_UP | IFF_RUNNING, "eth0"),
                link(16, 3, IFF_UP, "eth1"),
                link(16, 4, IFF_RUNNING, "eth2"),
                link(17, 5, IFF_UP | IFF_RUNNING, "gone0")));
        assertThat(states).containsExactly(Map.entry("eth0", true), Map.entry("eth1", false),
                Map.entry("eth2", false), Map.entry("gone0", false));
    }

    @Test
    void theLastStateOfAnInterfaceWinsAndOtherMessagesAreSkipped() {
        var done = ByteBuffer.allocate(20).order(ByteOrder.nativeOrder()).putInt(20).putShort((short) 3)
                .putShort((short) 2).putInt(7).putInt(0).putInt(0).array();
        var address = ByteBuffer.allocate(24).order(ByteOrder.nativeOrder()).putInt(24).putShort((short) 20)
                .putShort((short) 0).putInt(0).putInt(0).putLong(0).array();
        var states = LinkEvents.parse(concat(link(16, 2, IFF_UP | IFF_RUNNING, "eth0"), address,
                link(16, 2, IFF_UP, "eth0"), done));
        assertThat(states).containsExactly(Map.entry("eth0", false));
    }

    @Test
    void truncatedAndMalformedMessagesKeepWhatWasComplete() {
        var good = link(16, 2, IFF_UP | IFF_RUNNING, "eth0");
        var cut = java.util.Arrays.copyOf(link(16, 3, IFF_UP | IFF_RUNNING, "eth1"), 30);
        assertThat(LinkEvents.parse(concat(good, cut))).containsExactly(Map.entry("eth0", true));
        var zeroLength = new byte[20];
        assertThat(LinkEvents.parse(concat(zeroLength, good))).isEmpty();
        var noName = link(16, 2, IFF_UP | IFF_RUNNING, "");
        assertThat(LinkEvents.parse(concat(noName))).isEmpty();
    }

    /// Random bytes and mutated dumps: the parser never throws, reports only names it really read
    /// (non-empty, no NUL, at most one per 37-byte message), looks at nothing past the buffer's limit,
    /// and keeps a first message that the mutation left whole.
    @Test
    void randomAndMutatedInputNeverThrows() {
        var random = new Random(4242);
        var first = link(16, 2, IFF_UP | IFF_RUNNING, "eth0");
        var base = concat(first, link(17, 3, 0, "veth1")).array();
        int firstKept = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] input;
            boolean firstWhole = false;
            if (i % 2 == 0) {
                input = new byte[random.nextInt(200)];
                random.nextBytes(input);
            } else {
                input = base.clone();
                int lowest = input.length;
                for (int k = 0; k < 1 + random.nextInt(6); k++) {
                    int at = random.nextInt(input.length);
                    input[at] = (byte) random.nextInt(256);
                    lowest = Math.min(lowest, at);
                }
                input = java.util.Arrays.copyOf(input, random.nextInt(input.length + 1));
                firstWhole = lowest >= first.length && input.length >= first.length;
            }
            var states = LinkEvents.parse(ByteBuffer.wrap(input).order(ByteOrder.nativeOrder()));
            assertThat(states.keySet()).allSatisfy(name -> assertThat(name).isNotEmpty().doesNotContain("\0"));
            // a name needs a 16-byte header, a 16-byte ifinfomsg and an attribute of at least 5 bytes
            assertThat(states.size() * 37).isLessThanOrEqualTo(input.length);
            // the same bytes followed by garbage past the limit must read the same
            var padded = java.util.Arrays.copyOf(input, input.length + 64);
            java.util.Arrays.fill(padded, input.length, padded.length, (byte) 0x41);
            var limited = ByteBuffer.wrap(padded).order(ByteOrder.nativeOrder()).limit(input.length);
            assertThat(LinkEvents.parse(limited)).isEqualTo(states);
            if (firstWhole) {
                assertThat(states.keySet()).first().isEqualTo("eth0");
                firstKept++;
            }
        }
        assertThat(firstKept).as("mutations that left the first message whole").isGreaterThan(100);
    }
}
