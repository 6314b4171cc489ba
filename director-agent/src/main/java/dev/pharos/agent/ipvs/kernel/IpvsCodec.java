package dev.pharos.agent.ipvs.kernel;

import dev.pharos.agent.ipvs.table.AddressFamily;
import dev.pharos.agent.ipvs.table.Destination;
import dev.pharos.agent.ipvs.table.Endpoint;
import dev.pharos.agent.ipvs.table.ForwardingMethod;
import dev.pharos.agent.ipvs.table.IpvsOp;
import dev.pharos.agent.ipvs.table.Protocol;
import dev.pharos.agent.ipvs.table.ServiceKey;
import dev.pharos.agent.ipvs.table.ServiceSettings;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/// The IPVS generic-netlink family (`linux/ip_vs.h`, family "IPVS" version 1): requests from
/// [IpvsOp]s and dumps, replies into records. Pure: bytes in, values out, or one
/// [MalformedReplyException] naming what was wrong.
///
/// Byte order, as the kernel wants it: netlink headers and most values in host order; ports
/// (`__be16`) and addresses in network order; the IPv4 persistence netmask is a `__be32` mask,
/// the IPv6 one a prefix length in host order.
final class IpvsCodec {

    static final String FAMILY_NAME = "IPVS";
    static final int FAMILY_VERSION = 1;

    // IPVS_CMD_*
    static final int CMD_NEW_SERVICE = 1;
    static final int CMD_SET_SERVICE = 2;
    static final int CMD_DEL_SERVICE = 3;
    static final int CMD_GET_SERVICE = 4;
    static final int CMD_NEW_DEST = 5;
    static final int CMD_SET_DEST = 6;
    static final int CMD_DEL_DEST = 7;
    static final int CMD_GET_DEST = 8;
    static final int CMD_SET_INFO = 14;
    static final int CMD_GET_INFO = 15;

    // IPVS_CMD_ATTR_*
    static final int CMD_ATTR_SERVICE = 1;
    static final int CMD_ATTR_DEST = 2;
    static final int CMD_ATTR_DAEMON = 3;

    // IPVS_SVC_ATTR_*
    static final int SVC_ATTR_AF = 1;
    static final int SVC_ATTR_PROTOCOL = 2;
    static final int SVC_ATTR_ADDR = 3;
    static final int SVC_ATTR_PORT = 4;
    static final int SVC_ATTR_FWMARK = 5;
    static final int SVC_ATTR_SCHED_NAME = 6;
    static final int SVC_ATTR_FLAGS = 7;
    static final int SVC_ATTR_TIMEOUT = 8;
    static final int SVC_ATTR_NETMASK = 9;
    static final int SVC_ATTR_STATS = 10;
    static final int SVC_ATTR_PE_NAME = 11;
    static final int SVC_ATTR_STATS64 = 12;

    // IPVS_DEST_ATTR_*
    static final int DEST_ATTR_ADDR = 1;
    static final int DEST_ATTR_PORT = 2;
    static final int DEST_ATTR_FWD_METHOD = 3;
    static final int DEST_ATTR_WEIGHT = 4;
    static final int DEST_ATTR_U_THRESH = 5;
    static final int DEST_ATTR_L_THRESH = 6;
    static final int DEST_ATTR_ACTIVE_CONNS = 7;
    static final int DEST_ATTR_INACT_CONNS = 8;
    static final int DEST_ATTR_PERSIST_CONNS = 9;
    static final int DEST_ATTR_STATS = 10;
    static final int DEST_ATTR_ADDR_FAMILY = 11;
    static final int DEST_ATTR_STATS64 = 12;

    // IPVS_STATS_ATTR_*
    static final int STATS_ATTR_CONNS = 1;
    static final int STATS_ATTR_INPKTS = 2;
    static final int STATS_ATTR_OUTPKTS = 3;
    static final int STATS_ATTR_INBYTES = 4;
    static final int STATS_ATTR_OUTBYTES = 5;
    static final int STATS_ATTR_CPS = 6;
    static final int STATS_ATTR_INPPS = 7;
    static final int STATS_ATTR_OUTPPS = 8;
    static final int STATS_ATTR_INBPS = 9;
    static final int STATS_ATTR_OUTBPS = 10;

    // IPVS_INFO_ATTR_*
    static final int INFO_ATTR_VERSION = 1;
    static final int INFO_ATTR_CONN_TAB_SIZE = 2;

    private static final int REQUEST_ACK = Nla.NLM_F_REQUEST | Nla.NLM_F_ACK;
    private static final int REQUEST_DUMP = Nla.NLM_F_REQUEST | Nla.NLM_F_DUMP;
    private static final int FWD_MASK = 0x7; // IP_VS_CONN_F_FWD_MASK

    private IpvsCodec() {
    }

    /// The kernel's answer: the value, or the errno it refused with.
    sealed interface Reply<T> permits Ok, Refused {
    }

    record Ok<T>(T value) implements Reply<T> {
    }

    /// @param errno positive (`EEXIST` = 17)
    record Refused<T>(int errno) implements Reply<T> {
    }

    /// `IPVS_CMD_SET_INFO` (the reply to GET_INFO).
    record Info(long version, long connectionTableSize) {
        /// `1.2.1` for `IP_VS_VERSION_CODE` 0x010201.
        String versionString() {
            return (version >> 16 & 0xff) + "." + (version >> 8 & 0xff) + "." + (version & 0xff);
        }
    }

    record ServiceEntry(ServiceKey key, ServiceSettings settings, IpvsStats stats) {
    }

    record DestinationEntry(Destination destination, long activeConnections, long inactiveConnections,
            long persistentConnections, IpvsStats stats) {
    }

    // ---- requests ----

    static byte[] getInfo(int family, int seq) {
        return new Nla.Writer(family, REQUEST_ACK, seq, CMD_GET_INFO, FAMILY_VERSION).finish();
    }

    static byte[] dumpServices(int family, int seq) {
        return new Nla.Writer(family, REQUEST_DUMP, seq, CMD_GET_SERVICE, FAMILY_VERSION).finish();
    }

    static byte[] dumpDestinations(int family, int seq, ServiceKey key) {
        var w = new Nla.Writer(family, REQUEST_DUMP, seq, CMD_GET_DEST, FAMILY_VERSION);
        putService(w, key, null);
        return w.finish();
    }

    static byte[] operation(int family, int seq, IpvsOp op) {
        return switch (op) {
            case IpvsOp.AddService a -> serviceCommand(family, seq, CMD_NEW_SERVICE, a.service(), a.settings());
            case IpvsOp.EditService e -> serviceCommand(family, seq, CMD_SET_SERVICE, e.service(), e.settings());
            case IpvsOp.DeleteService d -> serviceCommand(family, seq, CMD_DEL_SERVICE, d.service(), null);
            case IpvsOp.AddDest a -> destCommand(family, seq, CMD_NEW_DEST, a.service(), a.destination());
            case IpvsOp.EditDest e -> destCommand(family, seq, CMD_SET_DEST, e.service(), e.destination());
            case IpvsOp.DeleteDest d -> {
                var w = new Nla.Writer(family, REQUEST_ACK, seq, CMD_DEL_DEST, FAMILY_VERSION);
                putService(w, d.service(), null);
                int nest = w.begin(CMD_ATTR_DEST);
                putEndpoint(w, d.destination());
                yield w.end(nest).finish();
            }
        };
    }

    private static byte[] serviceCommand(int family, int seq, int cmd, ServiceKey key, ServiceSettings settings) {
        var w = new Nla.Writer(family, REQUEST_ACK, seq, cmd, FAMILY_VERSION);
        putService(w, key, settings);
        return w.finish();
    }

    private static byte[] destCommand(int family, int seq, int cmd, ServiceKey key, Destination d) {
        var w = new Nla.Writer(family, REQUEST_ACK, seq, cmd, FAMILY_VERSION);
        putService(w, key, null);
        int nest = w.begin(CMD_ATTR_DEST);
        putDestination(w, d);
        return w.end(nest).finish();
    }

    /// `IPVS_CMD_ATTR_SERVICE`: the key, and the settings when given (NEW/SET need all four).
    static void putService(Nla.Writer w, ServiceKey key, ServiceSettings settings) {
        int nest = w.begin(CMD_ATTR_SERVICE);
        w.u16(SVC_ATTR_AF, key.family().wireValue());
        switch (key) {
            case ServiceKey.ByFwmark f -> w.u32(SVC_ATTR_FWMARK, f.mark());
            case ServiceKey.ByAddress a -> w.u16(SVC_ATTR_PROTOCOL, a.protocol().wireValue())
                    .bytes(SVC_ATTR_ADDR, a.address().getAddress())
                    .be16(SVC_ATTR_PORT, a.port());
        }
        if (settings != null) {
            var s = settings.forFamily(key.family());
            // struct ip_vs_flags { __u32 flags; __u32 mask; }: the mask says which bits to set
            var flags = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putInt(s.flags()).putInt(-1).array();
            w.string(SVC_ATTR_SCHED_NAME, s.scheduler())
                    .bytes(SVC_ATTR_FLAGS, flags)
                    .u32(SVC_ATTR_TIMEOUT, s.persistenceTimeout().toSeconds());
            if (key.family() == AddressFamily.INET) {
                w.bytes(SVC_ATTR_NETMASK, ipv4Mask(s.persistenceNetmask()));
            } else {
                w.u32(SVC_ATTR_NETMASK, s.persistenceNetmask());
            }
        }
        w.end(nest);
    }

    static void putEndpoint(Nla.Writer w, Endpoint e) {
        w.u16(DEST_ATTR_ADDR_FAMILY, e.family().wireValue())
                .bytes(DEST_ATTR_ADDR, e.address().getAddress())
                .be16(DEST_ATTR_PORT, e.port());
    }

    static void putDestination(Nla.Writer w, Destination d) {
        putEndpoint(w, d.endpoint());
        w.u32(DEST_ATTR_FWD_METHOD, d.forwarding().wireValue())
                .u32(DEST_ATTR_WEIGHT, d.weight())
                .u32(DEST_ATTR_U_THRESH, d.upperThreshold())
                .u32(DEST_ATTR_L_THRESH, d.lowerThreshold());
    }

    static byte[] ipv4Mask(int prefix) {
        int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
        return ByteBuffer.allocate(4).order(ByteOrder.BIG_ENDIAN).putInt(mask).array();
    }

    // ---- replies ----

    /// The messages of one reply, after checking each header: the IPVS messages' attributes, or
    /// the errno of an `NLMSG_ERROR`.
    record Frames(List<Nla.Attrs> messages, int errno) {
    }

    static Frames frames(int family, int expectedCmd, List<byte[]> replies, boolean dump)
            throws MalformedReplyException {
        var out = new ArrayList<Nla.Attrs>();
        for (int i = 0; i < replies.size(); i++) {
            var m = replies.get(i);
            var where = "reply message " + (i + 1) + " of " + replies.size();
            if (m.length < Nla.NLMSG_HDRLEN) {
                throw new MalformedReplyException(where + ": " + m.length + " bytes, shorter than a netlink header");
            }
            var b = ByteBuffer.wrap(m).order(ByteOrder.nativeOrder());
            long len = b.getInt(0) & 0xffff_ffffL;
            int type = b.getShort(4) & 0xffff;
            if (len < Nla.NLMSG_HDRLEN || len > m.length) {
                throw new MalformedReplyException(where + ": nlmsg_len " + len + " does not fit its " + m.length
                        + " bytes");
            }
            if (type == Nla.NLMSG_ERROR) {
                if (len < Nla.NLMSG_HDRLEN + 4) {
                    throw new MalformedReplyException(where + ": NLMSG_ERROR without its error code");
                }
                int error = b.getInt(Nla.NLMSG_HDRLEN);
                if (error > 0) {
                    throw new MalformedReplyException(where + ": NLMSG_ERROR with positive error " + error);
                }
                return terminal(where, i, replies.size(), new Frames(out, -error));
            }
            if (type == Nla.NLMSG_DONE) {
                if (!dump) {
                    throw new MalformedReplyException(where + ": NLMSG_DONE answers a request that was not a dump");
                }
                return terminal(where, i, replies.size(), new Frames(out, 0));
            }
            if (type != family) {
                throw new MalformedReplyException(where + ": type " + type + " is neither the IPVS family (" + family
                        + ") nor NLMSG_ERROR/NLMSG_DONE");
            }
            if (len < Nla.NLMSG_HDRLEN + Nla.GENL_HDRLEN) {
                throw new MalformedReplyException(where + ": no room for the generic netlink header");
            }
            int cmd = m[Nla.NLMSG_HDRLEN] & 0xff;
            if (expectedCmd < 0) {
                throw new MalformedReplyException(where + ": an IPVS message (command " + cmd
                        + ") where only an acknowledgement was expected");
            }
            if (cmd != expectedCmd) {
                throw new MalformedReplyException(where + ": command " + cmd + ", expected " + expectedCmd);
            }
            out.add(Nla.Attrs.parse(m, Nla.NLMSG_HDRLEN + Nla.GENL_HDRLEN, (int) len, where,
                    IpvsCodec::commandAttrName));
        }
        throw new MalformedReplyException("the reply ended after " + replies.size() + " message(s) without "
                + (dump ? "NLMSG_DONE" : "an acknowledgement"));
    }

    private static Frames terminal(String where, int index, int count, Frames frames) throws MalformedReplyException {
        if (index != count - 1) {
            throw new MalformedReplyException(where + ": the reply goes on after its last message");
        }
        return frames;
    }

    /// The acknowledgement of a NEW/SET/DEL command: 0, or the errno the kernel refused it with.
    static int decodeAck(int family, List<byte[]> replies) throws MalformedReplyException {
        return frames(family, -1, replies, false).errno();
    }

    static Reply<Info> decodeInfo(int family, List<byte[]> replies) throws MalformedReplyException {
        var f = frames(family, CMD_SET_INFO, replies, false);
        if (f.errno() != 0) {
            return new Refused<>(f.errno());
        }
        if (f.messages().size() != 1) {
            throw new MalformedReplyException("GET_INFO: " + f.messages().size() + " info messages, expected 1");
        }
        var m = f.messages().getFirst();
        return new Ok<>(new Info(m.require(INFO_ATTR_VERSION, "IPVS_INFO_ATTR_VERSION").u32(),
                m.has(INFO_ATTR_CONN_TAB_SIZE) ? m.get(INFO_ATTR_CONN_TAB_SIZE).u32() : 0));
    }

    static Reply<List<ServiceEntry>> decodeServices(int family, List<byte[]> replies) throws MalformedReplyException {
        var f = frames(family, CMD_NEW_SERVICE, replies, true);
        if (f.errno() != 0) {
            return new Refused<>(f.errno());
        }
        var out = new ArrayList<ServiceEntry>();
        for (var m : f.messages()) {
            var svc = m.require(CMD_ATTR_SERVICE, "IPVS_CMD_ATTR_SERVICE").nested(IpvsCodec::serviceAttrName);
            var key = serviceKey(svc);
            out.add(new ServiceEntry(key, serviceSettings(svc, key.family()), stats(svc, SVC_ATTR_STATS,
                    SVC_ATTR_STATS64)));
        }
        return new Ok<>(List.copyOf(out));
    }

    static Reply<List<DestinationEntry>> decodeDestinations(int family, AddressFamily serviceFamily,
            List<byte[]> replies) throws MalformedReplyException {
        var f = frames(family, CMD_NEW_DEST, replies, true);
        if (f.errno() != 0) {
            return new Refused<>(f.errno());
        }
        var out = new ArrayList<DestinationEntry>();
        for (var m : f.messages()) {
            var d = m.require(CMD_ATTR_DEST, "IPVS_CMD_ATTR_DEST").nested(IpvsCodec::destAttrName);
            out.add(new DestinationEntry(destination(d, serviceFamily), optional(d, DEST_ATTR_ACTIVE_CONNS),
                    optional(d, DEST_ATTR_INACT_CONNS), optional(d, DEST_ATTR_PERSIST_CONNS),
                    stats(d, DEST_ATTR_STATS, DEST_ATTR_STATS64)));
        }
        return new Ok<>(List.copyOf(out));
    }

    /// The key in an `IPVS_CMD_ATTR_SERVICE`.
    static ServiceKey serviceKey(Nla.Attrs svc) throws MalformedReplyException {
        var family = family(svc.require(SVC_ATTR_AF, "IPVS_SVC_ATTR_AF"));
        var fwmark = svc.get(SVC_ATTR_FWMARK);
        if (fwmark != null && fwmark.u32() != 0) {
            return new ServiceKey.ByFwmark(fwmark.u32(), family);
        }
        var protoAttr = svc.require(SVC_ATTR_PROTOCOL, "IPVS_SVC_ATTR_PROTOCOL");
        int proto = protoAttr.u16();
        var protocol = Protocol.fromWire(proto).orElseThrow(() -> new MalformedReplyException(protoAttr.path()
                + ": protocol " + proto + " is not one IPVS balances (TCP 6, UDP 17, SCTP 132)"));
        var address = address(svc.require(SVC_ATTR_ADDR, "IPVS_SVC_ATTR_ADDR"), family);
        return new ServiceKey.ByAddress(protocol, address, svc.require(SVC_ATTR_PORT, "IPVS_SVC_ATTR_PORT").be16());
    }

    /// The settings in an `IPVS_CMD_ATTR_SERVICE` (all four are required, as for NEW_SERVICE).
    static ServiceSettings serviceSettings(Nla.Attrs svc, AddressFamily family) throws MalformedReplyException {
        var scheduler = svc.require(SVC_ATTR_SCHED_NAME, "IPVS_SVC_ATTR_SCHED_NAME").string();
        var flagsAttr = svc.require(SVC_ATTR_FLAGS, "IPVS_SVC_ATTR_FLAGS");
        if (flagsAttr.length() != 8) {
            throw new MalformedReplyException(flagsAttr.path() + ": " + flagsAttr.length()
                    + " bytes, expected 8 (struct ip_vs_flags)");
        }
        var fb = ByteBuffer.wrap(flagsAttr.value()).order(ByteOrder.nativeOrder());
        int flags = fb.getInt(0) & fb.getInt(4) & USER_FLAGS;
        long timeout = svc.require(SVC_ATTR_TIMEOUT, "IPVS_SVC_ATTR_TIMEOUT").u32();
        var maskAttr = svc.require(SVC_ATTR_NETMASK, "IPVS_SVC_ATTR_NETMASK");
        int netmask;
        if (family == AddressFamily.INET) {
            maskAttr.u32(); // length check
            netmask = prefix(maskAttr.value(), maskAttr.path());
        } else {
            long p = maskAttr.u32();
            if (p > 128) {
                throw new MalformedReplyException(maskAttr.path() + ": IPv6 prefix " + p + " is over 128");
            }
            netmask = (int) p;
        }
        try {
            return new ServiceSettings(scheduler, flags, Duration.ofSeconds(timeout), netmask);
        } catch (IllegalArgumentException e) {
            throw new MalformedReplyException(svc.path() + ": " + e.getMessage());
        }
    }

    private static final int USER_FLAGS = ServiceSettings.PERSISTENT | ServiceSettings.ONEPACKET
            | ServiceSettings.SCHED1 | ServiceSettings.SCHED2 | ServiceSettings.SCHED3;

    /// The endpoint in an `IPVS_CMD_ATTR_DEST`; the family defaults to the service's (kernels
    /// before 3.18 do not send `IPVS_DEST_ATTR_ADDR_FAMILY`).
    static Endpoint destinationEndpoint(Nla.Attrs d, AddressFamily serviceFamily) throws MalformedReplyException {
        var af = d.get(DEST_ATTR_ADDR_FAMILY);
        var family = af == null ? serviceFamily : family(af);
        return new Endpoint(address(d.require(DEST_ATTR_ADDR, "IPVS_DEST_ATTR_ADDR"), family),
                d.require(DEST_ATTR_PORT, "IPVS_DEST_ATTR_PORT").be16());
    }

    static Destination destination(Nla.Attrs d, AddressFamily serviceFamily) throws MalformedReplyException {
        var endpoint = destinationEndpoint(d, serviceFamily);
        var fwdAttr = d.require(DEST_ATTR_FWD_METHOD, "IPVS_DEST_ATTR_FWD_METHOD");
        int fwd = (int) (fwdAttr.u32() & FWD_MASK);
        var forwarding = ForwardingMethod.fromWire(fwd).orElseThrow(() -> new MalformedReplyException(
                fwdAttr.path() + ": forwarding method " + fwd + " is not NAT 0, LOCAL 1, TUN 2 or DR 3"));
        return new Destination(endpoint.address(), endpoint.port(),
                nonNegative(d.require(DEST_ATTR_WEIGHT, "IPVS_DEST_ATTR_WEIGHT")), forwarding,
                nonNegative(d.require(DEST_ATTR_U_THRESH, "IPVS_DEST_ATTR_U_THRESH")),
                nonNegative(d.require(DEST_ATTR_L_THRESH, "IPVS_DEST_ATTR_L_THRESH")));
    }

    private static int nonNegative(Nla.Attr a) throws MalformedReplyException {
        long v = a.u32();
        if (v > Integer.MAX_VALUE) {
            throw new MalformedReplyException(a.path() + ": " + (int) v + " is negative");
        }
        return (int) v;
    }

    private static long optional(Nla.Attrs attrs, int type) throws MalformedReplyException {
        var a = attrs.get(type);
        return a == null ? 0 : a.u32();
    }

    /// The counters, from the 64-bit nest when the kernel sends it (Linux 4.7+), else the 32-bit one.
    private static IpvsStats stats(Nla.Attrs parent, int stats32, int stats64) throws MalformedReplyException {
        var a = parent.has(stats64) ? parent.get(stats64) : parent.get(stats32);
        if (a == null) {
            return IpvsStats.ZERO;
        }
        var s = a.nested(IpvsCodec::statsAttrName);
        return new IpvsStats(counter(s, STATS_ATTR_CONNS), counter(s, STATS_ATTR_INPKTS),
                counter(s, STATS_ATTR_OUTPKTS), counter(s, STATS_ATTR_INBYTES), counter(s, STATS_ATTR_OUTBYTES),
                counter(s, STATS_ATTR_CPS), counter(s, STATS_ATTR_INPPS), counter(s, STATS_ATTR_OUTPPS),
                counter(s, STATS_ATTR_INBPS), counter(s, STATS_ATTR_OUTBPS));
    }

    private static long counter(Nla.Attrs s, int type) throws MalformedReplyException {
        var a = s.get(type);
        return a == null ? 0 : a.counter();
    }

    private static AddressFamily family(Nla.Attr a) throws MalformedReplyException {
        int af = a.u16();
        return AddressFamily.fromWire(af).orElseThrow(() -> new MalformedReplyException(a.path()
                + ": address family " + af + " is neither AF_INET (2) nor AF_INET6 (10)"));
    }

    /// The kernel sends a whole `union nf_inet_addr` (16 bytes) even for IPv4: the family says how
    /// much of it is the address.
    private static InetAddress address(Nla.Attr a, AddressFamily family) throws MalformedReplyException {
        if (a.length() < family.addressLength() || a.length() > 16) {
            throw new MalformedReplyException(a.path() + ": " + a.length() + " bytes for an "
                    + (family == AddressFamily.INET ? "IPv4" : "IPv6") + " address");
        }
        try {
            return InetAddress.getByAddress(Arrays.copyOf(a.value(), family.addressLength()));
        } catch (UnknownHostException e) {
            throw new MalformedReplyException(a.path() + ": " + e.getMessage());
        }
    }

    private static int prefix(byte[] mask, String path) throws MalformedReplyException {
        int bits = Integer.bitCount(ByteBuffer.wrap(mask).order(ByteOrder.BIG_ENDIAN).getInt());
        if (!Arrays.equals(mask, ipv4Mask(bits))) {
            throw new MalformedReplyException(path + ": netmask " + (mask[0] & 0xff) + "." + (mask[1] & 0xff) + "."
                    + (mask[2] & 0xff) + "." + (mask[3] & 0xff) + " is not contiguous; Pharos manages prefix masks only");
        }
        return bits;
    }

    // ---- names for error messages ----

    static String commandAttrName(int type) {
        return name(type, "IPVS_CMD_ATTR_", "UNSPEC", "SERVICE", "DEST", "DAEMON", "TIMEOUT_TCP", "TIMEOUT_TCP_FIN",
                "TIMEOUT_UDP");
    }

    static String serviceAttrName(int type) {
        return name(type, "IPVS_SVC_ATTR_", "UNSPEC", "AF", "PROTOCOL", "ADDR", "PORT", "FWMARK", "SCHED_NAME", "FLAGS",
                "TIMEOUT", "NETMASK", "STATS", "PE_NAME", "STATS64");
    }

    static String destAttrName(int type) {
        return name(type, "IPVS_DEST_ATTR_", "UNSPEC", "ADDR", "PORT", "FWD_METHOD", "WEIGHT", "U_THRESH", "L_THRESH",
                "ACTIVE_CONNS", "INACT_CONNS", "PERSIST_CONNS", "STATS", "ADDR_FAMILY", "STATS64", "TUN_TYPE",
                "TUN_PORT", "TUN_FLAGS");
    }

    static String statsAttrName(int type) {
        return name(type, "IPVS_STATS_ATTR_", "UNSPEC", "CONNS", "INPKTS", "OUTPKTS", "INBYTES", "OUTBYTES", "CPS",
                "INPPS", "OUTPPS", "INBPS", "OUTBPS", "PAD");
    }

    private static String name(int type, String prefix, String... names) {
        return type >= 0 && type < names.length ? prefix + names[type] : prefix.substring(0, prefix.length() - 1)
                + " " + type;
    }
}
