package dev.pharos.agent.ipvs.kernel;

import static dev.pharos.agent.ipvs.kernel.IpvsCodecTest.FAMILY;
import static dev.pharos.agent.ipvs.kernel.IpvsCodecTest.hex;
import static dev.pharos.agent.ipvs.kernel.IpvsCodecTest.ip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/// Byte-exact sync-daemon requests and replies (`IPVS_CMD_NEW_DAEMON` 9, `DEL_DAEMON` 10,
/// `GET_DAEMON` 11; `IPVS_DAEMON_ATTR_*` from `linux/ip_vs.h`), written by hand as in
/// [IpvsCodecTest], every rejection path of the reply decoder, and a bounded fuzz.
class SyncDaemonCodecTest {

    @BeforeAll
    static void littleEndian() {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "fixtures are written for little-endian hosts");
    }

    static final SyncDaemon MASTER = new SyncDaemon(SyncDaemon.Role.MASTER, "eth0", 90, 0, 0, 0, null);

    @Test
    void startWithTheKernelsDefaults() {
        assertArrayEquals(hex(""
                + "34000000 2300 0500 05000000 00000000" // len 52, REQUEST|ACK, seq 5
                + "0901 0000"                            // IPVS_CMD_NEW_DAEMON (9), version 1
                + "2000 0380"                            // IPVS_CMD_ATTR_DAEMON (3) | NLA_F_NESTED, len 32
                + "0800 0100 01000000"                   // IPVS_DAEMON_ATTR_STATE u32 IP_VS_STATE_MASTER 1
                + "0900 0200 65746830 00000000"          // IPVS_DAEMON_ATTR_MCAST_IFN "eth0\0", padded
                + "0800 0300 5a000000"),                 // IPVS_DAEMON_ATTR_SYNC_ID u32 90
                SyncDaemonCodec.start(FAMILY, 5, MASTER));
    }

    @Test
    void startWithEveryOption() {
        var daemon = new SyncDaemon(SyncDaemon.Role.BACKUP, "eth1", 7, 1400, 8848, 2, ip("239.1.2.3"));
        assertArrayEquals(hex(""
                + "54000000 2300 0500 01000000 00000000" // len 84
                + "0901 0000"
                + "4000 0380"                            // nest len 64
                + "0800 0100 02000000"                   // STATE IP_VS_STATE_BACKUP 2
                + "0900 0200 65746831 00000000"          // "eth1\0"
                + "0800 0300 07000000"                   // SYNC_ID 7
                + "0600 0400 7805 0000"                  // SYNC_MAXLEN u16 1400, host order
                + "0800 0500 ef010203"                   // MCAST_GROUP 239.1.2.3, network order
                + "0600 0700 2290 0000"                  // MCAST_PORT __be16 8848
                + "0500 0800 02 000000"),                // MCAST_TTL u8 2
                SyncDaemonCodec.start(FAMILY, 1, daemon));
    }

    @Test
    void startWithAnIpv6Group() {
        var daemon = new SyncDaemon(SyncDaemon.Role.MASTER, "eth0", 0, 0, 0, 0, ip("ff02::81"));
        assertArrayEquals(hex(""
                + "48000000 2300 0500 01000000 00000000" // len 72
                + "0901 0000"
                + "3400 0380"                            // nest len 52
                + "0800 0100 01000000"
                + "0900 0200 65746830 00000000"
                + "0800 0300 00000000"
                + "1400 0600 ff020000 00000000 00000000 00000081"), // MCAST_GROUP6, 16 bytes
                SyncDaemonCodec.start(FAMILY, 1, daemon));
    }

    @Test
    void stopSendsOnlyTheState() {
        assertArrayEquals(hex(""
                + "20000000 2300 0500 06000000 00000000" // len 32, seq 6
                + "0a01 0000"                            // IPVS_CMD_DEL_DAEMON (10)
                + "0c00 0380"                            // nest len 12
                + "0800 0100 02000000"),                 // STATE backup
                SyncDaemonCodec.stop(FAMILY, 6, SyncDaemon.Role.BACKUP));
    }

    @Test
    void listIsADump() {
        assertArrayEquals(hex(""
                + "14000000 2300 0103 07000000 00000000" // REQUEST | NLM_F_DUMP
                + "0b01 0000"),                          // IPVS_CMD_GET_DAEMON (11)
                SyncDaemonCodec.dump(FAMILY, 7));
    }

    /// A GET_DAEMON dump as Linux 6.1 writes it (`ip_vs_genl_fill_daemon`): a nest without
    /// NLA_F_NESTED, the values the kernel chose (maxlen from the MTU, 224.0.0.81:8848, TTL 1).
    static final String MASTER_DUMP = ""
            + "54000000 2300 0200 07000000 00000000" // len 84, NLM_F_MULTI
            + "0901 0000"                            // IPVS_CMD_NEW_DAEMON
            + "4000 0300"                            // daemon nest, len 64
            + "0800 0100 01000000"                   // master
            + "0900 0200 65746830 00000000"          // "eth0"
            + "0800 0300 5a000000"                   // sync id 90
            + "0600 0400 c005 0000"                  // maxlen 1472
            + "0600 0700 2290 0000"                  // port 8848
            + "0500 0800 01 000000"                  // ttl 1
            + "0800 0500 e0000051";                  // group 224.0.0.81

    static final String DONE = IpvsCodecTest.DONE;

    @Test
    void decodeADump() throws Exception {
        var reply = SyncDaemonCodec.decodeDaemons(FAMILY, List.of(hex(MASTER_DUMP), hex(DONE)));
        assertEquals(new IpvsCodec.Ok<>(List.of(new SyncDaemon(SyncDaemon.Role.MASTER, "eth0", 90, 1472, 8848, 1,
                ip("224.0.0.81")))), reply);
    }

    @Test
    void decodeAnEmptyDump() throws Exception {
        assertEquals(new IpvsCodec.Ok<>(List.of()), SyncDaemonCodec.decodeDaemons(FAMILY, List.of(hex(DONE))));
    }

    @Test
    void decodeARefusal() throws Exception {
        var eperm = hex("24000000 0200 0000 07000000 00000000 ffffffff" // NLMSG_ERROR, -EPERM
                + "14000000 2300 0103 07000000 00000000");
        assertEquals(new IpvsCodec.Refused<>(1), SyncDaemonCodec.decodeDaemons(FAMILY, List.of(eperm)));
    }

    /// The dump with the daemon nest's attributes replaced by `attrs` (the lengths fixed up).
    static byte[] dumpWith(String attrs) {
        var body = hex(attrs);
        var nest = body.length + 4;
        var total = 16 + 4 + nest;
        var head = hex("00000000 2300 0200 07000000 00000000 0901 0000 00000300");
        head[0] = (byte) total;
        head[20] = (byte) nest;
        var m = Arrays.copyOf(head, total);
        System.arraycopy(body, 0, m, head.length, body.length);
        return m;
    }

    static void rejects(String expectedPart, String attrs) {
        var e = assertThrows(MalformedReplyException.class,
                () -> SyncDaemonCodec.decodeDaemons(FAMILY, List.of(dumpWith(attrs), hex(DONE))));
        assertTrue(e.getMessage().contains(expectedPart), e.getMessage());
    }

    static final String STATE = "0800 0100 01000000";
    static final String IFN = "0900 0200 65746830 00000000";
    static final String SYNC_ID = "0800 0300 5a000000";

    @Test
    void aMissingState() {
        rejects("IPVS_DAEMON_ATTR_STATE is missing", IFN + SYNC_ID);
    }

    @Test
    void aStateThatIsNeitherMasterNorBackup() {
        rejects("state 3 is neither master (1) nor backup (2)", "0800 0100 03000000" + IFN + SYNC_ID);
    }

    @Test
    void aStateOfTheWrongSize() {
        rejects("IPVS_DAEMON_ATTR_STATE: 2 bytes, expected 4", "0600 0100 0100 0000" + IFN + SYNC_ID);
    }

    @Test
    void aMissingInterface() {
        rejects("IPVS_DAEMON_ATTR_MCAST_IFN is missing", STATE + SYNC_ID);
    }

    @Test
    void anEmptyInterface() {
        rejects("interface name '' must have 1 to 15 characters", STATE + "0500 0200 00000000" + SYNC_ID);
    }

    @Test
    void aMissingSyncId() {
        rejects("IPVS_DAEMON_ATTR_SYNC_ID is missing", STATE + IFN);
    }

    @Test
    void aSyncIdOver255() {
        rejects("sync id 256 is outside 0–255", STATE + IFN + "0800 0300 00010000");
    }

    @Test
    void aTtlOfTheWrongSize() {
        rejects("IPVS_DAEMON_ATTR_MCAST_TTL: 2 bytes, expected 1", STATE + IFN + SYNC_ID + "0600 0800 0100 0000");
    }

    @Test
    void anIpv4GroupOfTheWrongSize() {
        rejects("IPVS_DAEMON_ATTR_MCAST_GROUP: 2 bytes, expected 4", STATE + IFN + SYNC_ID + "0600 0500 e000 0000");
    }

    @Test
    void anIpv6GroupOfTheWrongSize() {
        rejects("IPVS_DAEMON_ATTR_MCAST_GROUP6: 4 bytes, expected 16", STATE + IFN + SYNC_ID + "0800 0600 ff020000");
    }

    @Test
    void aGroupThatIsNotMulticast() {
        rejects("group 192.0.2.1 is not a multicast address", STATE + IFN + SYNC_ID + "0800 0500 c0000201");
    }

    @Test
    void aMissingDaemonNest() {
        var m = hex("14000000 2300 0200 07000000 00000000 0901 0000");
        var e = assertThrows(MalformedReplyException.class,
                () -> SyncDaemonCodec.decodeDaemons(FAMILY, List.of(m, hex(DONE))));
        assertTrue(e.getMessage().contains("IPVS_CMD_ATTR_DAEMON is missing"), e.getMessage());
    }

    @Test
    void aServiceMessageInADaemonDump() {
        var m = hex(IpvsCodecTest.SERVICE_DUMP);
        var e = assertThrows(MalformedReplyException.class,
                () -> SyncDaemonCodec.decodeDaemons(FAMILY, List.of(m, hex(DONE))));
        assertTrue(e.getMessage().contains("command 1, expected 9"), e.getMessage());
    }

    @Test
    void aDumpWithoutDone() {
        var e = assertThrows(MalformedReplyException.class,
                () -> SyncDaemonCodec.decodeDaemons(FAMILY, List.of(hex(MASTER_DUMP))));
        assertTrue(e.getMessage().contains("without NLMSG_DONE"), e.getMessage());
    }

    @Test
    void fuzzedRepliesOnlyEverFailCleanly() {
        var random = new Random(20_261_207L);
        var seeds = List.of(hex(MASTER_DUMP), hex(DONE), dumpWith(STATE + IFN + SYNC_ID + "1400 0600 ff020000"
                + "00000000 00000000 00000081"));
        int decoded = 0;
        int rejected = 0;
        for (int i = 0; i < 20_000; i++) {
            var replies = new ArrayList<byte[]>();
            int count = 1 + random.nextInt(3);
            for (int k = 0; k < count; k++) {
                replies.add(mutate(seeds.get(random.nextInt(seeds.size())), random));
            }
            try {
                SyncDaemonCodec.decodeDaemons(FAMILY, replies);
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
                var m = new byte[random.nextInt(120)];
                random.nextBytes(m);
                yield m;
            }
            default -> seed.clone();
        };
    }
}
