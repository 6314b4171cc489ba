package dev.pharos.agent.ipvs.kernel;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/// The sync-daemon commands of the IPVS generic-netlink family (`linux/ip_vs.h`): start
/// (`IPVS_CMD_NEW_DAEMON`), stop (`IPVS_CMD_DEL_DAEMON`) and list (`IPVS_CMD_GET_DAEMON`, a dump
/// answered with one `IPVS_CMD_NEW_DAEMON` message per running daemon). Pure, like [IpvsCodec].
///
/// Byte order: the state, sync id and maxlen in host order, the port (`__be16`) and the IPv4
/// group in network order, the TTL one byte.
final class SyncDaemonCodec {

    // IPVS_CMD_*
    static final int CMD_NEW_DAEMON = 9;
    static final int CMD_DEL_DAEMON = 10;
    static final int CMD_GET_DAEMON = 11;

    // IPVS_DAEMON_ATTR_*
    static final int DAEMON_ATTR_STATE = 1;
    static final int DAEMON_ATTR_MCAST_IFN = 2;
    static final int DAEMON_ATTR_SYNC_ID = 3;
    static final int DAEMON_ATTR_SYNC_MAXLEN = 4;
    static final int DAEMON_ATTR_MCAST_GROUP = 5;
    static final int DAEMON_ATTR_MCAST_GROUP6 = 6;
    static final int DAEMON_ATTR_MCAST_PORT = 7;
    static final int DAEMON_ATTR_MCAST_TTL = 8;

    private static final int REQUEST_ACK = Nla.NLM_F_REQUEST | Nla.NLM_F_ACK;
    private static final int REQUEST_DUMP = Nla.NLM_F_REQUEST | Nla.NLM_F_DUMP;

    private SyncDaemonCodec() {
    }

    /// Starts `daemon`; the optional settings are sent only when given, so that the kernel
    /// chooses the rest as `ipvsadm --start-daemon` lets it.
    static byte[] start(int family, int seq, SyncDaemon daemon) {
        var w = new Nla.Writer(family, REQUEST_ACK, seq, CMD_NEW_DAEMON, IpvsCodec.FAMILY_VERSION);
        int nest = w.begin(IpvsCodec.CMD_ATTR_DAEMON);
        w.u32(DAEMON_ATTR_STATE, daemon.role().wireValue())
                .string(DAEMON_ATTR_MCAST_IFN, daemon.interfaceName())
                .u32(DAEMON_ATTR_SYNC_ID, daemon.syncId());
        if (daemon.maxLength() != 0) {
            w.u16(DAEMON_ATTR_SYNC_MAXLEN, daemon.maxLength());
        }
        if (daemon.group() != null) {
            w.bytes(daemon.ipv4Group() ? DAEMON_ATTR_MCAST_GROUP : DAEMON_ATTR_MCAST_GROUP6,
                    daemon.group().getAddress());
        }
        if (daemon.port() != 0) {
            w.be16(DAEMON_ATTR_MCAST_PORT, daemon.port());
        }
        if (daemon.ttl() != 0) {
            w.bytes(DAEMON_ATTR_MCAST_TTL, new byte[] {(byte) daemon.ttl()});
        }
        return w.end(nest).finish();
    }

    /// Stops the daemon of `role`: the kernel needs only the state.
    static byte[] stop(int family, int seq, SyncDaemon.Role role) {
        var w = new Nla.Writer(family, REQUEST_ACK, seq, CMD_DEL_DAEMON, IpvsCodec.FAMILY_VERSION);
        int nest = w.begin(IpvsCodec.CMD_ATTR_DAEMON);
        w.u32(DAEMON_ATTR_STATE, role.wireValue());
        return w.end(nest).finish();
    }

    static byte[] dump(int family, int seq) {
        return new Nla.Writer(family, REQUEST_DUMP, seq, CMD_GET_DAEMON, IpvsCodec.FAMILY_VERSION).finish();
    }

    /// The running daemons, as the kernel reports them (with the values it chose filled in).
    static IpvsCodec.Reply<List<SyncDaemon>> decodeDaemons(int family, List<byte[]> replies)
            throws MalformedReplyException {
        var f = IpvsCodec.frames(family, CMD_NEW_DAEMON, replies, true);
        if (f.errno() != 0) {
            return new IpvsCodec.Refused<>(f.errno());
        }
        var out = new ArrayList<SyncDaemon>();
        for (var m : f.messages()) {
            out.add(daemon(m.require(IpvsCodec.CMD_ATTR_DAEMON, "IPVS_CMD_ATTR_DAEMON")
                    .nested(SyncDaemonCodec::daemonAttrName)));
        }
        return new IpvsCodec.Ok<>(List.copyOf(out));
    }

    private static SyncDaemon daemon(Nla.Attrs d) throws MalformedReplyException {
        var stateAttr = d.require(DAEMON_ATTR_STATE, "IPVS_DAEMON_ATTR_STATE");
        long state = stateAttr.u32();
        var role = switch ((int) state) {
            case 1 -> SyncDaemon.Role.MASTER;
            case 2 -> SyncDaemon.Role.BACKUP;
            default -> throw new MalformedReplyException(stateAttr.path() + ": state " + state
                    + " is neither master (1) nor backup (2)");
        };
        var ifn = d.require(DAEMON_ATTR_MCAST_IFN, "IPVS_DAEMON_ATTR_MCAST_IFN").string();
        var syncIdAttr = d.require(DAEMON_ATTR_SYNC_ID, "IPVS_DAEMON_ATTR_SYNC_ID");
        long syncId = syncIdAttr.u32();
        int maxLength = d.has(DAEMON_ATTR_SYNC_MAXLEN) ? d.get(DAEMON_ATTR_SYNC_MAXLEN).u16() : 0;
        int port = d.has(DAEMON_ATTR_MCAST_PORT) ? d.get(DAEMON_ATTR_MCAST_PORT).be16() : 0;
        int ttl = 0;
        if (d.has(DAEMON_ATTR_MCAST_TTL)) {
            var t = d.get(DAEMON_ATTR_MCAST_TTL);
            if (t.length() != 1) {
                throw new MalformedReplyException(t.path() + ": " + t.length() + " bytes, expected 1");
            }
            ttl = t.value()[0] & 0xff;
        }
        InetAddress group = null;
        if (d.has(DAEMON_ATTR_MCAST_GROUP)) {
            group = group(d.get(DAEMON_ATTR_MCAST_GROUP), 4);
        } else if (d.has(DAEMON_ATTR_MCAST_GROUP6)) {
            group = group(d.get(DAEMON_ATTR_MCAST_GROUP6), 16);
        }
        try {
            return new SyncDaemon(role, ifn, (int) Math.min(syncId, Integer.MAX_VALUE), maxLength, port, ttl, group);
        } catch (IllegalArgumentException e) {
            throw new MalformedReplyException(d.path() + ": " + e.getMessage());
        }
    }

    private static InetAddress group(Nla.Attr a, int length) throws MalformedReplyException {
        if (a.length() != length) {
            throw new MalformedReplyException(a.path() + ": " + a.length() + " bytes, expected " + length);
        }
        try {
            return InetAddress.getByAddress(a.value());
        } catch (UnknownHostException e) {
            throw new MalformedReplyException(a.path() + ": " + e.getMessage());
        }
    }

    static String daemonAttrName(int type) {
        String[] names = {"UNSPEC", "STATE", "MCAST_IFN", "SYNC_ID", "SYNC_MAXLEN", "MCAST_GROUP", "MCAST_GROUP6",
            "MCAST_PORT", "MCAST_TTL"};
        return type >= 0 && type < names.length ? "IPVS_DAEMON_ATTR_" + names[type] : "IPVS_DAEMON_ATTR " + type;
    }
}
