package dev.pharos.agent.ipvs.kernel;

import dev.pharos.agent.ipvs.table.BackendException;
import dev.pharos.agent.ipvs.table.Endpoint;
import dev.pharos.agent.ipvs.table.IpvsBackend;
import dev.pharos.agent.ipvs.table.IpvsOp;
import dev.pharos.agent.ipvs.table.ServiceKey;
import dev.pharos.agent.ipvs.table.ServiceTable;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/// The kernel's IPVS table, through its generic-netlink family ("IPVS", version 1). Whether the
/// kernel has IPVS at all is an [Availability], not an exception: without the `ip_vs` module the
/// family lookup finds nothing, and the agent balances in user space instead.
///
/// Calls are serialised: one request and its answer at a time.
public final class KernelIpvs implements IpvsBackend {

    private static final System.Logger LOG = System.getLogger(KernelIpvs.class.getName());

    private final GenlTransport transport;
    private final int family;
    private final AtomicInteger sequence = new AtomicInteger(1);

    private KernelIpvs(GenlTransport transport, int family) {
        this.transport = transport;
        this.family = family;
    }

    /// Whether the kernel's IPVS can be used.
    public sealed interface Availability permits Present, Absent {
    }

    /// IPVS answered GET_INFO.
    ///
    /// @param version `1.2.1` (`IP_VS_VERSION_CODE`)
    /// @param connectionTableSize buckets of the kernel's connection hash table
    public record Present(KernelIpvs ipvs, String version, long connectionTableSize) implements Availability {
    }

    /// IPVS cannot be used, and why, in words for the log and `state.get`.
    public record Absent(String reason) implements Availability {
    }

    /// Looks up the IPVS family and asks for its version.
    public static Availability open(GenlTransport transport) {
        Objects.requireNonNull(transport, "transport");
        Optional<Integer> id;
        try {
            id = transport.resolveFamily(IpvsCodec.FAMILY_NAME);
        } catch (IOException e) {
            return new Absent("could not ask the kernel for the IPVS netlink family: " + e.getMessage());
        }
        if (id.isEmpty()) {
            return new Absent("the kernel has no IPVS (ip_vs module not loaded; try 'modprobe ip_vs')");
        }
        var ipvs = new KernelIpvs(transport, id.get());
        try {
            var info = ipvs.info();
            LOG.log(System.Logger.Level.INFO, "kernel IPVS {0} (netlink family {1}, connection table {2})",
                    info.versionString(), String.valueOf(id.get()), String.valueOf(info.connectionTableSize()));
            return new Present(ipvs, info.versionString(), info.connectionTableSize());
        } catch (BackendException e) {
            return new Absent(e.getMessage());
        }
    }

    @Override
    public String name() {
        return "kernel";
    }

    private IpvsCodec.Info info() throws BackendException {
        var what = "ask IPVS for its version (GET_INFO)";
        var replies = transact(IpvsCodec.getInfo(family, sequence.incrementAndGet()), what);
        return switch (decode(() -> IpvsCodec.decodeInfo(family, replies), what)) {
            case IpvsCodec.Ok<IpvsCodec.Info> ok -> ok.value();
            case IpvsCodec.Refused<IpvsCodec.Info> r -> throw refused(what, r.errno(), null);
        };
    }

    @Override
    public synchronized ServiceTable read() throws BackendException {
        var table = ServiceTable.builder();
        for (var service : services()) {
            table.service(service.key(), service.settings());
            for (var d : destinations(service.key())) {
                table.destination(service.key(), d.destination());
            }
        }
        return table.build();
    }

    /// The services among `keys`: one dump of the services (their settings), and the
    /// destinations of those only.
    @Override
    public synchronized ServiceTable read(Set<ServiceKey> keys) throws BackendException {
        var table = ServiceTable.builder();
        for (var service : services()) {
            if (keys.contains(service.key())) {
                table.service(service.key(), service.settings());
                for (var d : destinations(service.key())) {
                    table.destination(service.key(), d.destination());
                }
            }
        }
        return table.build();
    }

    /// Connection counts and traffic counters of every destination, by service.
    public synchronized Map<ServiceKey, Map<Endpoint, DestinationCounters>> counters() throws BackendException {
        var out = new LinkedHashMap<ServiceKey, Map<Endpoint, DestinationCounters>>();
        for (var service : services()) {
            var dests = new LinkedHashMap<Endpoint, DestinationCounters>();
            for (var d : destinations(service.key())) {
                dests.put(d.destination().endpoint(), new DestinationCounters(d.activeConnections(),
                        d.inactiveConnections(), d.persistentConnections(), d.stats()));
            }
            out.put(service.key(), Collections.unmodifiableMap(dests));
        }
        return Collections.unmodifiableMap(out);
    }

    /// What IPVS counts for one destination.
    public record DestinationCounters(long activeConnections, long inactiveConnections, long persistentConnections,
            IpvsStats stats) {
    }

    private List<IpvsCodec.ServiceEntry> services() throws BackendException {
        var what = "list the IPVS services";
        var replies = transact(IpvsCodec.dumpServices(family, sequence.incrementAndGet()), what);
        return switch (decode(() -> IpvsCodec.decodeServices(family, replies), what)) {
            case IpvsCodec.Ok<List<IpvsCodec.ServiceEntry>> ok -> ok.value();
            case IpvsCodec.Refused<List<IpvsCodec.ServiceEntry>> r -> throw refused(what, r.errno(), null);
        };
    }

    private List<IpvsCodec.DestinationEntry> destinations(ServiceKey key) throws BackendException {
        var what = "list the destinations of " + key;
        var replies = transact(IpvsCodec.dumpDestinations(family, sequence.incrementAndGet(), key), what);
        return switch (decode(() -> IpvsCodec.decodeDestinations(family, key.family(), replies), what)) {
            case IpvsCodec.Ok<List<IpvsCodec.DestinationEntry>> ok -> ok.value();
            case IpvsCodec.Refused<List<IpvsCodec.DestinationEntry>> r -> throw refused(what, r.errno(), null);
        };
    }

    @Override
    public synchronized void apply(IpvsOp op) throws BackendException {
        var what = op.toString();
        var replies = transact(IpvsCodec.operation(family, sequence.incrementAndGet(), op), what);
        int errno = decode(() -> IpvsCodec.decodeAck(family, replies), what);
        if (errno != 0) {
            throw refused(what, errno, op);
        }
    }

    /// Starts the kernel's connection-synchronisation daemon `daemon` (`IPVS_CMD_NEW_DAEMON`).
    public synchronized void startSyncDaemon(SyncDaemon daemon) throws BackendException {
        var what = "start the " + daemon.role().word() + " sync daemon on " + daemon.interfaceName() + " (sync id "
                + daemon.syncId() + ")";
        var replies = transact(SyncDaemonCodec.start(family, sequence.incrementAndGet(), daemon), what);
        int errno = decode(() -> IpvsCodec.decodeAck(family, replies), what);
        if (errno != 0) {
            throw new BackendException("IPVS refused to " + what + ": " + explainDaemon(errno));
        }
    }

    /// Stops the kernel's sync daemon of `role` (`IPVS_CMD_DEL_DAEMON`).
    public synchronized void stopSyncDaemon(SyncDaemon.Role role) throws BackendException {
        var what = "stop the " + role.word() + " sync daemon";
        var replies = transact(SyncDaemonCodec.stop(family, sequence.incrementAndGet(), role), what);
        int errno = decode(() -> IpvsCodec.decodeAck(family, replies), what);
        if (errno != 0) {
            throw new BackendException("IPVS refused to " + what + ": " + explainDaemon(errno));
        }
    }

    /// The sync daemons the kernel runs (`IPVS_CMD_GET_DAEMON`), as `ipvsadm -L --daemon` lists them.
    public synchronized List<SyncDaemon> syncDaemons() throws BackendException {
        var what = "list the IPVS sync daemons";
        var replies = transact(SyncDaemonCodec.dump(family, sequence.incrementAndGet()), what);
        return switch (decode(() -> SyncDaemonCodec.decodeDaemons(family, replies), what)) {
            case IpvsCodec.Ok<List<SyncDaemon>> ok -> ok.value();
            case IpvsCodec.Refused<List<SyncDaemon>> r -> throw new BackendException("IPVS refused to " + what + ": "
                    + explainDaemon(r.errno()));
        };
    }

    /// The errors of `start_sync_thread` and `stop_sync_thread` (`ip_vs_sync.c`).
    static String explainDaemon(int errno) {
        return switch (errno) {
            case 3 -> "ESRCH (no such daemon is running)";
            case 17 -> "EEXIST (a daemon of that role is already running)";
            case 19 -> "ENODEV (no such interface in the agent's network namespace)";
            case 22 -> "EINVAL (IPVS found a value invalid, e.g. a maxlen larger than the interface's MTU allows)";
            default -> explain(errno, null);
        };
    }

    private List<byte[]> transact(byte[] request, String what) throws BackendException {
        try {
            return transport.transact(request);
        } catch (IOException e) {
            throw new BackendException("could not " + what + ": netlink failed: " + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    private interface Decoding<T> {
        T run() throws MalformedReplyException;
    }

    private static <T> T decode(Decoding<T> decoding, String what) throws BackendException {
        try {
            return decoding.run();
        } catch (MalformedReplyException e) {
            throw new BackendException("could not " + what + ": the kernel's answer is malformed: " + e.getMessage()
                    + " (please report this with the kernel version)", e);
        }
    }

    private static BackendException refused(String what, int errno, IpvsOp op) {
        return new BackendException("IPVS refused to " + what + ": " + explain(errno, op));
    }

    /// The kernel's errors as `ip_vs_ctl.c` uses them.
    static String explain(int errno, IpvsOp op) {
        return switch (errno) {
            case 1 -> "EPERM (not permitted: the agent needs CAP_NET_ADMIN)";
            case 2 -> notFound(op);
            case 3 -> "ESRCH (the service is not there)";
            case 12 -> "ENOMEM (the kernel is out of memory)";
            case 17 -> "EEXIST (it is already there)";
            case 22 -> "EINVAL (IPVS found a value invalid, e.g. a weight, threshold or netmask)";
            case 95 -> "EOPNOTSUPP (this kernel's IPVS does not support it)";
            case 97 -> "EAFNOSUPPORT (this kernel's IPVS has no IPv6 support)";
            default -> "errno " + errno;
        };
    }

    /// ENOENT: for a service command the scheduler is missing, for a destination command the destination.
    private static String notFound(IpvsOp op) {
        if (op == null) {
            return "ENOENT (not found)";
        }
        return switch (op) {
            case IpvsOp.AddService a -> noScheduler(a.settings().scheduler());
            case IpvsOp.EditService e -> noScheduler(e.settings().scheduler());
            case IpvsOp.DeleteService _ -> "ENOENT (the service is not there)";
            case IpvsOp.AddDest _, IpvsOp.EditDest _, IpvsOp.DeleteDest _ -> "ENOENT (the destination is not there)";
        };
    }

    private static String noScheduler(String scheduler) {
        return "ENOENT (the kernel has no scheduler '" + scheduler + "'; is the ip_vs_" + scheduler
                + " module available?)";
    }
}
