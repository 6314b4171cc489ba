package dev.pharos.agent.daemon;

import dev.pharos.agent.linux.Errno;
import dev.pharos.agent.linux.GratuitousArp;
import dev.pharos.agent.linux.NativeException;
import dev.pharos.agent.linux.NeighbourAdvert;
import dev.pharos.agent.linux.Rtnetlink;
import dev.pharos.agent.vrrp.AddressPlumbing;
import dev.pharos.agent.vrrp.VrrpSettings.VirtualAddress;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/// VIPs through rtnetlink, gratuitous ARP and (IPv6) unsolicited neighbour advertisements through
/// AF_PACKET, the sockets opened once.
final class LinuxAddressPlumbing implements AddressPlumbing, AutoCloseable {

    private final Rtnetlink rtnetlink;
    private final GratuitousArp arp;
    private final NeighbourAdvert neighbours;

    private LinuxAddressPlumbing(Rtnetlink rtnetlink, GratuitousArp arp, NeighbourAdvert neighbours) {
        this.rtnetlink = rtnetlink;
        this.arp = arp;
        this.neighbours = neighbours;
    }

    static LinuxAddressPlumbing open() throws NativeException {
        var rt = Rtnetlink.open();
        try {
            var garp = GratuitousArp.open();
            try {
                return new LinuxAddressPlumbing(rt, garp, NeighbourAdvert.open());
            } catch (NativeException e) {
                garp.close();
                throw e;
            }
        } catch (NativeException e) {
            rt.close();
            throw e;
        }
    }

    /// Runs the address, gratuitous-ARP and neighbour-advertisement paths once without changing or
    /// sending anything ([Rtnetlink#warmUp], [GratuitousArp#warmUp], [NeighbourAdvert#warmUp]): a
    /// takeover's first VIP and announcement then do not wait for class loading and linking
    /// (bench/failover: 0.4 ms of the first GARP's delay was linking its message's string
    /// concatenation). True if all went as expected.
    boolean warmUp() {
        return rtnetlink.warmUp() & arp.warmUp() & neighbours.warmUp();
    }

    /// Runs [#warmUp] up to `rounds` times within `budget` so the JIT compiles the address and
    /// announcement paths: a takeover runs them once, interpreted, and after seconds idle each
    /// small step of it cost 15–25 µs (bench/failover). Returns the rounds run.
    int compile(int rounds, Duration budget) {
        long end = System.nanoTime() + budget.toNanos();
        int done = 0;
        while (done < rounds && System.nanoTime() - end < 0) {
            warmUp();
            done++;
        }
        return done;
    }

    @Override
    public void addAddress(String interfaceName, VirtualAddress vip) throws IOException {
        try {
            rtnetlink.addAddress(interfaceName, vip.address(), vip.prefixLength(), null, null);
        } catch (NativeException e) {
            if (!e.is(Errno.EEXIST)) {
                throw e;
            }
        }
    }

    @Override
    public void prepareToAdd(String interfaceName, List<VirtualAddress> vips) {
        for (var vip : vips) {
            rtnetlink.prepareAdd(interfaceName, vip.address(), vip.prefixLength());
        }
        arp.prepare(interfaceName);
        if (vips.stream().anyMatch(v -> v.address() instanceof Inet6Address)) {
            neighbours.prepare(interfaceName);
        }
    }

    @Override
    public void removeAddress(String interfaceName, VirtualAddress vip) throws IOException {
        try {
            rtnetlink.deleteAddress(interfaceName, vip.address(), vip.prefixLength());
        } catch (NativeException e) {
            if (!e.is(Errno.EADDRNOTAVAIL) && !e.is(Errno.ENODEV)) {
                throw e;
            }
        }
    }

    @Override
    public void announce(String interfaceName, InetAddress address) throws IOException {
        switch (address) {
            case Inet4Address a4 -> arp.send(interfaceName, a4);
            case Inet6Address a6 -> neighbours.send(interfaceName, a6);
            default -> throw new IllegalArgumentException("neither IPv4 nor IPv6: " + address);
        }
    }

    @Override
    public void close() {
        rtnetlink.close();
        arp.close();
        neighbours.close();
    }
}
