package dev.pharos.agent.ipvs.proxy;

import dev.pharos.agent.ipvs.proxy.schedulers.SchedulerFlag;
import dev.pharos.agent.ipvs.table.BackendException;
import dev.pharos.agent.ipvs.table.Destination;
import dev.pharos.agent.ipvs.table.Endpoint;
import dev.pharos.agent.ipvs.table.ForwardingMethod;
import dev.pharos.agent.ipvs.table.IpvsBackend;
import dev.pharos.agent.ipvs.table.IpvsOp;
import dev.pharos.agent.ipvs.table.Protocol;
import dev.pharos.agent.ipvs.table.ServiceKey;
import dev.pharos.agent.ipvs.table.ServiceSettings;
import dev.pharos.agent.ipvs.table.ServiceTable;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/// The reconciler's view of the [UserspaceBalancer]: each [IpvsOp] becomes the balancer call that
/// does the same, and [#read] reports what the balancer really serves (its live services and real
/// servers, their weights), so the reconciler's re-read catches anything the balancer lacks.
///
/// What IPVS keeps and a proxy has no use for (the forwarding method, the exact flag bits) is
/// remembered here from the last operation so that a table read back compares equal to the one
/// applied. Firewall-mark and SCTP services cannot be proxied: their operations fail with the reason.
public final class UserspaceBackend implements IpvsBackend {

    private final UserspaceBalancer balancer;
    private final Map<ServiceKey, ServiceSettings> settings = new HashMap<>();
    private final Map<ServiceKey, Map<Endpoint, Destination>> destinations = new HashMap<>();

    public UserspaceBackend(UserspaceBalancer balancer) {
        this.balancer = balancer;
    }

    public UserspaceBalancer balancer() {
        return balancer;
    }

    @Override
    public String name() {
        return "userspace";
    }

    @Override
    public synchronized ServiceTable read() {
        var b = ServiceTable.builder();
        for (var stats : balancer.stats()) {
            add(b, stats);
        }
        return b.build();
    }

    /// Only the balancer's services among `keys`: a few of a large table are read without the rest.
    @Override
    public synchronized ServiceTable read(Set<ServiceKey> keys) {
        var b = ServiceTable.builder();
        for (var key : keys) {
            if (key instanceof ServiceKey.ByAddress a && a.protocol() != Protocol.SCTP) {
                balancer.stats(new ListenKey(a.protocol() == Protocol.TCP ? BalancerProtocol.TCP : BalancerProtocol.UDP,
                        new InetSocketAddress(a.address(), a.port()))).ifPresent(stats -> add(b, stats));
            }
        }
        return b.build();
    }

    /// One live service as the table shows it.
    private void add(ServiceTable.Builder b, BalancerServiceStats stats) {
        var svc = stats.service();
        var key = new ServiceKey.ByAddress(svc.protocol() == BalancerProtocol.TCP ? Protocol.TCP : Protocol.UDP,
                svc.listen().getAddress(), svc.listen().getPort());
        var known = settings.get(key);
        b.service(key, known != null ? known : settingsOf(svc));
        var applied = destinations.getOrDefault(key, Map.of());
        for (var rs : stats.realServers()) {
            var endpoint = new Endpoint(rs.address().getAddress(), rs.address().getPort());
            var before = applied.get(endpoint);
            if (before == null && svc.listen().getPort() == rs.address().getPort()) {
                // applied with port 0 ("the service's port"), as IPVS allows
                before = applied.get(new Endpoint(rs.address().getAddress(), 0));
            }
            var forwarding = before != null ? before.forwarding() : ForwardingMethod.NAT;
            var port = before != null ? before.port() : rs.address().getPort();
            b.destination(key, new Destination(rs.address().getAddress(), port, rs.weight(), forwarding,
                    before != null ? before.upperThreshold() : 0, before != null ? before.lowerThreshold() : 0));
        }
    }

    @Override
    public synchronized void apply(IpvsOp op) throws BackendException {
        try {
            switch (op) {
                case IpvsOp.AddService a -> {
                    balancer.addService(service(a.service(), a.settings()));
                    settings.put(a.service(), a.settings());
                    destinations.put(a.service(), new HashMap<>());
                }
                case IpvsOp.EditService e -> {
                    balancer.updateService(service(e.service(), e.settings()));
                    settings.put(e.service(), e.settings());
                }
                case IpvsOp.DeleteService d -> {
                    balancer.removeService(listenKey(d.service()));
                    settings.remove(d.service());
                    destinations.remove(d.service());
                }
                case IpvsOp.AddDest a -> {
                    balancer.addRealServer(listenKey(a.service()), realServer(a.service(), a.destination()));
                    destinations.computeIfAbsent(a.service(), k -> new HashMap<>()).put(a.destination().endpoint(),
                            a.destination());
                }
                case IpvsOp.EditDest e -> {
                    balancer.updateRealServer(listenKey(e.service()), realServer(e.service(), e.destination()));
                    destinations.computeIfAbsent(e.service(), k -> new HashMap<>()).put(e.destination().endpoint(),
                            e.destination());
                }
                case IpvsOp.DeleteDest d -> {
                    var key = byAddress(d.service());
                    int port = d.destination().port() == 0 ? key.port() : d.destination().port();
                    balancer.removeRealServer(listenKey(d.service()),
                            new InetSocketAddress(d.destination().address(), port));
                    var m = destinations.get(d.service());
                    if (m != null) {
                        m.remove(d.destination());
                    }
                }
            }
        } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
            throw new BackendException(op + ": " + e.getMessage(), e);
        }
    }

    private static ServiceKey.ByAddress byAddress(ServiceKey key) throws BackendException {
        return switch (key) {
            case ServiceKey.ByAddress a -> {
                if (a.protocol() == Protocol.SCTP) {
                    throw new BackendException(a + ": the user-space balancer proxies TCP and UDP, not SCTP");
                }
                yield a;
            }
            case ServiceKey.ByFwmark f -> throw new BackendException(f + ": firewall-mark services need the kernel's "
                    + "IPVS (a proxy cannot see packet marks)");
        };
    }

    private static ListenKey listenKey(ServiceKey key) throws BackendException {
        var a = byAddress(key);
        return new ListenKey(a.protocol() == Protocol.TCP ? BalancerProtocol.TCP : BalancerProtocol.UDP,
                new InetSocketAddress(a.address(), a.port()));
    }

    private static BalancerService service(ServiceKey key, ServiceSettings s) throws BackendException {
        var a = byAddress(key);
        var listen = new InetSocketAddress(a.address(), a.port());
        var base = a.protocol() == Protocol.TCP ? BalancerService.tcp(listen, s.scheduler())
                : BalancerService.udp(listen, s.scheduler());
        var flags = EnumSet.noneOf(SchedulerFlag.class);
        // IPVS's sh/mh "fallback" is SCHED1 (IP_VS_SVC_F_SCHED_SH_FALLBACK / MH_FALLBACK), "port" SCHED2.
        if ((s.flags() & ServiceSettings.SCHED1) != 0) {
            flags.add(SchedulerFlag.FALLBACK);
        }
        if ((s.flags() & ServiceSettings.SCHED2) != 0) {
            flags.add(SchedulerFlag.PORT);
        }
        var persistence = (s.flags() & ServiceSettings.PERSISTENT) != 0 && !s.persistenceTimeout().isZero()
                ? new Persistence(s.persistenceTimeout(), s.persistenceNetmask())
                : Persistence.NONE;
        return new BalancerService(base.protocol(), base.listen(), base.scheduler(), flags, persistence, null,
                base.connectionLimit(), base.idleTimeout(), base.connectTimeout());
    }

    private static BalancerRealServer realServer(ServiceKey key, Destination d) throws BackendException {
        var a = byAddress(key);
        int port = d.port() == 0 ? a.port() : d.port();
        return new BalancerRealServer(new InetSocketAddress(d.address(), port), d.weight(), d.upperThreshold(),
                d.lowerThreshold());
    }

    private static ServiceSettings settingsOf(BalancerService svc) {
        var p = svc.persistence();
        boolean persistent = p != null && !p.timeout().isZero();
        return new ServiceSettings(svc.scheduler(), persistent ? ServiceSettings.PERSISTENT : 0,
                persistent ? p.timeout() : Duration.ZERO, persistent ? p.prefixLength() : 32);
    }
}
