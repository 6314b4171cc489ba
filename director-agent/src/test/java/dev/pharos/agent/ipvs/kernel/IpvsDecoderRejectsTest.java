package dev.pharos.agent.ipvs.kernel;

import static dev.pharos.agent.ipvs.kernel.IpvsCodecTest.DEST_DUMP;
import static dev.pharos.agent.ipvs.kernel.IpvsCodecTest.DONE;
import static dev.pharos.agent.ipvs.kernel.IpvsCodecTest.FAMILY;
import static dev.pharos.agent.ipvs.kernel.IpvsCodecTest.SERVICE_DUMP;
import static dev.pharos.agent.ipvs.kernel.IpvsCodecTest.hex;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pharos.agent.ipvs.table.AddressFamily;
import dev.pharos.agent.ipvs.table.IpvsOp;
import dev.pharos.agent.ipvs.table.ServiceSettings;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/// Every rejection path of the reply decoder, each from a fixture with one thing wrong, and a
/// bounded fuzz loop: whatever the bytes, the decoder returns a value or one
/// [MalformedReplyException], never anything else.
class IpvsDecoderRejectsTest {

    @BeforeAll
    static void littleEndian() {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "fixtures are written for little-endian hosts");
    }

    /// The service dump with `bytes` written at `offset`.
    static byte[] service(int offset, String bytes) {
        var m = hex(SERVICE_DUMP);
        var patch = hex(bytes);
        System.arraycopy(patch, 0, m, offset, patch.length);
        return m;
    }

    static void rejects(String expectedPart, List<byte[]> replies) {
        var e = assertThrows(MalformedReplyException.class, () -> IpvsCodec.decodeServices(FAMILY, replies));
        assertTrue(e.getMessage().contains(expectedPart), () -> "'" + e.getMessage() + "' should mention '"
                + expectedPart + "'");
    }

    static void rejectsService(String expectedPart, byte[] message) {
        rejects(expectedPart, List.of(message, hex(DONE)));
    }

    // Offsets in SERVICE_DUMP: 20 service nest, 24 AF, 32 PROTOCOL, 40 ADDR, 60 PORT, 68 SCHED_NAME,
    // 76 FLAGS, 88 TIMEOUT, 96 NETMASK, 104 STATS, 128 unknown attribute.

    @Test
    void aMessageShorterThanANetlinkHeader() {
        rejects("shorter than a netlink header", List.of(new byte[10]));
    }

    @Test
    void aLengthFieldLongerThanTheMessage() {
        rejectsService("does not fit", service(0, "ff000000"));
    }

    @Test
    void aLengthFieldShorterThanTheHeader() {
        rejectsService("does not fit", service(0, "08000000"));
    }

    @Test
    void noRoomForTheGenericNetlinkHeader() {
        rejectsService("generic netlink header", Arrays.copyOf(hex("12000000 2300 0200 01000000 00000000 0101"), 18));
    }

    @Test
    void anAttributeShorterThanItsHeader() {
        rejectsService("less than its own 4-byte header", service(24, "0200"));
    }

    @Test
    void anAttributeRunningPastTheEnd() {
        rejectsService("bytes remain", service(20, "f000"));
    }

    @Test
    void aTruncatedMessage() {
        var m = Arrays.copyOf(hex(SERVICE_DUMP), 100);
        ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 100);
        rejectsService("bytes remain", m);
    }

    @Test
    void aPortOfTheWrongSize() {
        rejectsService("IPVS_SVC_ATTR_PORT: 3 bytes, expected 2", service(60, "0700"));
    }

    @Test
    void aMissingAddressFamily() {
        // the AF attribute retyped as attribute 63, which is skipped
        rejectsService("IPVS_SVC_ATTR_AF is missing", service(26, "3f00"));
    }

    @Test
    void anUnknownAddressFamily() {
        rejectsService("address family 7", service(28, "0700"));
    }

    @Test
    void aProtocolIpvsDoesNotBalance() {
        rejectsService("protocol 50", service(36, "3200"));
    }

    @Test
    void anAddressTooShortForItsFamily() {
        // a request as the codec writes it carries a 4-byte IPv4 address; claim AF_INET6 for it
        var m = IpvsCodec.operation(FAMILY, 1, new IpvsOp.AddService(IpvsCodecTest.WEB, ServiceSettings.of("rr")));
        System.arraycopy(hex("0a00"), 0, m, 28, 2);
        rejectsService("4 bytes for an IPv6 address", m);
    }

    @Test
    void aNetmaskWithHoles() {
        rejectsService("255.0.255.0 is not contiguous", service(100, "ff00ff00"));
    }

    @Test
    void flagsThatAreNotAStructIpVsFlags() {
        rejectsService("expected 8 (struct ip_vs_flags)", service(76, "0800 0700 03000000 0400 3f00"));
    }

    @Test
    void aSchedulerNameThatIsNotOne() {
        rejectsService("not an IPVS scheduler name", service(72, "57"));
    }

    @Test
    void aCounterOfTheWrongSize() {
        rejectsService("IPVS_STATS_ATTR_CONNS: 3 bytes, expected 4 or 8", service(108, "0700"));
    }

    @Test
    void aWrongCommand() {
        rejectsService("command 5, expected 1", service(16, "05"));
    }

    @Test
    void aWrongMessageType() {
        rejectsService("type 36 is neither the IPVS family", service(4, "2400"));
    }

    @Test
    void aDumpWithoutDone() {
        rejects("without NLMSG_DONE", List.of(hex(SERVICE_DUMP)));
    }

    @Test
    void messagesAfterDone() {
        rejects("goes on after its last message", List.of(hex(DONE), hex(SERVICE_DUMP)));
    }

    @Test
    void anErrorWithoutItsCode() {
        rejects("without its error code", List.of(hex("10000000 0200 0000 01000000 00000000")));
    }

    @Test
    void aPositiveError() {
        rejects("positive error 5", List.of(hex("14000000 0200 0000 01000000 00000000 05000000")));
    }

    @Test
    void doneAnsweringARequestThatWasNotADump() {
        var e = assertThrows(MalformedReplyException.class, () -> IpvsCodec.decodeAck(FAMILY, List.of(hex(DONE))));
        assertTrue(e.getMessage().contains("not a dump"), e.getMessage());
    }

    @Test
    void anIpvsMessageWhereOnlyAnAckWasExpected() {
        var e = assertThrows(MalformedReplyException.class, () -> IpvsCodec.decodeAck(FAMILY,
                List.of(hex(SERVICE_DUMP))));
        assertTrue(e.getMessage().contains("only an acknowledgement"), e.getMessage());
    }

    @Test
    void aNegativeWeight() {
        var m = hex(DEST_DUMP);
        // DEST_DUMP offsets: 24 ADDR (20 bytes), 44 PORT, 52 FWD_METHOD, 60 WEIGHT; values 4 bytes in
        System.arraycopy(hex("ffffffff"), 0, m, 64, 4);
        var e = assertThrows(MalformedReplyException.class, () -> IpvsCodec.decodeDestinations(FAMILY,
                AddressFamily.INET, List.of(m, hex(DONE))));
        assertTrue(e.getMessage().contains("IPVS_DEST_ATTR_WEIGHT: -1 is negative"), e.getMessage());
    }

    @Test
    void anUnknownForwardingMethod() {
        var m = hex(DEST_DUMP);
        System.arraycopy(hex("05000000"), 0, m, 56, 4);
        var e = assertThrows(MalformedReplyException.class, () -> IpvsCodec.decodeDestinations(FAMILY,
                AddressFamily.INET, List.of(m, hex(DONE))));
        assertTrue(e.getMessage().contains("forwarding method 5"), e.getMessage());
    }

    @Test
    void fuzzedRepliesOnlyEverFailCleanly() {
        var random = new Random(20_260_525L);
        var seeds = List.of(hex(SERVICE_DUMP), hex(DEST_DUMP), hex(DONE));
        int decoded = 0;
        int rejected = 0;
        for (int i = 0; i < 20_000; i++) {
            var replies = new ArrayList<byte[]>();
            int count = 1 + random.nextInt(3);
            for (int k = 0; k < count; k++) {
                replies.add(mutate(seeds.get(random.nextInt(seeds.size())), random));
            }
            try {
                switch (i % 4) {
                    case 0 -> IpvsCodec.decodeServices(FAMILY, replies);
                    case 1 -> IpvsCodec.decodeDestinations(FAMILY, AddressFamily.INET, replies);
                    case 2 -> IpvsCodec.decodeInfo(FAMILY, replies);
                    default -> IpvsCodec.decodeAck(FAMILY, replies);
                }
                decoded++;
            } catch (MalformedReplyException e) {
                rejected++;
                assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
            }
        }
        assertTrue(decoded > 0 && rejected > 0, "the fuzz should reach both outcomes: " + decoded + "/" + rejected);
    }

    private static byte[] mutate(byte[] seed, Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> {
                var m = seed.clone();
                for (int n = random.nextInt(4); n >= 0; n--) {
                    m[random.nextInt(m.length)] = (byte) random.nextInt(256);
                }
                yield m;
            }
            case 1 -> Arrays.copyOf(seed, random.nextInt(seed.length + 1));
            case 2 -> {
                var m = new byte[random.nextInt(160)];
                random.nextBytes(m);
                yield m;
            }
            default -> seed.clone();
        };
    }
}
