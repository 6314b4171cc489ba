package dev.pharos.agent.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pharos.testing.Netns;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.net.Inet4Address;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/// The raw socket's receive time: the kernel's timestamp found in control data (and nothing made
/// up from bad control data), moved onto the monotonic clock, and a live round trip on `lo`.
class RawIpSocketTest {

    private static final long SECOND = 1_000_000_000L;

    /// One cmsghdr (LP64): length, level, type, then the data, padded to 8 bytes.
    private static void cmsg(ByteBuffer b, int level, int type, long... data) {
        b.putLong(16 + 8L * data.length).putInt(level).putInt(type);
        for (long d : data) {
            b.putLong(d);
        }
    }

    private static ByteBuffer buffer() {
        return ByteBuffer.allocate(128).order(ByteOrder.nativeOrder());
    }

    private static long parse(ByteBuffer b) {
        return RawIpSocket.kernelTimestamp(MemorySegment.ofArray(b.array()), b.position());
    }

    @Test
    void findsTheTimestampAmongControlMessages() {
        var b = buffer();
        cmsg(b, Libc.SOL_SOCKET, Libc.SO_TIMESTAMPNS, 1_700_000_000L, 123_456_789L);
        assertThat(parse(b)).isEqualTo(1_700_000_000L * SECOND + 123_456_789L);

        var two = buffer();
        cmsg(two, Libc.IPPROTO_IP, 8 /* IP_PKTINFO */, 1, 2); // another message first
        cmsg(two, Libc.SOL_SOCKET, Libc.SO_TIMESTAMPNS, 5, 6);
        assertThat(parse(two)).isEqualTo(5 * SECOND + 6);
    }

    @Test
    void noOrBadControlDataGivesNoTimestamp() {
        assertThat(parse(buffer())).isEqualTo(RawIpSocket.NO_TIMESTAMP);
        var other = buffer();
        cmsg(other, Libc.IPPROTO_IP, 8, 1, 2);
        assertThat(parse(other)).isEqualTo(RawIpSocket.NO_TIMESTAMP);
        var zeroLength = buffer().putLong(0).putInt(Libc.SOL_SOCKET).putInt(Libc.SO_TIMESTAMPNS);
        assertThat(parse(zeroLength)).as("a zero cmsg_len ends the walk").isEqualTo(RawIpSocket.NO_TIMESTAMP);
        var overlong = buffer().putLong(1000).putInt(Libc.SOL_SOCKET).putInt(Libc.SO_TIMESTAMPNS);
        assertThat(parse(overlong)).isEqualTo(RawIpSocket.NO_TIMESTAMP);
        var shortData = buffer().putLong(24).putInt(Libc.SOL_SOCKET).putInt(Libc.SO_TIMESTAMPNS).putLong(7);
        assertThat(parse(shortData)).as("a timespec needs 16 bytes").isEqualTo(RawIpSocket.NO_TIMESTAMP);
        var badNanos = buffer();
        cmsg(badNanos, Libc.SOL_SOCKET, Libc.SO_TIMESTAMPNS, 5, SECOND);
        assertThat(parse(badNanos)).isEqualTo(RawIpSocket.NO_TIMESTAMP);
        var negative = buffer();
        cmsg(negative, Libc.SOL_SOCKET, Libc.SO_TIMESTAMPNS, -1, 0);
        assertThat(parse(negative)).isEqualTo(RawIpSocket.NO_TIMESTAMP);
    }

    @Test
    void randomControlDataNeverThrowsNorReadsPastItsLength() {
        var random = new Random(112);
        for (int i = 0; i < 50_000; i++) {
            var bytes = new byte[random.nextInt(96)];
            random.nextBytes(bytes);
            if (bytes.length >= 16 && random.nextBoolean()) {
                // a plausible header over random data, so the walk goes further
                var b = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
                b.putLong(0, 16 + random.nextInt(48)).putInt(8, Libc.SOL_SOCKET).putInt(12,
                        random.nextBoolean() ? Libc.SO_TIMESTAMPNS : random.nextInt());
            }
            long length = random.nextInt(bytes.length + 1);
            long stamp = RawIpSocket.kernelTimestamp(MemorySegment.ofArray(bytes), length);
            assertThat(stamp == RawIpSocket.NO_TIMESTAMP || stamp >= 0).isTrue();
        }
    }

    @Test
    void anArrivalIsAsOldOnTheMonotonicClockAsOnTheRealtimeOne() {
        long read = 500 * SECOND;
        assertThat(RawIpSocket.arrivalNanos(100 * SECOND, 100 * SECOND + 700_000, read)).isEqualTo(read - 700_000);
        assertThat(RawIpSocket.arrivalNanos(100 * SECOND, 100 * SECOND, read)).isEqualTo(read);
        // the realtime clock was stepped between arrival and reading: trust the reading
        assertThat(RawIpSocket.arrivalNanos(100 * SECOND, 99 * SECOND, read)).isEqualTo(read);
        assertThat(RawIpSocket.arrivalNanos(100 * SECOND, 160 * SECOND, read)).isEqualTo(read);
    }

    @Test
    void aDatagramOnLoopbackComesWithItsKernelArrivalTime() throws Exception {
        assumeTrue(Netns.available(), "needs root (a raw socket)");
        var loopback = (Inet4Address) Inet4Address.getByAddress(new byte[] {127, 0, 0, 1});
        try (var socket = RawIpSocket.open(RawIpSocket.WARM_UP_PROTOCOL, "lo", null, null)) {
            long before = System.nanoTime();
            socket.send(loopback, "pharos".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            var d = socket.receive(Duration.ofSeconds(10)).orElseThrow();
            long after = System.nanoTime();
            assertThat(d.source()).isEqualTo(loopback);
            assertThat(d.datagram()).hasSize(20 + 6);
            // a wide margin either side: the two clocks are read a few microseconds apart
            assertThat(d.receivedNanos()).isBetween(before - 5_000_000, after);
        }
        assertThat(RawIpSocket.warmUpOnLoopback(200, Duration.ofSeconds(20))).isEqualTo(200);
    }
}
