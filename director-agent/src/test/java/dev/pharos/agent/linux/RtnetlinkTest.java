package dev.pharos.agent.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/// The rtnetlink address requests as bytes, the reading of the kernel's answers, and the kernel's
/// refusals as sentences (requests that change nothing on this host).
class RtnetlinkTest {

    private static Inet4Address address(String a) throws Exception {
        return (Inet4Address) InetAddress.getByName(a);
    }

    @Test
    void anAddRequestIsWhatIpAddrAddSends() throws Exception {
        try (var arena = Arena.ofConfined()) {
            var seg = arena.allocate(128);
            int n = Rtnetlink.write(seg, 20, 0x605, 42, 7, address("192.0.2.100"), 32, null, null);
            var bytes = ByteBuffer.wrap(seg.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE)).order(ByteOrder.nativeOrder());
            assertThat(n).isEqualTo(16 + 8 + 8 + 8);
            assertThat(bytes.getInt(0)).as("nlmsg_len").isEqualTo(n);
            assertThat(bytes.getShort(4)).as("RTM_NEWADDR").isEqualTo((short) 20);
            assertThat(bytes.getShort(6)).as("REQUEST|ACK|EXCL|CREATE").isEqualTo((short) 0x605);
            assertThat(bytes.getInt(8)).as("seq").isEqualTo(42);
            assertThat(bytes.getInt(12)).as("pid: the kernel fills it").isZero();
            // ifaddrmsg: AF_INET, prefix 32, flags 0, scope universe, index 7
            assertThat(HexFormat.of().formatHex(seg.asSlice(16, 4).toArray(ValueLayout.JAVA_BYTE))).isEqualTo("02200000");
            assertThat(bytes.getInt(20)).isEqualTo(7);
            // IFA_LOCAL then IFA_ADDRESS, each 8 bytes: length, type, the address in network order
            assertThat(bytes.getShort(24)).isEqualTo((short) 8);
            assertThat(bytes.getShort(26)).isEqualTo((short) 2);
            assertThat(HexFormat.of().formatHex(seg.asSlice(28, 4).toArray(ValueLayout.JAVA_BYTE))).isEqualTo("c0000264");
            assertThat(bytes.getShort(32)).isEqualTo((short) 8);
            assertThat(bytes.getShort(34)).isEqualTo((short) 1);
            assertThat(HexFormat.of().formatHex(seg.asSlice(36, 4).toArray(ValueLayout.JAVA_BYTE))).isEqualTo("c0000264");
        }
    }

    @Test
    void anIpv6AddRequestIsWhatIpAddrAddNodadSends() throws Exception {
        try (var arena = Arena.ofConfined()) {
            var seg = arena.allocate(128);
            int n = Rtnetlink.write(seg, 20, 0x605, 42, 7, InetAddress.getByName("2001:db8::61"), 64, null, null);
            assertThat(n).isEqualTo(16 + 8 + 20 + 20);
            // ifaddrmsg: AF_INET6, prefix 64, flags IFA_F_NODAD, scope universe
            assertThat(HexFormat.of().formatHex(seg.asSlice(16, 4).toArray(ValueLayout.JAVA_BYTE))).isEqualTo("0a400200");
            assertThat(seg.get(ValueLayout.JAVA_SHORT_UNALIGNED, 24)).isEqualTo((short) 20);
            assertThat(seg.get(ValueLayout.JAVA_SHORT_UNALIGNED, 26)).isEqualTo((short) 2);
            assertThat(HexFormat.of().formatHex(seg.asSlice(28, 16).toArray(ValueLayout.JAVA_BYTE)))
                    .isEqualTo("20010db8000000000000000000000061");
            assertThat(seg.get(ValueLayout.JAVA_SHORT_UNALIGNED, 46)).isEqualTo((short) 1);
            int delete = Rtnetlink.write(seg, 21, 0x5, 43, 7, InetAddress.getByName("2001:db8::61"), 64, null, null);
            assertThat(delete).isEqualTo(n);
            assertThat(seg.get(ValueLayout.JAVA_BYTE, 18)).as("no flags on a delete").isZero();
        }
    }

    @Test
    void aLabelIsNulTerminatedAndPaddedAndARewriteLeavesNothingBehind() throws Exception {
        try (var arena = Arena.ofConfined()) {
            var seg = arena.allocate(128);
            int withAll = Rtnetlink.write(seg, 20, 0x605, 1, 3, address("198.51.100.7"), 24, address("198.51.100.255"),
                    "eth0:vip");
            // + IFA_BROADCAST (8) + IFA_LABEL: 4 + "eth0:vip\0" = 13, padded to 16
            assertThat(withAll).isEqualTo(40 + 8 + 16);
            assertThat(seg.get(ValueLayout.JAVA_SHORT_UNALIGNED, 48)).isEqualTo((short) 13);
            assertThat(seg.get(ValueLayout.JAVA_SHORT_UNALIGNED, 50)).isEqualTo((short) 3);
            assertThat(seg.asSlice(52, 9).getString(0)).isEqualTo("eth0:vip");
            int plain = Rtnetlink.write(seg, 21, 0x5, 2, 3, address("198.51.100.7"), 24, null, null);
            assertThat(plain).isEqualTo(40);
            assertThat(seg.asSlice(plain, withAll - plain).toArray(ValueLayout.JAVA_BYTE)).containsOnly((byte) 0);
        }
    }

    @Test
    void theAnswerToTheRequestIsFoundAmongOthers() {
        try (var arena = Arena.ofConfined()) {
            var reply = arena.allocate(256);
            int at = error(reply, 0, 41, -17);  // an older request's answer: EEXIST
            at = error(reply, at, 42, 0);       // ours: acknowledged
            assertThat(Rtnetlink.acknowledgement(reply, at, 42)).isZero();
            assertThat(Rtnetlink.acknowledgement(reply, at, 41)).isEqualTo(Errno.EEXIST);
            assertThat(Rtnetlink.acknowledgement(reply, at, 43)).isEqualTo(Rtnetlink.NO_ANSWER);
            assertThat(Rtnetlink.acknowledgement(reply, at - 1, 42)).as("truncated").isEqualTo(Rtnetlink.NO_ANSWER);
        }
    }

    @Test
    void noAnswerEverBreaksTheReading() {
        var random = new Random(20261203L);
        try (var arena = Arena.ofConfined()) {
            var reply = arena.allocate(512);
            for (int i = 0; i < 20_000; i++) {
                var bytes = new byte[random.nextInt(512)];
                random.nextBytes(bytes);
                if (bytes.length >= 16 && random.nextBoolean()) {
                    // plausible headers more often than pure noise would give
                    ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).putInt(0, 16 + random.nextInt(64))
                            .putShort(4, (short) 2);
                }
                MemorySegment.copy(bytes, 0, reply, ValueLayout.JAVA_BYTE, 0, bytes.length);
                int answer = Rtnetlink.acknowledgement(reply, bytes.length, random.nextInt(4));
                assertThat(answer).isGreaterThanOrEqualTo(Rtnetlink.NO_ANSWER);
            }
        }
    }

    @Test
    void theKernelsRefusalsAreSentences() throws Exception {
        assumeTrue(Libc.geteuid() == 0, "needs root (rtnetlink address requests)");
        try (var rt = Rtnetlink.open()) {
            // Nothing here changes the host: each request is refused.
            assertThatThrownBy(() -> rt.deleteAddress("lo", address("192.0.2.77"), 32))
                    .isInstanceOf(NativeException.class)
                    .hasMessageContaining("rtnetlink delete 192.0.2.77/32 on lo")
                    .hasMessageContaining("address 192.0.2.77/32 is not on lo")
                    .satisfies(e -> assertThat(((NativeException) e).is(Errno.EADDRNOTAVAIL)).isTrue());
            assertThatThrownBy(() -> rt.addAddress("nope-pharos0", address("192.0.2.77"), 32, null, null))
                    .isInstanceOf(NativeException.class)
                    .hasMessageContaining("there is no interface nope-pharos0");
            assertThatThrownBy(() -> rt.addAddress("a-name-far-too-long", address("192.0.2.77"), 32, null, null))
                    .hasMessageContaining("interface names are 1 to 15 ASCII characters");
            assertThatThrownBy(() -> rt.addAddress("eth\u00e90", address("192.0.2.77"), 32, null, null))
                    .hasMessageContaining("interface names are printable ASCII");
            assertThat(rt.warmUp()).as("still answering after refusals").isTrue();
        }
        var closed = Rtnetlink.open();
        closed.close();
        closed.close();
        assertThatThrownBy(() -> closed.deleteAddress("lo", address("192.0.2.77"), 32))
                .hasMessageContaining("the socket is closed");
    }

    /// Appends an `NLMSG_ERROR` answering `seq` with `error` (0: an acknowledgement).
    private static int error(MemorySegment into, int at, int seq, int error) {
        into.set(ValueLayout.JAVA_INT_UNALIGNED, at, 36);
        into.set(ValueLayout.JAVA_SHORT_UNALIGNED, at + 4, (short) 2);
        into.set(ValueLayout.JAVA_INT_UNALIGNED, at + 8, seq);
        into.set(ValueLayout.JAVA_INT_UNALIGNED, at + 16, error);
        return at + 36;
    }
}
