package dev.pharos.agent.ipvs.kernel;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.pharos.agent.ipvs.table.AddressFamily;
import dev.pharos.agent.ipvs.table.Destination;
import dev.pharos.agent.ipvs.table.Endpoint;
import dev.pharos.agent.ipvs.table.ServiceKey;
import dev.pharos.agent.ipvs.table.ServiceSettings;
import dev.pharos.agent.ipvs.table.ServiceTable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/// A kernel with IPVS, in memory: decodes the generic-netlink requests [KernelIpvs] sends, keeps a
/// table, answers dumps as `ip_vs_ctl.c` does (16-byte addresses, `IP_VS_SVC_F_HASHED`, stats
/// nests) and refuses with the kernel's errnos (EEXIST, ESRCH, ENOENT, EINVAL). Faults can be
/// injected: refuse the next operations, or acknowledge them without applying (a lying backend).
public final class FakeIpvsKernel implements GenlTransport {

    static final int FAMILY = 0x2a;
    public static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int ESRCH = 3;
    public static final int ENOMEM = 12;
    static final int EEXIST = 17;
    static final int EINVAL = 22;
    private static final Set<String> SCHEDULERS = Set.of("rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed",
            "nq", "mh");

    private record Service(ServiceSettings settings, Map<Endpoint, Destination> destinations) {
    }

    private final Map<ServiceKey, Service> table = new LinkedHashMap<>();
    private final Map<Endpoint, IpvsStats> stats = new LinkedHashMap<>();
    private boolean present = true;
    private int refuseNext;
    private int refuseErrno;
    private int ignoreNext;
    private int failDumps;
    private int operations;
    private int destinationDumps;

    /// The family lookup finds nothing, as without the ip_vs module.
    FakeIpvsKernel withoutIpvs() {
        present = false;
        return this;
    }

    /// [KernelIpvs] over this kernel.
    public KernelIpvs open() {
        return assertInstanceOf(KernelIpvs.Present.class, KernelIpvs.open(this)).ipvs();
    }

    /// The next `count` NEW/SET/DEL commands fail with `errno` (and change nothing).
    public void refuseNext(int count, int errno) {
        refuseNext = count;
        refuseErrno = errno;
    }

    /// The next `count` NEW/SET/DEL commands are acknowledged but not applied.
    public void ignoreNext(int count) {
        ignoreNext = count;
    }

    /// The next `count` dumps fail with an I/O error.
    public void failDumps(int count) {
        failDumps = count;
    }

    /// Counters the kernel reports for destinations at `endpoint`.
    void stats(Endpoint endpoint, IpvsStats value) {
        stats.put(endpoint, value);
    }

    /// NEW/SET/DEL commands received (applied or not).
    public int operations() {
        return operations;
    }

    /// Dumps of one service's destinations answered: what reading the table costs the kernel.
    public int destinationDumps() {
        return destinationDumps;
    }

    /// The table as the kernel holds it.
    public ServiceTable table() {
        var b = ServiceTable.builder();
        table.forEach((k, s) -> {
            b.service(k, s.settings());
            s.destinations().values().forEach(d -> b.destination(k, d));
        });
        return b.build();
    }

    @Override
    public Optional<Integer> resolveFamily(String name) {
        return present && name.equals("IPVS") ? Optional.of(FAMILY) : Optional.empty();
    }

    @Override
    public List<byte[]> transact(byte[] request) throws IOException {
        var h = ByteBuffer.wrap(request).order(ByteOrder.nativeOrder());
        int seq = h.getInt(8);
        if (request.length < 20 || h.getInt(0) != request.length || (h.getShort(4) & 0xffff) != FAMILY) {
            return List.of(error(seq, EINVAL));
        }
        int cmd = request[16] & 0xff;
        try {
            var top = Nla.Attrs.parse(request, 20, request.length, "request", IpvsCodec::commandAttrName);
            return switch (cmd) {
                case IpvsCodec.CMD_GET_INFO -> List.of(info(seq), error(seq, 0));
                case IpvsCodec.CMD_GET_SERVICE -> dumpServices(seq);
                case IpvsCodec.CMD_GET_DEST -> dumpDestinations(seq, top);
                default -> List.of(error(seq, operate(cmd, top)));
            };
        } catch (MalformedReplyException e) {
            // the kernel's attribute validation answers EINVAL
            return List.of(error(seq, EINVAL));
        }
    }

    private int operate(int cmd, Nla.Attrs top) throws MalformedReplyException {
        operations++;
        if (refuseNext > 0) {
            refuseNext--;
            return refuseErrno;
        }
        boolean apply = ignoreNext == 0;
        if (!apply) {
            ignoreNext--;
        }
        var svcAttr = top.get(IpvsCodec.CMD_ATTR_SERVICE);
        if (svcAttr == null) {
            return EINVAL;
        }
        var svc = svcAttr.nested(IpvsCodec::serviceAttrName);
        var key = IpvsCodec.serviceKey(svc);
        var service = table.get(key);
        switch (cmd) {
            case IpvsCodec.CMD_NEW_SERVICE, IpvsCodec.CMD_SET_SERVICE -> {
                var settings = IpvsCodec.serviceSettings(svc, key.family());
                if (!SCHEDULERS.contains(settings.scheduler())) {
                    return ENOENT;
                }
                if (cmd == IpvsCodec.CMD_NEW_SERVICE && service != null) {
                    return EEXIST;
                }
                if (cmd == IpvsCodec.CMD_SET_SERVICE && service == null) {
                    return ESRCH;
                }
                if (apply) {
                    table.put(key, new Service(settings, service == null ? new LinkedHashMap<>()
                            : service.destinations()));
                }
                return 0;
            }
            case IpvsCodec.CMD_DEL_SERVICE -> {
                if (service == null) {
                    return ESRCH;
                }
                if (apply) {
                    table.remove(key);
                }
                return 0;
            }
            case IpvsCodec.CMD_NEW_DEST, IpvsCodec.CMD_SET_DEST, IpvsCodec.CMD_DEL_DEST -> {
                if (service == null) {
                    return ESRCH;
                }
                var destAttr = top.get(IpvsCodec.CMD_ATTR_DEST);
                if (destAttr == null) {
                    return EINVAL;
                }
                var d = destAttr.nested(IpvsCodec::destAttrName);
                var endpoint = IpvsCodec.destinationEndpoint(d, key.family());
                boolean exists = service.destinations().containsKey(endpoint);
                if (cmd == IpvsCodec.CMD_NEW_DEST && exists) {
                    return EEXIST;
                }
                if (cmd != IpvsCodec.CMD_NEW_DEST && !exists) {
                    return ENOENT;
                }
                if (apply) {
                    if (cmd == IpvsCodec.CMD_DEL_DEST) {
                        service.destinations().remove(endpoint);
                    } else {
                        service.destinations().put(endpoint, IpvsCodec.destination(d, key.family()));
                    }
                }
                return 0;
            }
            default -> {
                return EINVAL;
            }
        }
    }

    private List<byte[]> dumpServices(int seq) throws IOException {
        dumpFault();
        var out = new ArrayList<byte[]>();
        table.forEach((key, service) -> {
            var w = new Nla.Writer(FAMILY, Nla.NLM_F_MULTI, seq, IpvsCodec.CMD_NEW_SERVICE, 1);
            int nest = w.begin(IpvsCodec.CMD_ATTR_SERVICE);
            w.u16(IpvsCodec.SVC_ATTR_AF, key.family().wireValue());
            switch (key) {
                case ServiceKey.ByFwmark f -> w.u32(IpvsCodec.SVC_ATTR_FWMARK, f.mark());
                case ServiceKey.ByAddress a -> w.u16(IpvsCodec.SVC_ATTR_PROTOCOL, a.protocol().wireValue())
                        .bytes(IpvsCodec.SVC_ATTR_ADDR, java.util.Arrays.copyOf(a.address().getAddress(), 16))
                        .be16(IpvsCodec.SVC_ATTR_PORT, a.port());
            }
            var s = service.settings();
            var flags = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder())
                    .putInt(s.flags() | ServiceSettings.HASHED).putInt(-1).array();
            w.string(IpvsCodec.SVC_ATTR_SCHED_NAME, s.scheduler()).bytes(IpvsCodec.SVC_ATTR_FLAGS, flags)
                    .u32(IpvsCodec.SVC_ATTR_TIMEOUT, s.persistenceTimeout().toSeconds());
            if (key.family() == AddressFamily.INET) {
                w.bytes(IpvsCodec.SVC_ATTR_NETMASK, IpvsCodec.ipv4Mask(s.persistenceNetmask()));
            } else {
                w.u32(IpvsCodec.SVC_ATTR_NETMASK, s.persistenceNetmask());
            }
            putStats(w, IpvsCodec.SVC_ATTR_STATS, IpvsStats.ZERO);
            out.add(w.end(nest).finish());
        });
        out.add(done(seq));
        return out;
    }

    private List<byte[]> dumpDestinations(int seq, Nla.Attrs top) throws IOException, MalformedReplyException {
        destinationDumps++;
        dumpFault();
        var svcAttr = top.get(IpvsCodec.CMD_ATTR_SERVICE);
        if (svcAttr == null) {
            return List.of(error(seq, EINVAL));
        }
        var key = IpvsCodec.serviceKey(svcAttr.nested(IpvsCodec::serviceAttrName));
        var service = table.get(key);
        if (service == null) {
            return List.of(error(seq, ESRCH));
        }
        var out = new ArrayList<byte[]>();
        for (var d : service.destinations().values()) {
            var w = new Nla.Writer(FAMILY, Nla.NLM_F_MULTI, seq, IpvsCodec.CMD_NEW_DEST, 1);
            int nest = w.begin(IpvsCodec.CMD_ATTR_DEST);
            w.bytes(IpvsCodec.DEST_ATTR_ADDR, java.util.Arrays.copyOf(d.address().getAddress(), 16))
                    .be16(IpvsCodec.DEST_ATTR_PORT, d.port())
                    .u32(IpvsCodec.DEST_ATTR_FWD_METHOD, d.forwarding().wireValue())
                    .u32(IpvsCodec.DEST_ATTR_WEIGHT, d.weight())
                    .u32(IpvsCodec.DEST_ATTR_U_THRESH, d.upperThreshold())
                    .u32(IpvsCodec.DEST_ATTR_L_THRESH, d.lowerThreshold())
                    .u32(IpvsCodec.DEST_ATTR_ACTIVE_CONNS, 2)
                    .u32(IpvsCodec.DEST_ATTR_INACT_CONNS, 1)
                    .u32(IpvsCodec.DEST_ATTR_PERSIST_CONNS, 0)
                    .u16(IpvsCodec.DEST_ATTR_ADDR_FAMILY, d.endpoint().family().wireValue());
            putStats(w, IpvsCodec.DEST_ATTR_STATS64, stats.getOrDefault(d.endpoint(), IpvsStats.ZERO));
            out.add(w.end(nest).finish());
        }
        out.add(done(seq));
        return out;
    }

    private void dumpFault() throws IOException {
        if (failDumps > 0) {
            failDumps--;
            throw new IOException("ENOBUFS: recvfrom(generic netlink): No buffer space available");
        }
    }

    private static void putStats(Nla.Writer w, int type, IpvsStats s) {
        int nest = w.begin(type);
        long[] values = {s.connections(), s.inPackets(), s.outPackets(), s.inBytes(), s.outBytes(),
                s.connectionsPerSecond(), s.inPacketsPerSecond(), s.outPacketsPerSecond(), s.inBytesPerSecond(),
                s.outBytesPerSecond()};
        for (int i = 0; i < values.length; i++) {
            w.bytes(i + 1, ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(values[i]).array());
        }
        w.end(nest);
    }

    private static byte[] info(int seq) {
        return new Nla.Writer(FAMILY, 0, seq, IpvsCodec.CMD_SET_INFO, 1)
                .u32(IpvsCodec.INFO_ATTR_VERSION, 0x010201).u32(IpvsCodec.INFO_ATTR_CONN_TAB_SIZE, 4096).finish();
    }

    private static byte[] done(int seq) {
        return ByteBuffer.allocate(20).order(ByteOrder.nativeOrder()).putInt(20).putShort((short) Nla.NLMSG_DONE)
                .putShort((short) Nla.NLM_F_MULTI).putInt(seq).putInt(0).putInt(0).array();
    }

    private static byte[] error(int seq, int errno) {
        return ByteBuffer.allocate(36).order(ByteOrder.nativeOrder()).putInt(36).putShort((short) Nla.NLMSG_ERROR)
                .putShort((short) 0).putInt(seq).putInt(0).putInt(-errno)
                .putInt(16).putShort((short) FAMILY).putShort((short) 0).putInt(seq).putInt(0).array();
    }
}
