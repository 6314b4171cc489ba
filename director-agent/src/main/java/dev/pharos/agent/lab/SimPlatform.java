package dev.pharos.agent.lab;

import dev.pharos.agent.config.KeepalivedConfig;
import dev.pharos.agent.config.RealServerDef;
import dev.pharos.agent.config.VirtualServerDef;
import dev.pharos.agent.daemon.Platform;
import dev.pharos.agent.ipvs.proxy.UserspaceBackend;
import dev.pharos.agent.ipvs.proxy.UserspaceBalancer;
import dev.pharos.agent.sim.SimAddressPlumbing;
import dev.pharos.agent.sim.SimVrrpBus;
import dev.pharos.agent.vrrp.AddressPlumbing;
import dev.pharos.agent.vrrp.StepGate;
import dev.pharos.agent.vrrp.VrrpTransport;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Optional;
import java.util.function.Function;

/// One lab director's world: VRRP on the lab's in-memory bus (IPv4 instances from its address,
/// IPv6 ones from its link-local address), VIPs in the lab's address table, and the service table
/// on a user-space balancer whose services listen on loopback ports of their own, an IPv6 service
/// on `::1` (the lab routes a VIP's traffic to the port of whichever director holds it). Real
/// servers' (and sorry servers') documentation addresses are mapped onto the lab's loopback HTTP
/// servers, so checks and balancing reach real sockets.
final class SimPlatform implements Platform {

    private static final InetAddress IPV6_LOOPBACK = address(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});

    private final String node;
    private final Inet4Address address;
    private final Inet6Address linkLocal;
    private final SimVrrpBus bus;
    private final SimAddressPlumbing vips;
    private final Function<VirtualServerDef.Key.Address, Integer> servicePort;
    private final Function<InetAddress, Optional<Integer>> realServerPort;
    private final StepGate gate;

    /// @param servicePort    this director's loopback port for a virtual server
    /// @param realServerPort the loopback port of the lab server standing for a real server address
    ///                       (empty: the address is checked as written)
    SimPlatform(String node, Inet4Address address, Inet6Address linkLocal, SimVrrpBus bus, SimAddressPlumbing vips,
            Function<VirtualServerDef.Key.Address, Integer> servicePort,
            Function<InetAddress, Optional<Integer>> realServerPort, StepGate gate) {
        this.gate = gate;
        this.node = node;
        this.address = address;
        this.linkLocal = linkLocal;
        this.bus = bus;
        this.vips = vips;
        this.servicePort = servicePort;
        this.realServerPort = realServerPort;
    }

    @Override
    public Optional<String> missing() {
        return Optional.empty();
    }

    @Override
    public AddressPlumbing openPlumbing() {
        return vips.forNode(node);
    }

    @Override
    public void closePlumbing(AddressPlumbing plumbing) {
        // the lab's table outlives a director; a stopped director has removed its VIPs already
    }

    @Override
    public VrrpTransport.Factory transports() {
        return settings -> bus.transport(node, settings.ipv6() ? linkLocal : address);
    }

    @Override
    public void warmUp() {
        // nothing to warm: no sockets
    }

    @Override
    public boolean monitorsInterfaces() {
        return false;
    }

    @Override
    public StepGate stepGate() {
        return gate;
    }

    @Override
    public String directorName() {
        return node;
    }

    @Override
    public Backend serviceBackend(String mode) {
        return new Backend(new UserspaceBackend(new UserspaceBalancer()),
                "the training lab: Pharos's user-space balancer on loopback");
    }

    /// The loopback address of `address`'s family: a client of an IPv6 VIP connects over IPv6.
    static InetAddress loopback(InetAddress address) {
        return address instanceof Inet6Address ? IPV6_LOOPBACK : InetAddress.getLoopbackAddress();
    }

    @Override
    public KeepalivedConfig served(KeepalivedConfig config) {
        // the lab's real servers listen on the one loopback address, whatever their address's family
        var loopback = InetAddress.getLoopbackAddress();
        var servers = new ArrayList<VirtualServerDef>();
        for (var vs : config.virtualServers()) {
            var mapped = vs;
            if (vs.key() instanceof VirtualServerDef.Key.Address a) {
                mapped = mapped.withKey(new VirtualServerDef.Key.Address(loopback(a.address()), servicePort.apply(a)));
            }
            var real = new ArrayList<RealServerDef>();
            for (var rs : vs.realServers()) {
                var port = realServerPort.apply(rs.address());
                // The lab maps every address, one it has no server for onto a port nothing
                // listens on (its checks fail inside the lab, never on the host's network).
                real.add(port.map(p -> rs.withAddress(loopback, p)).orElse(rs));
            }
            if (vs.sorryServer() != null) {
                // the sorry server too is one of the lab's servers (or none), never the host's network
                var sorry = vs.sorryServer();
                mapped = mapped.withSorryServer(realServerPort.apply(sorry.address())
                        .map(p -> new VirtualServerDef.SorryServer(loopback, p)).orElse(sorry));
            }
            servers.add(mapped.withRealServers(real));
        }
        return new KeepalivedConfig(config.globalDefs(), config.vrrpScripts(), config.syncGroups(),
                config.vrrpInstances(), config.virtualServerGroups(), servers, config.extras());
    }

    private static InetAddress address(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a loopback address of " + bytes.length + " bytes", e);
        }
    }
}
