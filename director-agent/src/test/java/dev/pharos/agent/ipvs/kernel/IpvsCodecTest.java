package dev.pharos.agent.ipvs.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pharos.agent.ipvs.table.AddressFamily;
import dev.pharos.agent.ipvs.table.Destination;
import dev.pharos.agent.ipvs.table.ForwardingMethod;
import dev.pharos.agent.ipvs.table.IpvsOp;
import dev.pharos.agent.ipvs.table.Protocol;
import dev.pharos.agent.ipvs.table.ServiceKey;
import dev.pharos.agent.ipvs.table.ServiceSettings;
import java.net.InetAddress;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/// Byte-exact requests and replies, derived by hand from `linux/netlink.h`, `linux/genetlink.h`
/// and `linux/ip_vs.h`. Layouts:
///
/// - `nlmsghdr`: u32 len, u16 type (here the IPVS family id 0x23), u16 flags, u32 seq, u32 pid;
/// - `genlmsghdr`: u8 cmd, u8 version (1), u16 reserved;
/// - `nlattr`: u16 len (header included, padding not), u16 type (0x8000 = NLA_F_NESTED), value
///   padded to 4 bytes.
///
/// Host order is little-endian here (x86_64, aarch64); ports and addresses are big-endian.
class IpvsCodecTest {

    static final int FAMILY = 0x23;

    @BeforeAll
    static void littleEndian() {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "fixtures are written for little-endian hosts");
    }

    static byte[] hex(String spaced) {
        return HexFormat.of().parseHex(spaced.replaceAll("\\s+", ""));
    }

    static InetAddress ip(String literal) {
        return InetAddress.ofLiteral(literal);
    }

    static final ServiceKey WEB = new ServiceKey.ByAddress(Protocol.TCP, ip("192.0.2.10"), 80);
    static final Destination RS1 = new Destination(ip("198.51.100.1"), 80, 3, ForwardingMethod.DR, 100, 10);

    /// The service's identity nest for TCP 192.0.2.10:80 (36 bytes).
    static final String WEB_KEY = ""
            + "2400 0180"                 // nlattr len 36, IPVS_CMD_ATTR_SERVICE (1) | NLA_F_NESTED
            + "0600 0100 0200 0000"       // IPVS_SVC_ATTR_AF (1) u16 AF_INET 2, 2 bytes padding
            + "0600 0200 0600 0000"       // IPVS_SVC_ATTR_PROTOCOL (2) u16 IPPROTO_TCP 6
            + "0800 0300 c000020a"        // IPVS_SVC_ATTR_ADDR (3) 192.0.2.10, network order
            + "0600 0400 0050 0000";      // IPVS_SVC_ATTR_PORT (4) __be16 80 = 00 50

    @Test
    void getInfo() {
        assertArrayEquals(hex(""
                + "14000000 2300 0500 02000000 00000000" // len 20, family, REQUEST|ACK, seq 2, pid 0
                + "0f01 0000"),                          // IPVS_CMD_GET_INFO (15), version 1
                IpvsCodec.getInfo(FAMILY, 2));
    }

    @Test
    void dumpServices() {
        assertArrayEquals(hex(""
                + "14000000 2300 0103 01000000 00000000" // flags REQUEST | NLM_F_DUMP (0x300) = 0x0301
                + "0401 0000"),                          // IPVS_CMD_GET_SERVICE (4)
                IpvsCodec.dumpServices(FAMILY, 1));
    }

    @Test
    void dumpDestinationsOfAFwmarkService() {
        assertArrayEquals(hex(""
                + "28000000 2300 0103 01000000 00000000" // len 40
                + "0801 0000"                            // IPVS_CMD_GET_DEST (8)
                + "1400 0180"                            // service nest, len 20
                + "0600 0100 0200 0000"                  // AF_INET
                + "0800 0500 07000000"),                 // IPVS_SVC_ATTR_FWMARK (5) u32 7, host order
                IpvsCodec.dumpDestinations(FAMILY, 1, new ServiceKey.ByFwmark(7, AddressFamily.INET)));
    }

    @Test
    void newServiceWithPersistence() {
        var settings = new ServiceSettings("wrr", ServiceSettings.PERSISTENT, Duration.ofSeconds(120), 32);
        assertArrayEquals(hex(""
                + "5c000000 2300 0500 01000000 00000000" // len 92 = 20 + 72
                + "0101 0000"                            // IPVS_CMD_NEW_SERVICE (1)
                + "4800 0180"                            // service nest, len 72
                + "0600 0100 0200 0000"                  // AF_INET
                + "0600 0200 0600 0000"                  // TCP
                + "0800 0300 c000020a"                   // 192.0.2.10
                + "0600 0400 0050 0000"                  // port 80
                + "0800 0600 77727200"                   // IPVS_SVC_ATTR_SCHED_NAME (6) "wrr\0"
                + "0c00 0700 01000000 ffffffff"          // IPVS_SVC_ATTR_FLAGS (7) {flags PERSISTENT, mask ~0}
                + "0800 0800 78000000"                   // IPVS_SVC_ATTR_TIMEOUT (8) u32 120 s
                + "0800 0900 ffffffff"),                 // IPVS_SVC_ATTR_NETMASK (9) __be32 255.255.255.255
                IpvsCodec.operation(FAMILY, 1, new IpvsOp.AddService(WEB, settings)));
    }

    /// keepalived's `lb_algo mh` with `mh-fallback` and `mh-port`: IP_VS_SVC_F_SCHED_MH_FALLBACK
    /// (SCHED1, 0x08) and IP_VS_SVC_F_SCHED_MH_PORT (SCHED2, 0x10), as `ipvsadm -s mh -b mh-fallback,mh-port` sends.
    @Test
    void newMaglevServiceWithFallbackAndPort() {
        var settings = new ServiceSettings("mh", ServiceSettings.SCHED1 | ServiceSettings.SCHED2, Duration.ZERO, 32);
        assertArrayEquals(hex(""
                + "5c000000 2300 0500 01000000 00000000" // len 92 = 20 + 72
                + "0101 0000"                            // IPVS_CMD_NEW_SERVICE (1)
                + "4800 0180"                            // service nest, len 72
                + "0600 0100 0200 0000"                  // AF_INET
                + "0600 0200 0600 0000"                  // TCP
                + "0800 0300 c000020a"                   // 192.0.2.10
                + "0600 0400 0050 0000"                  // port 80
                + "0700 0600 6d6800 00"                  // "mh\0": len 7, one byte of padding
                + "0c00 0700 18000000 ffffffff"          // {flags SCHED1 | SCHED2 = 0x18, mask ~0}
                + "0800 0800 00000000"                   // timeout 0: not persistent
                + "0800 0900 ffffffff"),                 // netmask /32
                IpvsCodec.operation(FAMILY, 1, new IpvsOp.AddService(WEB, settings)));
    }

    /// The kernel reports the flags with its own HASHED (0x02) among them: read back, they are the
    /// ones asked for, so the table compares equal and the reconciler leaves the service alone.
    @Test
    void decodeAMaglevServiceWithItsFlags() throws Exception {
        var dump = ""
                + "5c000000 2300 0200 01000000 00000000" // len 92, NLM_F_MULTI
                + "0101 0000"                            // IPVS_CMD_NEW_SERVICE
                + "4800 0100"                            // service nest, len 72
                + "0600 0100 0200 0000"                  // AF_INET
                + "0600 0200 0600 0000"                  // TCP
                + "0800 0300 c000020a"                   // 192.0.2.10
                + "0600 0400 0050 0000"                  // port 80
                + "0700 0600 6d6800 00"                  // "mh\0"
                + "0c00 0700 1a000000 ffffffff"          // HASHED | SCHED1 | SCHED2
                + "0800 0800 00000000"                   // timeout 0
                + "0800 0900 ffffffff";                  // netmask /32
        var reply = IpvsCodec.decodeServices(FAMILY, List.of(hex(dump), hex(DONE)));

        var expected = new IpvsCodec.ServiceEntry(WEB,
                new ServiceSettings("mh", ServiceSettings.SCHED1 | ServiceSettings.SCHED2, Duration.ZERO, 32),
                new IpvsStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        assertEquals(new IpvsCodec.Ok<>(List.of(expected)), reply);
    }

    @Test
    void setServiceOnIpv6() {
        var key = new ServiceKey.ByAddress(Protocol.UDP, ip("2001:db8::1"), 443);
        assertArrayEquals(hex(""
                + "68000000 2300 0500 01000000 00000000" // len 104 = 20 + 84
                + "0201 0000"                            // IPVS_CMD_SET_SERVICE (2)
                + "5400 0180"                            // service nest, len 84
                + "0600 0100 0a00 0000"                  // AF_INET6 10
                + "0600 0200 1100 0000"                  // IPPROTO_UDP 17
                + "1400 0300 20010db8 00000000 00000000 00000001" // 16-byte address
                + "0600 0400 01bb 0000"                  // port 443 = 01 bb
                + "0700 0600 727200 00"                  // "rr\0": len 7, one byte of padding
                + "0c00 0700 00000000 ffffffff"          // no flags, mask ~0
                + "0800 0800 00000000"                   // timeout 0: not persistent
                + "0800 0900 80000000"),                 // IPv6 netmask: prefix 128 as host-order u32
                IpvsCodec.operation(FAMILY, 1, new IpvsOp.EditService(key, ServiceSettings.of("rr"))));
    }

    @Test
    void deleteServiceSendsOnlyTheKey() {
        assertArrayEquals(hex(""
                + "28000000 2300 0500 01000000 00000000"
                + "0301 0000"                            // IPVS_CMD_DEL_SERVICE (3)
                + "1400 0180"
                + "0600 0100 0a00 0000"                  // AF_INET6
                + "0800 0500 07000000"),                 // fwmark 7
                IpvsCodec.operation(FAMILY, 1, new IpvsOp.DeleteService(new ServiceKey.ByFwmark(7,
                        AddressFamily.INET6))));
    }

    static final String RS1_FULL = ""
            + "3c00 0280"                 // nlattr len 60, IPVS_CMD_ATTR_DEST (2) | NLA_F_NESTED
            + "0600 0b00 0200 0000"       // IPVS_DEST_ATTR_ADDR_FAMILY (11) AF_INET
            + "0800 0100 c6336401"        // IPVS_DEST_ATTR_ADDR (1) 198.51.100.1
            + "0600 0200 0050 0000"       // IPVS_DEST_ATTR_PORT (2) 80
            + "0800 0300 03000000"        // IPVS_DEST_ATTR_FWD_METHOD (3) IP_VS_CONN_F_DROUTE 3
            + "0800 0400 03000000"        // IPVS_DEST_ATTR_WEIGHT (4) 3
            + "0800 0500 64000000"        // IPVS_DEST_ATTR_U_THRESH (5) 100
            + "0800 0600 0a000000";       // IPVS_DEST_ATTR_L_THRESH (6) 10

    @Test
    void newDestination() {
        assertArrayEquals(hex(""
                + "74000000 2300 0500 01000000 00000000" // len 116 = 20 + 36 + 60
                + "0501 0000"                            // IPVS_CMD_NEW_DEST (5)
                + WEB_KEY + RS1_FULL),
                IpvsCodec.operation(FAMILY, 1, new IpvsOp.AddDest(WEB, RS1)));
    }

    @Test
    void setDestination() {
        assertArrayEquals(hex(""
                + "74000000 2300 0500 01000000 00000000"
                + "0601 0000"                            // IPVS_CMD_SET_DEST (6)
                + WEB_KEY + RS1_FULL),
                IpvsCodec.operation(FAMILY, 1, new IpvsOp.EditDest(WEB, RS1)));
    }

    @Test
    void deleteDestinationSendsOnlyItsAddressAndPort() {
        assertArrayEquals(hex(""
                + "54000000 2300 0500 01000000 00000000" // len 84 = 20 + 36 + 28
                + "0701 0000"                            // IPVS_CMD_DEL_DEST (7)
                + WEB_KEY
                + "1c00 0280"                            // dest nest, len 28
                + "0600 0b00 0200 0000"
                + "0800 0100 c6336401"
                + "0600 0200 0050 0000"),
                IpvsCodec.operation(FAMILY, 1, new IpvsOp.DeleteDest(WEB, RS1.endpoint())));
    }

    /// A GET_SERVICE dump as the kernel writes it: nests without NLA_F_NESTED
    /// (`nla_nest_start_noflag`), the whole 16-byte `union nf_inet_addr`, IP_VS_SVC_F_HASHED set,
    /// u32/u64 counters, and one attribute this decoder does not know.
    static final String SERVICE_DUMP = ""
            + "88000000 2300 0200 01000000 00000000" // len 136, NLM_F_MULTI
            + "0101 0000"                            // IPVS_CMD_NEW_SERVICE
            + "7400 0100"                            // service nest, len 116, no NLA_F_NESTED
            + "0600 0100 0200 0000"                  // AF_INET
            + "0600 0200 0600 0000"                  // TCP
            + "1400 0300 c000020a 00000000 00000000 00000000" // 192.0.2.10 in 16 bytes
            + "0600 0400 0050 0000"                  // port 80
            + "0800 0600 776c6300"                   // "wlc\0"
            + "0c00 0700 03000000 ffffffff"          // PERSISTENT | HASHED
            + "0800 0800 2c010000"                   // timeout 300
            + "0800 0900 ffffff00"                   // netmask 255.255.255.0
            + "1800 0a00"                            // IPVS_SVC_ATTR_STATS (10), len 24
            + "0800 0100 05000000"                   // IPVS_STATS_ATTR_CONNS u32 5
            + "0c00 0400 e803000000000000"           // IPVS_STATS_ATTR_INBYTES u64 1000
            + "0800 6300 dededede";                  // attribute 99: unknown, skipped

    static final String DONE = "14000000 0300 0200 01000000 00000000 00000000"; // NLMSG_DONE, int 0

    @Test
    void decodeAServiceDump() throws Exception {
        var reply = IpvsCodec.decodeServices(FAMILY, List.of(hex(SERVICE_DUMP), hex(DONE)));

        var expected = new IpvsCodec.ServiceEntry(WEB,
                new ServiceSettings("wlc", ServiceSettings.PERSISTENT, Duration.ofSeconds(300), 24),
                new IpvsStats(5, 0, 0, 1000, 0, 0, 0, 0, 0, 0));
        assertEquals(new IpvsCodec.Ok<>(List.of(expected)), reply);
    }

    static final String DEST_DUMP = ""
            + "90000000 2300 0200 01000000 00000000" // len 144
            + "0501 0000"                            // IPVS_CMD_NEW_DEST
            + "7c00 0200"                            // dest nest, len 124
            + "1400 0100 c6336401 00000000 00000000 00000000" // 198.51.100.1 in 16 bytes
            + "0600 0200 0050 0000"                  // port 80
            + "0800 0300 03000000"                   // DR
            + "0800 0400 02000000"                   // weight 2
            + "0800 0500 00000000"                   // u_thresh 0
            + "0800 0600 00000000"                   // l_thresh 0
            + "0800 0700 07000000"                   // IPVS_DEST_ATTR_ACTIVE_CONNS 7
            + "0800 0800 01000000"                   // IPVS_DEST_ATTR_INACT_CONNS 1
            + "0800 0900 04000000"                   // IPVS_DEST_ATTR_PERSIST_CONNS 4
            + "0600 0b00 0200 0000"                  // ADDR_FAMILY AF_INET
            + "1c00 0c00"                            // IPVS_DEST_ATTR_STATS64 (12), len 28
            + "0c00 0100 0900000000000000"           // CONNS u64 9
            + "0c00 0500 0000000001000000";          // OUTBYTES u64 2^32

    @Test
    void decodeADestinationDumpWithStats() throws Exception {
        var reply = IpvsCodec.decodeDestinations(FAMILY, AddressFamily.INET, List.of(hex(DEST_DUMP), hex(DONE)));

        var expected = new IpvsCodec.DestinationEntry(
                new Destination(ip("198.51.100.1"), 80, 2, ForwardingMethod.DR, 0, 0), 7, 1, 4,
                new IpvsStats(9, 0, 0, 0, 1L << 32, 0, 0, 0, 0, 0));
        assertEquals(new IpvsCodec.Ok<>(List.of(expected)), reply);
    }

    @Test
    void decodeAnEmptyDump() throws Exception {
        assertEquals(new IpvsCodec.Ok<>(List.of()), IpvsCodec.decodeServices(FAMILY, List.of(hex(DONE))));
    }

    @Test
    void decodeInfo() throws Exception {
        var info = hex(""
                + "24000000 2300 0000 01000000 00000000" // len 36
                + "0e01 0000"                            // IPVS_CMD_SET_INFO (14)
                + "0800 0100 01020100"                   // IPVS_INFO_ATTR_VERSION 0x010201
                + "0800 0200 00100000");                 // IPVS_INFO_ATTR_CONN_TAB_SIZE 4096
        var ack = hex("24000000 0200 0001 01000000 00000000 00000000" // NLMSG_ERROR, error 0
                + "14000000 2300 0500 01000000 00000000"); // the request's header, echoed
        var reply = IpvsCodec.decodeInfo(FAMILY, List.of(info, ack));

        assertEquals(new IpvsCodec.Ok<>(new IpvsCodec.Info(0x010201, 4096)), reply);
        assertEquals("1.2.1", ((IpvsCodec.Ok<IpvsCodec.Info>) reply).value().versionString());
    }

    @Test
    void decodeAcknowledgementsAndErrors() throws Exception {
        assertEquals(0, IpvsCodec.decodeAck(FAMILY, List.of(hex("24000000 0200 0001 01000000 00000000 00000000"
                + "14000000 2300 0500 01000000 00000000"))));
        // error -17: EEXIST, as ip_vs_add_service answers for a service that is there
        assertEquals(17, IpvsCodec.decodeAck(FAMILY, List.of(hex("24000000 0200 0000 01000000 00000000 efffffff"
                + "14000000 2300 0500 01000000 00000000"))));
        // a dump the kernel refuses (ESRCH: no such service) ends in NLMSG_ERROR instead of DONE
        assertEquals(new IpvsCodec.Refused<>(3), IpvsCodec.decodeDestinations(FAMILY, AddressFamily.INET,
                List.of(hex("24000000 0200 0000 01000000 00000000 fdffffff 14000000 2300 0103 01000000 00000000"))));
    }

    @Test
    void encodedRequestsDecodeBackToTheirValues() throws Exception {
        // what the fake kernel does with a request: the same attribute readers as for replies
        var settings = new ServiceSettings("sh", ServiceSettings.PERSISTENT | ServiceSettings.SCHED2,
                Duration.ofSeconds(60), 64);
        var key = new ServiceKey.ByAddress(Protocol.SCTP, ip("2001:db8::5"), 9);
        var bytes = IpvsCodec.operation(FAMILY, 1, new IpvsOp.AddService(key, settings));
        var top = Nla.Attrs.parse(bytes, 20, bytes.length, "request", IpvsCodec::commandAttrName);
        var svc = top.get(IpvsCodec.CMD_ATTR_SERVICE).nested(IpvsCodec::serviceAttrName);

        assertEquals(key, IpvsCodec.serviceKey(svc));
        assertEquals(settings, IpvsCodec.serviceSettings(svc, AddressFamily.INET6));

        var dest = new Destination(ip("2001:db8::9"), 0, 0, ForwardingMethod.TUN, 5, 1);
        var d = IpvsCodec.operation(FAMILY, 1, new IpvsOp.AddDest(key, dest));
        var dtop = Nla.Attrs.parse(d, 20, d.length, "request", IpvsCodec::commandAttrName);
        assertEquals(dest, IpvsCodec.destination(dtop.get(IpvsCodec.CMD_ATTR_DEST).nested(IpvsCodec::destAttrName),
                AddressFamily.INET));
    }
}
